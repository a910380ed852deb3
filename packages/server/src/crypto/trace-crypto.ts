import type { TraceSealer } from '../kernel/ports.ts';
import type { DataKeyRepository } from '../storage/data-keys.ts';
import { DecryptError, Keyring, open, seal } from './envelope.ts';

const TABLE = 'decision_traces';
/** `payload`: the three fields sealed as one (migrations/0015); the others: rows before it. */
export type TraceColumn = 'payload' | 'input' | 'output' | 'decision_rationale';

/**
 * Field encryption of decision traces: the keyring lives in memory, its wrapped keys
 * in `encryption_keys`. A tenant's first trace creates its data key; `rotate` makes a
 * new primary (old rows stay readable); `erase` crypto-shreds the tenant.
 */
export class TraceCrypto implements TraceSealer {
  private constructor(
    private keyring: Keyring,
    private readonly master: Buffer,
    private readonly keys: DataKeyRepository,
  ) {}

  static async load(master: Buffer, keys: DataKeyRepository): Promise<TraceCrypto> {
    return new TraceCrypto(Keyring.fromRecords(master, await keys.dataKeys()), master, keys);
  }

  /** Re-reads the keys (another process may have created, rotated or destroyed some). */
  async reload() {
    this.keyring = Keyring.fromRecords(this.master, await this.keys.dataKeys());
  }

  async prepare(tenants: Iterable<string>) {
    const missing = [...tenants].filter((t) => this.keyring.primaryVersion(t) === undefined);
    if (!missing.length) return;
    await this.reload();
    for (const t of missing) {
      if (this.keyring.primaryVersion(t) !== undefined) continue;
      this.keyring.createDataKey(t);
      await this.keys.putDataKeys(this.keyring.records(t));
    }
    // A racing process may have won a version: the stored rows are the truth.
    await this.reload();
  }

  seal(tenant: string, eventId: string, column: TraceColumn, plaintext: string) {
    const sealed = seal(this.keyring, { tenant, table: TABLE, column, rowId: eventId }, plaintext);
    return { sealed, keyVersion: this.keyring.primaryVersion(tenant) as number };
  }

  /** The plaintext, or null when the key was destroyed or the bytes do not belong to
   * this row (moved ciphertext fails authentication). */
  open(tenant: string, eventId: string, column: TraceColumn, sealedB64: string | null): { ok: true; text: string | null } | { ok: false; reason: string } {
    if (sealedB64 === null) return { ok: true, text: null };
    try {
      return { ok: true, text: open(this.keyring, { tenant, table: TABLE, column, rowId: eventId }, Buffer.from(sealedB64, 'base64')).toString('utf8') };
    } catch (e) {
      if (e instanceof DecryptError) return { ok: false, reason: e.reason };
      throw e;
    }
  }

  async rotate(tenant: string) {
    await this.reload();
    const r = this.keyring.createDataKey(tenant);
    await this.keys.putDataKeys(this.keyring.records(tenant));
    await this.reload();
    return r.version;
  }

  async erase(tenant: string) {
    await this.reload();
    const rows = this.keyring.destroy(tenant);
    await this.keys.putDataKeys(rows);
    await this.reload();
    return rows.length;
  }
}

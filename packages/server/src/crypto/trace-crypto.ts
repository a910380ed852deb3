import type { TraceSealer } from '../kernel/ports.ts';
import type { DataKeyRepository, SealCount } from '../storage/data-keys.ts';
import { DecryptError, Keyring, open, seal } from './envelope.ts';

/** NIST SP 800-38D §8.3: with random 96-bit IVs, at most 2^32 seals per key. */
export const GCM_RANDOM_IV_LIMIT = 2 ** 32;
/** Default automatic-rotation point: a quarter of the limit, so that the seals every
 * process makes between two reports (one second's worth each) cannot carry a key
 * anywhere near 2^32 before its successor takes over. */
export const DEFAULT_MAX_SEALS = 2 ** 30;

export interface SealBudget {
  /** Rotate a tenant's primary data key once it has sealed this many values. */
  maxSeals: number;
  /** After an automatic rotation (audit it). */
  onRotated?: (r: { tenant: string; from: number; to: number; seals: number }) => Promise<unknown> | undefined;
}

/** What `/metrics` shows of the seal budget (compose/metrics.ts). */
export interface SealStats {
  /** Values this process has sealed since it started. */
  sealed: number;
  /** Automatic rotations this process made. */
  rotations: number;
  /** The largest stored total of any primary key at the last report, over the budget. */
  highestShare: number;
}

const TABLE = 'decision_traces';
/** `payload`: the three fields sealed as one (migrations/0015); the others: rows before it. */
export type TraceColumn = 'payload' | 'input' | 'output' | 'decision_rationale';

/**
 * Field encryption of decision traces: the keyring lives in memory, its wrapped keys
 * in `encryption_keys`. A tenant's first trace creates its data key; `rotate` makes a
 * new primary (old rows stay readable); `erase` crypto-shreds the tenant.
 */
export class TraceCrypto implements TraceSealer {
  /** `tenant \0 version` → seals not yet added to the stored count. */
  readonly #unreported = new Map<string, number>();
  /** One report at a time, so two cannot both rotate the same key. */
  #reporting: Promise<void> = Promise.resolve();
  readonly stats: SealStats = { sealed: 0, rotations: 0, highestShare: 0 };

  private constructor(
    private keyring: Keyring,
    private readonly master: Buffer,
    private readonly keys: DataKeyRepository,
    private readonly budget: SealBudget,
  ) {}

  static async load(master: Buffer, keys: DataKeyRepository, budget: SealBudget = { maxSeals: DEFAULT_MAX_SEALS }): Promise<TraceCrypto> {
    if (!Number.isSafeInteger(budget.maxSeals) || budget.maxSeals < 1 || budget.maxSeals > GCM_RANDOM_IV_LIMIT / 2) {
      throw new Error(`the data-key seal limit must be an integer in 1..${GCM_RANDOM_IV_LIMIT / 2} (half the GCM random-IV limit), got ${budget.maxSeals}`);
    }
    return new TraceCrypto(Keyring.fromRecords(master, await keys.dataKeys()), master, keys, budget);
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
    const keyVersion = this.keyring.primaryVersion(tenant) as number;
    const slot = `${tenant}\0${keyVersion}`;
    this.#unreported.set(slot, (this.#unreported.get(slot) ?? 0) + 1);
    this.stats.sealed++;
    return { sealed, keyVersion };
  }

  /**
   * Adds this process's seals since the last report to the stored per-key totals and
   * rotates every primary key whose total reached the budget. Called every second by
   * the server (compose/server.ts) and at shutdown; off the ingest path, which only
   * counts in memory. A failed report keeps its counts for the next one.
   */
  reportSeals(): Promise<void> {
    const run = this.#reporting.then(() => this.#report());
    this.#reporting = run.catch(() => {});
    return run;
  }

  async #report() {
    if (!this.#unreported.size) return;
    const counts: SealCount[] = [...this.#unreported].map(([slot, seals]) => {
      const [tenant_id, version] = slot.split('\0');
      return { tenant_id: tenant_id as string, version: Number(version), seals };
    });
    this.#unreported.clear();
    let totals: SealCount[];
    try {
      totals = await this.keys.addSeals(counts);
    } catch (e) {
      for (const c of counts) {
        const slot = `${c.tenant_id}\0${c.version}`;
        this.#unreported.set(slot, (this.#unreported.get(slot) ?? 0) + c.seals);
      }
      throw e;
    }
    let highest = 0;
    for (const t of totals) {
      if (this.keyring.primaryVersion(t.tenant_id) === t.version) highest = Math.max(highest, t.seals / this.budget.maxSeals);
    }
    this.stats.highestShare = highest;
    for (const t of totals) {
      if (t.seals < this.budget.maxSeals || this.keyring.primaryVersion(t.tenant_id) !== t.version) continue;
      // Another process may have rotated already: only rotate a key still primary in storage.
      await this.reload();
      if (this.keyring.primaryVersion(t.tenant_id) !== t.version) continue;
      const to = await this.rotate(t.tenant_id);
      this.stats.rotations++;
      await this.budget.onRotated?.({ tenant: t.tenant_id, from: t.version, to, seals: t.seals });
    }
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

import type { SqlClient } from './sql-client.ts';
import { scoped } from './scoped.ts';

export interface DataKeyRow {
  tenant_id: string;
  version: number;
  wrapped_key: Uint8Array;
  primary: boolean;
  destroyed_at?: Date | null;
  /** Values this key has sealed, summed over every process (migrations/0020). */
  seals?: number;
}

/** Seals one process made with one key since it last reported them. */
export interface SealCount {
  tenant_id: string;
  version: number;
  seals: number;
}

/** The tenants' wrapped data keys (`encryption_keys`, envelope encryption); never the
 * plain keys, which live only in the keyring's memory (crypto/trace-crypto.ts). */
export class DataKeyRepository {
  constructor(private readonly db: SqlClient) {}

  /** Every tenant's key versions, oldest first. */
  async dataKeys(): Promise<DataKeyRow[]> {
    return scoped(this.db, '*', async (db) => {
      const { rows } = await db.query<{
        tenant_id: string;
        version: number;
        wrapped_key: Uint8Array;
        is_primary: boolean;
        destroyed_at: Date | null;
        seals: string | number;
      }>('SELECT tenant_id, version, wrapped_key, is_primary, destroyed_at, seals FROM encryption_keys ORDER BY tenant_id, version');
      return rows.map((r) => ({
        tenant_id: r.tenant_id,
        version: Number(r.version),
        wrapped_key: new Uint8Array(r.wrapped_key),
        primary: r.is_primary,
        destroyed_at: r.destroyed_at ? new Date(r.destroyed_at) : null,
        seals: Number(r.seals),
      }));
    });
  }

  /** Inserts new key rows (a racing process's same version loses quietly) and applies
   * primary/destroyed changes to existing ones. */
  async putDataKeys(rows: readonly DataKeyRow[]) {
    await scoped(this.db, '*', async (tx) => {
      for (const r of rows) {
        await tx.query(
          `INSERT INTO encryption_keys (tenant_id, version, wrapped_key, is_primary, destroyed_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tenant_id, version) DO UPDATE SET
             is_primary = excluded.is_primary,
             destroyed_at = coalesce(encryption_keys.destroyed_at, excluded.destroyed_at),
             wrapped_key = CASE WHEN excluded.destroyed_at IS NOT NULL THEN excluded.wrapped_key ELSE encryption_keys.wrapped_key END`,
          [r.tenant_id, r.version, Buffer.from(r.wrapped_key), r.primary, r.destroyed_at ?? null],
        );
      }
    });
  }

  /** Adds each process's new seals to the keys' totals (one statement) and returns the
   * totals after the addition. bigint: 2^63 seals cannot be reached. */
  async addSeals(counts: readonly SealCount[]): Promise<SealCount[]> {
    if (!counts.length) return [];
    return scoped(this.db, '*', async (db) => {
      const { rows } = await db.query<{ tenant_id: string; version: number; seals: string | number }>(
        `UPDATE encryption_keys k SET seals = k.seals + c.n
           FROM unnest($1::text[], $2::int[], $3::bigint[]) AS c(tenant_id, version, n)
          WHERE k.tenant_id = c.tenant_id AND k.version = c.version
        RETURNING k.tenant_id, k.version, k.seals`,
        [counts.map((c) => c.tenant_id), counts.map((c) => c.version), counts.map((c) => String(c.seals))],
      );
      return rows.map((r) => ({ tenant_id: r.tenant_id, version: Number(r.version), seals: Number(r.seals) }));
    });
  }
}

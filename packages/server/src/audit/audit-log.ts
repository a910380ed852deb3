import { hash } from 'node:crypto';
import type { ModelEvent } from '@frostbyte/contracts';
import { compareSeq, seqToBigint } from '../kernel/seq.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { toEvent } from '../storage/event-columns.ts';
import { asOwner, scoped } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { iso } from '../storage/sql-values.ts';
import { type AuditEntry, appendEntry, type ChainHead, hashEntry, type JsonObject } from './audit-chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { formatVerifierKey, type SigningKey, signCheckpoint, verifierKeyOf, verifyCheckpoint } from './checkpoint.ts';
import { inclusionProofFromLeafHashes, leafHash, merkleRoot, merkleRootOfLeafHashes, verifyInclusion } from './merkle.ts';
import { ChainVerifier, type VerifyChainResult } from './verify.ts';

/** What `verifyEvents` found for one tenant. */
export interface EventsCheck {
  /** Batches whose root was recomputed from the stored events. */
  batches: number;
  /** Events rehashed. */
  events: number;
  /** Events of a stored batch that retention removed (their batch is not compared). */
  missing: number;
  firstBad?: { seq: number; reason: string; detail: string };
}

/** The chain of actions that belong to no tenant (users, logins, retention runs). */
export const SYSTEM_TENANT = '_system';
const PAGE = 1000;
/** Batches per transaction when rehashing stored events (each up to a writer batch of events). */
const BATCH_PAGE = 50;

export interface AuditRecord {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** null / undefined: the '_system' chain. */
  tenant?: string | null;
}

export interface AuditQuery {
  tenant_id?: string;
  action?: string;
  actor?: string;
  from?: string;
  to?: string;
  /** Keyset cursor `<tenant>:<seq>` from the previous page (newest first). */
  cursor?: string;
  limit: number;
}

export interface TenantVerifyResult {
  tenant_id: string;
  result: VerifyChainResult;
}

/** The leaf format new batches are written with; `audit_batches.leaf_version` says
 * which one each stored batch used (1 before migrations/0028). */
export const LEAF_VERSION = 2;
export type LeafVersion = 1 | 2;

/**
 * The leaf of one event in its batch's Merkle tree: SHA-256 over a fixed-order JSON
 * array of the event's stored identity, outcome and usage (metadata and error in
 * canonical JSON). Only values that round-trip through PostgreSQL exactly are hashed,
 * so the leaf recomputed from the row read back equals the one computed at write time:
 * v2 adds the token parts and `cost_usd` (pricing rounds to k / 1e9, whose shortest
 * text numeric(18, 9) holds exactly: test/property/cost-roundtrip.test.ts); the float4
 * `confidence_score` is still left out.
 * Written by hand rather than through canonicalJson of an object: this runs for every
 * ingested event (≈ 4 µs instead of ≈ 35 µs).
 */
export function eventLeaf(e: ModelEvent, version: LeafVersion = LEAF_VERSION): Buffer {
  return hash('sha256', eventLeafText(e, version), 'buffer');
}

/** The exact text whose SHA-256 is an event's leaf (the audit bundle carries it). */
export function eventLeafText(e: ModelEvent, version: LeafVersion = LEAF_VERSION): string {
  const common = [
    e.id,
    e.seq,
    e.tenant_id,
    e.invocation_id,
    e.pipeline_run_id,
    e.timestamp,
    e.emitted_at,
    e.received_at,
    e.document_id,
    e.stage,
    e.model_name,
    e.model_version,
    e.operation,
    e.status,
    e.duration_ms,
    e.input_tokens,
    e.output_tokens,
    e.has_trace,
  ];
  const fixed = JSON.stringify(
    version === 1
      ? ['fmo/event-leaf/v1', ...common]
      : ['fmo/event-leaf/v2', ...common, e.cached_input_tokens ?? null, e.cache_write_tokens ?? null, e.reasoning_tokens ?? null, e.cost_usd ?? null],
  );
  const meta = e.metadata && Object.keys(e.metadata).length ? canonicalJson(e.metadata) : '{}';
  return `${fixed.slice(0, -1)},${meta},${e.error ? canonicalJson(e.error) : 'null'}]`;
}

/** A stored row as the verifier wants it: seq a number, ts the ISO text that was hashed. */
export function rowToEntry(r: Record<string, unknown>): AuditEntry {
  return {
    tenant_id: r.tenant_id as string,
    seq: Number(r.seq),
    ts: iso(r.ts),
    actor: r.actor as string,
    action: r.action as string,
    target: r.target as string,
    details: (r.details as JsonObject) ?? {},
    ...(r.batch_root == null ? {} : { batch_root: r.batch_root as string }),
    prev_hash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/** JSON-safe details: what is stored forever must hash the same when read back. */
function jsonDetails(d: Record<string, unknown> | undefined): JsonObject {
  return d ? (JSON.parse(JSON.stringify(d)) as JsonObject) : {};
}

/**
 * The signed append-only audit log over `audit_log` / `audit_checkpoints`
 * (migrations/0005). Appends are serialised per tenant by a transaction-scoped
 * advisory lock, because `appendEntry` is pure and cannot see a concurrent writer;
 * UNIQUE(tenant_id, seq) is the backstop. Every write runs as the application role,
 * which can INSERT here and nothing else.
 */
export class AuditLog {
  /** Tenants this process appended to since its last checkpoint pass. */
  private readonly dirty = new Set<string>();

  constructor(
    private readonly db: SqlClient,
    private readonly signer: SigningKey,
    readonly origin: string,
    private readonly opts: {
      /** Called when an unsigned tail does not verify (the composition root logs it as an error). */
      onTamper?: (tenant: string) => void;
    } = {},
  ) {}

  /** `<name>+<id>+<key>`: what a verifier needs, safe to publish. */
  get verifierKey(): string {
    return formatVerifierKey(verifierKeyOf(this.signer));
  }

  /** Appends one entry (admin actions; the registry's deploy/rollback/config changes). */
  record(r: AuditRecord): Promise<AuditEntry> {
    const tenant = r.tenant ?? SYSTEM_TENANT;
    return scoped(this.db, '*', (tx) =>
      this.append(tx, { tenant_id: tenant, actor: r.actor, action: r.action, target: r.target, details: jsonDetails(r.details) }),
    );
  }

  /**
   * Appends many entries in one transaction (the read audit's flush): tenants locked in
   * sorted order, one head lookup and one INSERT whatever the number of entries; each
   * tenant's entries are chained in the order given.
   */
  async recordMany(records: readonly AuditRecord[]): Promise<AuditEntry[]> {
    if (!records.length) return [];
    const byTenant = new Map<string, AuditRecord[]>();
    for (const r of records) {
      const t = r.tenant ?? SYSTEM_TENANT;
      let l = byTenant.get(t);
      if (!l) byTenant.set(t, (l = []));
      l.push(r);
    }
    const tenants = [...byTenant.keys()].sort();
    return scoped(this.db, '*', async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('fmo.audit:' || t, 0)) FROM unnest($1::text[]) AS t", [tenants]);
      const heads = await this.heads(tx, tenants);
      const entries: AuditEntry[] = [];
      for (const t of tenants) {
        let head: ChainHead | null = heads.get(t) ?? null;
        for (const r of byTenant.get(t) as AuditRecord[]) {
          const e = appendEntry(head, {
            tenant_id: t,
            actor: r.actor,
            action: r.action,
            target: r.target,
            details: jsonDetails(r.details),
          });
          entries.push(e);
          head = { seq: e.seq, hash: e.hash };
        }
      }
      await this.insertEntries(tx, entries);
      return entries;
    });
  }

  /** Signs a checkpoint at the tenant's head now, if the head is past its newest one
   * (before an export, so that the bundle has no unattested tail). */
  async checkpointTenant(tenant: string): Promise<void> {
    await scoped(this.db, '*', async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('fmo.audit:' || $1, 0))", [tenant]);
      const head = (await this.heads(tx, [tenant])).get(tenant);
      if (!head) return;
      const { rows } = await tx.query<{ size: string }>('SELECT max(size) AS size FROM audit_checkpoints WHERE tenant_id = $1', [tenant]);
      if (head.seq > Number(rows[0]?.size ?? 0)) await this.writeCheckpoint(tx, tenant, head);
    });
  }

  /** Per tenant, the size of its newest signed checkpoint (entries ≤ it are attested). */
  async checkpointSizes(scope: TenantScope, tenants: readonly string[]): Promise<Map<string, number>> {
    if (!tenants.length) return new Map();
    return scoped(this.db, scope, async (db) => {
      const { rows } = await db.query<{ t: string; size: string | null }>(
        `SELECT t, (SELECT max(size) FROM audit_checkpoints WHERE tenant_id = t) AS size FROM unnest($1::text[]) AS t`,
        [[...new Set(tenants)]],
      );
      return new Map(rows.map((r) => [r.t, Number(r.size ?? 0)]));
    });
  }

  /**
   * The digest of one written batch: per tenant, one `events.batch` entry whose
   * batch_root is the Merkle root over its events' leaves (in seq order), and the
   * event ids in leaf order for inclusion proofs. Runs inside the writer's
   * transaction, in four statements whatever the number of tenants (lock, heads,
   * entries, batches); tenants are locked in sorted order so two writers cannot
   * deadlock.
   */
  async appendBatch(tx: SqlClient, events: readonly ModelEvent[]): Promise<void> {
    const byTenant = new Map<string, ModelEvent[]>();
    for (const e of events) {
      let l = byTenant.get(e.tenant_id);
      if (!l) byTenant.set(e.tenant_id, (l = []));
      l.push(e);
    }
    const tenants = [...byTenant.keys()].sort();
    if (!tenants.length) return;
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('fmo.audit:' || t, 0)) FROM unnest($1::text[]) AS t", [tenants]);
    const heads = await this.heads(tx, tenants);
    const entries: AuditEntry[] = [];
    const batches: [string, number, string, string, string, string][] = [];
    for (const tenant of tenants) {
      // Bus order is seq order already; sort only if a replay mixed it up.
      let list = byTenant.get(tenant) as ModelEvent[];
      if (!list.every((e, i) => i === 0 || compareSeq((list[i - 1] as ModelEvent).seq, e.seq) < 0))
        list = [...list].sort((a, b) => compareSeq(a.seq, b.seq));
      const first = list[0] as ModelEvent;
      const last = list[list.length - 1] as ModelEvent;
      const entry = appendEntry(heads.get(tenant) ?? null, {
        tenant_id: tenant,
        actor: 'system:writer',
        action: 'events.batch',
        target: `events:${first.seq}..${last.seq}`,
        details: { count: list.length, first_event_id: first.id, last_event_id: last.id },
        batch_root: merkleRoot(list.map((e) => eventLeaf(e, LEAF_VERSION))),
      });
      entries.push(entry);
      let oldestMs = Number.POSITIVE_INFINITY;
      for (const e of list) oldestMs = Math.min(oldestMs, Date.parse(e.timestamp));
      const oldest = new Date(oldestMs).toISOString();
      batches.push([tenant, entry.seq, seqNumber(first.seq), seqNumber(last.seq), list.map((e) => e.id).join(','), oldest]);
    }
    await this.insertEntries(tx, entries);
    await tx.query(
      `INSERT INTO audit_batches (tenant_id, seq, first_event_seq, last_event_seq, event_ids, oldest_event_at, leaf_version)
       SELECT t, s, f, l, string_to_array(ids, ',')::uuid[], o, ${LEAF_VERSION}
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[]) AS u(t, s, f, l, ids, o)`,
      [0, 1, 2, 3, 4, 5].map((i) => batches.map((b) => b[i])),
    );
  }

  private async append(tx: SqlClient, fields: Parameters<typeof appendEntry>[1]): Promise<AuditEntry> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('fmo.audit:' || $1, 0))", [fields.tenant_id]);
    const e = appendEntry((await this.heads(tx, [fields.tenant_id])).get(fields.tenant_id) ?? null, fields);
    await this.insertEntries(tx, [e]);
    return e;
  }

  private async insertEntries(tx: SqlClient, entries: AuditEntry[]) {
    const col = <K extends keyof AuditEntry>(k: K) => entries.map((e) => e[k] ?? null);
    await tx.query(
      `INSERT INTO audit_log (tenant_id, seq, ts, actor, action, target, details, batch_root, prev_hash, hash)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::text[])`,
      [
        col('tenant_id'),
        col('seq'),
        col('ts'),
        col('actor'),
        col('action'),
        col('target'),
        entries.map((e) => JSON.stringify(e.details)),
        col('batch_root'),
        col('prev_hash'),
        col('hash'),
      ],
    );
    for (const e of entries) this.dirty.add(e.tenant_id);
  }

  /** Tenants whose chains grew elsewhere (the writer thread): signed at the next checkpoint. */
  markAppended(tenants: Iterable<string>) {
    for (const t of tenants) this.dirty.add(t);
  }

  /** Each tenant's newest entry: one index probe per tenant (PostgreSQL has no skip scan). */
  private async heads(db: SqlClient, tenants: string[]): Promise<Map<string, ChainHead>> {
    const { rows } = await db.query<{ t: string; seq: string; hash: string }>(
      `SELECT t, h.seq, h.hash FROM unnest($1::text[]) AS t
       JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE tenant_id = t ORDER BY seq DESC LIMIT 1) h ON true`,
      [tenants],
    );
    return new Map(rows.map((r) => [r.t, { seq: Number(r.seq), hash: r.hash }]));
  }

  /**
   * Signs a checkpoint for every tenant whose head moved since its last one: the
   * tenants this process appended to (cheap, every few seconds), or all of them
   * (`all`, at start-up and from the CLI).
   */
  async checkpointAll(all = false): Promise<number> {
    const tenants = all ? await this.tenants('*') : [...this.dirty];
    this.dirty.clear();
    if (!tenants.length) return 0;
    return scoped(this.db, '*', async (tx) => {
      const heads = await this.heads(tx, tenants);
      const { rows } = await tx.query<{ t: string; size: string | null; note: string | null }>(
        `SELECT t, c.size, c.note FROM unnest($1::text[]) AS t
         LEFT JOIN LATERAL (SELECT size, note FROM audit_checkpoints WHERE tenant_id = t ORDER BY size DESC LIMIT 1) c ON true`,
        [tenants],
      );
      let n = 0;
      for (const r of rows) {
        const head = heads.get(r.t);
        if (!head || head.seq <= Number(r.size ?? 0)) continue;
        // Rows this process did not write itself are rehashed before being signed, so
        // a start-up (or CLI) checkpoint never launders a tail edited while we were down.
        if (all && !(await this.tailIntact(tx, r.t, r.note))) {
          this.opts.onTamper?.(r.t);
          continue;
        }
        await this.writeCheckpoint(tx, r.t, head);
        n++;
      }
      return n;
    });
  }

  /** The entries after the newest checkpoint hash and link correctly from it. */
  private async tailIntact(tx: SqlClient, tenant: string, note: string | null): Promise<boolean> {
    let epoch: ChainHead | undefined;
    if (note) {
      try {
        const cp = verifyCheckpoint(this.verifierKey, note);
        epoch = { seq: cp.size, hash: cp.hash };
      } catch {
        return false;
      }
    }
    const v = new ChainVerifier({
      checkpoints: note ? [note] : [],
      publicKey: this.verifierKey,
      tenant,
      origin: this.origin,
      ...(epoch ? { epoch } : {}),
    });
    const { rows } = await tx.query('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq', [tenant, epoch?.seq ?? 0]);
    for (const row of rows) if (!v.push(rowToEntry(row))) break;
    return v.finish().ok;
  }

  /** Signs and stores a checkpoint at `head`, optionally carrying a pruning epoch. */
  async writeCheckpoint(tx: SqlClient, tenant: string, head: ChainHead, epoch?: ChainHead): Promise<string> {
    const note = signCheckpoint(this.signer, { origin: this.origin, tenant, size: head.seq, hash: head.hash, ...(epoch ? { epoch } : {}) });
    // One checkpoint per size: a racing process signed the same head already. An
    // epoch checkpoint is always at a fresh head (retention appends its own entry
    // first), so it never loses this race to a plain one.
    await tx.query('INSERT INTO audit_checkpoints (tenant_id, size, note) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      tenant,
      head.seq,
      note,
    ]);
    return note;
  }

  /** Entries visible to `scope`, newest first, keyset-paginated. */
  async list(scope: TenantScope, q: AuditQuery): Promise<{ entries: AuditEntry[]; next_cursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope !== '*') add('tenant_id = ANY(?::text[])', [...scope]);
    if (q.tenant_id) add('tenant_id = ?', q.tenant_id);
    if (q.action) add('action = ?', q.action);
    if (q.actor) add('actor = ?', q.actor);
    if (q.from) add('ts >= ?', q.from);
    if (q.to) add('ts < ?', q.to);
    if (q.cursor) {
      const m = /^(.+):(\d{1,16})$/.exec(q.cursor);
      if (!m) throw Object.assign(new Error('cursor is not valid: pass next_cursor from the previous page unchanged'), { statusCode: 400 });
      params.push(m[2], m[1]);
      // Newest first across tenants: by ts, then tenant and seq as tie-breakers.
      where.push(
        `(ts, tenant_id, seq) < ((SELECT ts FROM audit_log WHERE tenant_id = $${params.length} AND seq = $${params.length - 1}), $${params.length}, $${params.length - 1})`,
      );
    }
    params.push(q.limit + 1);
    const rows = await scoped(
      this.db,
      scope,
      async (db) =>
        (
          await db.query(
            `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, tenant_id DESC, seq DESC LIMIT $${params.length}`,
            params,
          )
        ).rows,
    );
    const entries = rows.slice(0, q.limit).map(rowToEntry);
    const last = entries[entries.length - 1];
    return { entries, next_cursor: rows.length > q.limit && last ? `${last.tenant_id}:${last.seq}` : null };
  }

  /** Tenants that have an audit chain, within scope. */
  async tenants(scope: TenantScope): Promise<string[]> {
    return scoped(this.db, scope, async (db) => {
      const { rows } = await db.query<{ tenant_id: string }>(
        `SELECT tenant_id FROM (SELECT DISTINCT tenant_id FROM audit_log UNION SELECT DISTINCT tenant_id FROM audit_checkpoints) t ORDER BY 1`,
      );
      return rows.map((r) => r.tenant_id).filter((t) => scope === '*' || scope.includes(t));
    });
  }

  async checkpoints(scope: TenantScope, tenant: string): Promise<string[]> {
    return scoped(this.db, scope, async (db) => {
      const { rows } = await db.query<{ note: string }>('SELECT note FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY size', [tenant]);
      return rows.map((r) => r.note);
    });
  }

  /**
   * Rehashes every stored entry of each tenant (content, links, seq), checks every
   * checkpoint signature against this server's key, and names the first bad entry.
   * Streams the rows page by page, so memory does not grow with the log.
   */
  async verify(scope: TenantScope, tenant?: string, publicKey: string = this.verifierKey): Promise<TenantVerifyResult[]> {
    const tenants = tenant ? [tenant] : await this.tenants(scope);
    const out: TenantVerifyResult[] = [];
    for (const t of tenants) {
      const checkpoints = await this.checkpoints(scope, t);
      const v = new ChainVerifier({ checkpoints, publicKey, tenant: t, origin: this.origin });
      let after = -1;
      for (;;) {
        const rows = await scoped(
          this.db,
          scope,
          async (db) =>
            (await db.query('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [t, after, PAGE])).rows,
        );
        let go = true;
        for (const r of rows) if (!(go = v.push(rowToEntry(r)))) break;
        if (!go || rows.length < PAGE) break;
        after = Number(rows[rows.length - 1]?.seq);
      }
      out.push({ tenant_id: t, result: v.finish() });
    }
    return out;
  }

  /**
   * The other half of verification: the events as stored now against the Merkle roots
   * the chain recorded when they were written. Per stored batch (`audit_batches`, kept
   * as long as the traces), every event's leaf is recomputed from its row and the root
   * compared with its `events.batch` entry's `batch_root`; the first batch that differs
   * is named (and the event, when the batch's leaf hashes were kept for a legal hold).
   * An event no longer stored fails too, unless a retention run's cutoff reaches past
   * its batch's oldest event (a late event's day dropped before the batch row): those
   * are counted.
   */
  async verifyEvents(scope: TenantScope, tenant: string): Promise<EventsCheck> {
    const check: EventsCheck = { batches: 0, events: 0, missing: 0 };
    // What retention may have removed: events before the latest cutoff any run applied
    // (its `retention.run` entry, in the system chain; read as the owner, it is one date).
    const cutoff = await asOwner(this.db, async (db) => {
      const { rows } = await db.query<{ c: Date | string | null }>(
        `SELECT max((details->>'trace_cutoff')::timestamptz) AS c FROM audit_log WHERE tenant_id = $1 AND action = 'retention.run'`,
        [SYSTEM_TENANT],
      );
      return rows[0]?.c ? new Date(rows[0].c) : null;
    });
    let after = 0;
    for (;;) {
      const done = await scoped(this.db, scope, async (db) => {
        const { rows } = await db.query<{
          seq: string;
          event_ids: string[];
          leaf_hashes: string[] | null;
          batch_root: string | null;
          oldest_event_at: Date | string | null;
          leaf_version: LeafVersion;
        }>(
          `SELECT b.seq, b.event_ids, b.leaf_hashes, b.oldest_event_at, b.leaf_version, l.batch_root FROM audit_batches b
             JOIN audit_log l ON l.tenant_id = b.tenant_id AND l.seq = b.seq
            WHERE b.tenant_id = $1 AND b.seq > $2 ORDER BY b.seq LIMIT $3`,
          [tenant, after, BATCH_PAGE],
        );
        for (const b of rows) {
          after = Number(b.seq);
          const { ids, hashes, stored, pinned } = await this.batchLeafHashes(db, b);
          const gone = hashes.filter((h) => h === undefined).length;
          check.events += stored; // rehashed; a held batch's dropped ones come from its kept hashes
          if (gone) {
            // No root to compare without every leaf. Missing is fine when retention could
            // have removed them (the batch reaches back before its cutoff), else a deletion.
            const oldest = b.oldest_event_at === null ? null : new Date(b.oldest_event_at);
            if (oldest === null || (cutoff !== null && oldest < cutoff)) {
              check.missing += gone;
              continue;
            }
            const deleted = ids.filter((_, i) => hashes[i] === undefined);
            check.firstBad = {
              seq: after,
              reason: 'events',
              detail:
                `${gone} of the ${ids.length} events of events.batch seq ${after} were deleted (${deleted.slice(0, 3).join(', ')}${gone > 3 ? ', …' : ''}): ` +
                `its oldest event is from ${oldest.toISOString()}, ${cutoff ? `after the last retention cutoff ${cutoff.toISOString()}` : 'and no retention has run'}`,
            };
            return true;
          }
          check.batches++;
          if (merkleRootOfLeafHashes(hashes as string[]) === b.batch_root) continue;
          const changed = pinned ? ids.filter((_id, i) => hashes[i] !== pinned[i]) : [];
          check.firstBad = {
            seq: after,
            reason: 'events',
            detail: changed.length
              ? `event ${changed.join(', ')} of events.batch seq ${after} was changed after it was written (its leaf no longer matches)`
              : `the ${ids.length} events of events.batch seq ${after} no longer hash to its Merkle root: one of them was changed after it was written (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`,
          };
          return true;
        }
        return rows.length < BATCH_PAGE;
      });
      if (done) return check;
    }
  }

  /** Everything needed to verify offline: entries, checkpoints and the public key. */
  async export(scope: TenantScope, tenant?: string) {
    const tenants = tenant ? [tenant] : await this.tenants(scope);
    const chains = [];
    for (const t of tenants) {
      const entries = await scoped(this.db, scope, async (db) =>
        (await db.query('SELECT * FROM audit_log WHERE tenant_id = $1 ORDER BY seq', [t])).rows.map(rowToEntry),
      );
      chains.push({ tenant_id: t, entries, checkpoints: await this.checkpoints(scope, t) });
    }
    return { origin: this.origin, verifier_key: this.verifierKey, exported_at: new Date().toISOString(), chains };
  }

  /**
   * Inclusion proof of one event in its batch: the batch's stored leaf order, the
   * event's leaf recomputed from the row as stored now, and the audit entry holding
   * the root. `verified` is true only if the event is unchanged, the path leads to
   * the entry's batch_root, and the entry's own content hashes to its hash.
   */
  async proof(scope: TenantScope, event: ModelEvent) {
    const seq = seqNumber(event.seq);
    return scoped(this.db, scope, async (db) => {
      const b = (
        await db.query<{ seq: string; event_ids: string[]; leaf_hashes: string[] | null; leaf_version: LeafVersion }>(
          `SELECT seq, event_ids, leaf_hashes, leaf_version FROM audit_batches WHERE tenant_id = $1 AND first_event_seq <= $2 AND last_event_seq >= $2
             AND $3::uuid = ANY(event_ids) LIMIT 1`,
          [event.tenant_id, seq, event.id],
        )
      ).rows[0];
      if (!b) return null;
      const row = (await db.query('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq = $2', [event.tenant_id, b.seq])).rows[0];
      if (!row) return null;
      const entry = rowToEntry(row);
      const { ids, hashes } = await this.batchLeafHashes(db, b);
      const index = ids.indexOf(event.id);
      const mine = eventLeaf(event, b.leaf_version);
      const complete = hashes.every((h) => h !== undefined);
      const proof = complete ? inclusionProofFromLeafHashes(hashes as string[], index) : [];
      const verified =
        complete &&
        hashEntry(entry) === entry.hash &&
        typeof entry.batch_root === 'string' &&
        verifyInclusion(leafHash(mine), index, ids.length, proof, entry.batch_root);
      return {
        verified,
        entry: {
          tenant_id: entry.tenant_id,
          seq: entry.seq,
          ts: entry.ts,
          hash: entry.hash,
          prev_hash: entry.prev_hash,
          batch_root: entry.batch_root ?? null,
        },
        leaf_hash: leafHash(mine),
        leaf_index: index,
        tree_size: ids.length,
        proof,
      };
    });
  }

  /**
   * Stores the leaf hashes of every batch that holds a held document's event and has
   * none yet, while all its events are still there (retention calls this before it
   * drops the others). Owner transaction. Returns how many batches were pinned; a
   * batch already missing events (held after part of it was dropped) cannot be.
   */
  async pinHeldBatches(tx: SqlClient, held: readonly { tenant_id: string; document_id: string }[]): Promise<number> {
    if (!held.length) return 0;
    const { rows } = await tx.query<{ tenant_id: string; seq: string; event_ids: string[]; leaf_version: LeafVersion }>(
      `SELECT DISTINCT b.tenant_id, b.seq, b.event_ids, b.leaf_version FROM model_events e
         JOIN unnest($1::text[], $2::text[]) AS h(tenant_id, document_id) ON h.tenant_id = e.tenant_id AND h.document_id = e.document_id
         JOIN audit_batches b ON b.tenant_id = e.tenant_id AND b.first_event_seq <= e.seq AND b.last_event_seq >= e.seq AND e.id = ANY(b.event_ids)
        WHERE b.leaf_hashes IS NULL`,
      [held.map((h) => h.tenant_id), held.map((h) => h.document_id)],
    );
    let pinned = 0;
    for (const b of rows) {
      const { hashes } = await this.batchLeafHashes(tx, { ...b, leaf_hashes: null });
      if (!hashes.every((h) => h !== undefined)) continue;
      await tx.query('UPDATE audit_batches SET leaf_hashes = $3 WHERE tenant_id = $1 AND seq = $2', [b.tenant_id, b.seq, hashes]);
      pinned++;
    }
    return pinned;
  }

  /**
   * A batch's leaf hashes in leaf order, each recomputed from its event's row as stored
   * now; for a row no longer stored, the hash kept for a legal hold (`leaf_hashes`),
   * else undefined. The one place proofs, `verifyEvents` and pinning get leaves from.
   */
  private async batchLeafHashes(
    db: SqlClient,
    b: { event_ids: string[]; leaf_hashes: string[] | null; leaf_version: LeafVersion },
  ): Promise<{ ids: string[]; hashes: (string | undefined)[]; stored: number; pinned: string[] | null }> {
    const ids = b.event_ids.map(String);
    const { rows } = await db.query(`SELECT * FROM model_events WHERE id = ANY($1::uuid[])`, [ids]);
    const leaves = new Map(rows.map((r) => [r.id as string, leafHash(eventLeaf(toEvent(r), b.leaf_version))]));
    const pinned = b.leaf_hashes?.length === ids.length ? b.leaf_hashes : null;
    return { ids, hashes: ids.map((id, i) => leaves.get(id) ?? pinned?.[i]), stored: leaves.size, pinned };
  }
}

/** Bus positions '<ms>-<n>' as the bigint stored in model_events.seq. */
const seqNumber = (seq: string): string => seqToBigint(seq).toString();

import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { Authenticator } from '../access/auth.ts';
import { IdentityRepository } from '../access/identity.ts';
import { AdminService } from '../admin/admin-service.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { loadAuditSigner } from '../audit/signer.ts';
import type { Config } from '../config.ts';
import { loadOrCreateMasterKey } from '../crypto/master-key.ts';
import { TraceCrypto } from '../crypto/trace-crypto.ts';
import { Retention } from '../retention/retention.ts';
import { DataKeyRepository } from '../storage/data-keys.ts';
import { EventStats } from '../storage/event-stats.ts';
import { openDatabase } from '../storage/open-database.ts';
import { scopedRunner } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import { SqlStorage } from '../storage/sql-storage.ts';

export interface ComposeOptions {
  config: Config;
  log: FastifyBaseLogger;
  /** FMO_MASTER_KEY is read from here (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** PGlite in memory instead of under the data dir (tests). */
  inMemory?: boolean;
  maxConnections?: number;
}

/** The database, the audit log and the event store, linked so that a batch and its
 * audit digest commit in one transaction. What even the writer thread needs. */
export async function composeStore(o: ComposeOptions, afterInsert?: (tenants: Set<string>) => void) {
  const { config, log } = o;
  const db = await openDatabase(config, { inMemory: o.inMemory, maxConnections: o.maxConnections });
  const signer = await loadAuditSigner(config);
  if (signer.created) log.warn({ file: signer.file }, 'created a new audit signing key: back it up; checkpoints verify only with it');
  const audit = new AuditLog(db, signer.key, config.auditOrigin, {
    onTamper: (tenant) =>
      log.error({ tenant }, 'audit: the unsigned tail of this chain does not verify; not signing it — run `frostbyte audit verify`'),
  });
  const storage = new SqlStorage(db, {
    afterInsert: async (tx, events) => {
      await audit.appendBatch(tx, events);
      afterInsert?.(new Set(events.map((e) => e.tenant_id)));
    },
  });
  return { db, audit, storage };
}

/** Every repository over the one client, field encryption and retention. */
export async function composeCore(o: ComposeOptions) {
  const { config, log } = o;
  const store = await composeStore(o);
  const { db, audit } = store;
  const keys = new DataKeyRepository(db);
  const masterFile = path.join(config.dataDir, 'master.key');
  const master = await loadOrCreateMasterKey({ env: (o.env ?? process.env).FMO_MASTER_KEY, file: masterFile });
  if (master.created) log.warn({ file: masterFile }, 'created a new master key: back it up; without it no trace can be read');
  return {
    ...store,
    keys,
    stats: new EventStats(scopedRunner(db)),
    identity: new IdentityRepository(db),
    retention: new Retention(db, audit, { traceDays: config.traceRetentionDays, auditDays: config.auditRetentionDays }),
    crypto: await TraceCrypto.load(master.key, keys, {
      maxSeals: config.dataKeyMaxSeals,
      onRotated: async ({ tenant, from, to, seals }) => {
        log.warn({ tenant, from, to, seals }, 'data key reached FMO_DATA_KEY_MAX_SEALS: rotated');
        await audit.record({
          tenant,
          actor: 'system:seal-budget',
          action: 'key.rotate',
          target: `data_key:${tenant}`,
          details: { version: to, previous: from, reason: 'seal_limit', seals, max_seals: config.dataKeyMaxSeals },
        });
      },
    }),
  };
}

/** The core plus authentication and the administration service: what the CLI acts
 * through when no server is running, and what the server's admin routes call. */
export async function composeAdmin(o: ComposeOptions & { adminTokens: (string | null)[] }) {
  const core = await composeCore(o);
  const auth = await Authenticator.create({
    identity: core.identity,
    jwtSecret: o.config.jwtSecret,
    dataDir: o.config.dataDir,
    adminTokens: o.adminTokens,
    ttlS: o.config.tokenTtlS,
  });
  const admin = new AdminService({ identity: core.identity, auth, audit: core.audit, crypto: core.crypto, retention: core.retention });
  return { ...core, auth, admin };
}

export type AdminServices = Awaited<ReturnType<typeof composeAdmin>>;
export type { SqlClient };

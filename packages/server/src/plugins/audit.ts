import path from 'node:path';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { DEFAULT_KEY_NAME, loadOrCreateSigningKey, signingKeyFromSeed } from '../audit/checkpoint.ts';
import { Retention } from '../retention/retention.ts';
import { SqlStorage } from '../storage/sql-storage.ts';

/** The checkpoint signing key: FMO_AUDIT_SIGNING_KEY (a 32-byte seed, hex or base64) or
 * a 0600 PEM file `audit-signing.key` in the data dir. */
export async function loadAuditSigner(config: Pick<Config, 'auditSigningKey' | 'dataDir'>) {
  if (config.auditSigningKey) {
    const raw = config.auditSigningKey.trim();
    const seed = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    return { key: signingKeyFromSeed(DEFAULT_KEY_NAME, seed), created: false, file: null };
  }
  const file = path.join(config.dataDir, 'audit-signing.key');
  return { ...(await loadOrCreateSigningKey(file)), file };
}

/**
 * The signed audit log and retention. Attaches the per-batch digest to the writer's
 * transaction (storage.onBatchInserted), signs checkpoints every
 * `auditCheckpointMs`, and runs retention on its schedule. `app.audit.record(…)` is
 * how other features (registry: deploy, rollback, config) append their actions.
 */
export const auditPlugin = fp(
  async (app) => {
    if (!(app.storage instanceof SqlStorage)) throw new Error('the audit log needs the SQL storage');
    const storage = app.storage;
    const signer = await loadAuditSigner(app.config);
    if (signer.created) app.log.warn({ file: signer.file }, 'created a new audit signing key: back it up; checkpoints verify only with it');
    const audit = new AuditLog(storage, signer.key, app.config.auditOrigin);
    const retention = new Retention(storage, audit, { traceDays: app.config.traceRetentionDays, auditDays: app.config.auditRetentionDays });
    storage.onBatchInserted = (tx, events) => audit.appendBatch(tx, events);
    audit.onTamper = (tenant) =>
      app.log.error({ tenant }, 'audit: the unsigned tail of this chain does not verify; not signing it — run `frostbyte audit verify`');
    app.decorate('audit', audit);
    app.decorate('retention', retention);

    const timers: NodeJS.Timeout[] = [];
    app.addHook('onReady', async () => {
      // Whatever an earlier process appended and did not sign (a crash) gets signed now.
      void audit.checkpointAll(true).catch((err) => app.log.error({ err }, 'audit: start-up checkpoint failed'));
      if (app.config.auditCheckpointMs > 0) {
        const t = setInterval(
          () => void audit.checkpointAll().catch((err) => app.log.error({ err }, 'audit: checkpoint failed')),
          app.config.auditCheckpointMs,
        );
        t.unref();
        timers.push(t);
      }
      if (app.config.retentionEveryMs > 0) {
        const t = setInterval(
          () =>
            void retention.run().then(
              (r) => app.log.info({ dropped_days: r.dropped_days, audit_pruned: r.audit_pruned }, 'retention ran'),
              (err) => app.log.error({ err }, 'retention failed'),
            ),
          app.config.retentionEveryMs,
        );
        t.unref();
        timers.push(t);
      }
    });
    app.addHook('onClose', async () => {
      for (const t of timers) clearInterval(t);
      storage.onBatchInserted = null;
      // A last checkpoint so a clean shutdown leaves nothing unattested.
      await audit.checkpointAll().catch((err) => app.log.error({ err }, 'audit: final checkpoint failed'));
    });
  },
  { name: 'audit', dependencies: ['db'] },
);

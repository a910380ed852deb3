import path from 'node:path';
import type { Config } from '../config.ts';
import { DEFAULT_KEY_NAME, loadOrCreateSigningKey, signingKeyFromSeed } from './checkpoint.ts';

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

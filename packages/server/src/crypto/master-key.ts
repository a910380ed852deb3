import { randomBytes } from 'node:crypto';
import { KEY_BYTES, KeyringError } from './envelope.ts';
import { readOrCreateSecretFile } from './secret-file.ts';

export interface MasterKey {
  key: Buffer;
  source: 'env' | 'file';
  /** True when the file was created by this call: tell the operator to back it up. */
  created: boolean;
}

/**
 * `env` (FMO_MASTER_KEY: 32 bytes as 64 hex chars or base64) wins when set;
 * otherwise the key file is read, or created with mode 0600 (embedded mode).
 * An existing file readable by group/others is refused with a message saying why.
 * The file holds the key as base64 text; raw 32-byte and hex files are accepted too.
 */
export async function loadOrCreateMasterKey(opts: { env?: string | undefined; file: string }): Promise<MasterKey> {
  if (opts.env !== undefined && opts.env.trim() !== '') {
    return { key: decodeKey(opts.env, 'FMO_MASTER_KEY'), source: 'env', created: false };
  }
  const { data, created } = await readOrCreateSecretFile(opts.file, () =>
    Buffer.from(`${randomBytes(KEY_BYTES).toString('base64')}\n`, 'utf8'),
  );
  const key = data.length === KEY_BYTES ? Buffer.from(data) : decodeKey(data.toString('utf8'), `master key file ${opts.file}`);
  return { key, source: 'file', created };
}

function decodeKey(text: string, what: string): Buffer {
  const s = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(s)) key = Buffer.from(s, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) key = Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new KeyringError(
      `${what} must be ${KEY_BYTES} bytes written as 64 hex characters or base64 ` +
        '(e.g. `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"`)',
    );
  }
  return key;
}

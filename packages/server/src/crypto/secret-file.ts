import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Key files for embedded mode (master key, audit signing key).
 *
 * Invariants:
 * - A file we create is 0600 from its first byte: it is written under a temporary
 *   name opened with mode 0600 and then hard-linked into place, so no other process
 *   ever sees a half-written key, and two processes starting at once agree on one key
 *   (`link` fails with EEXIST for the loser, which then reads the winner's file).
 * - An existing file that group or others can read is refused, never "fixed": if it
 *   was readable, the key may already have leaked and the operator must decide.
 *   The mode is checked on the open descriptor (fstat), not on the path, so the file
 *   checked is the file read.
 */

export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SecretFile {
  data: Buffer;
  /** True when this call created the file (the caller should say so: back it up). */
  created: boolean;
}

// POSIX permission bits are meaningless on Windows; there an ACL protects the file.
const CHECK_MODE = process.platform !== 'win32';

/** Read `path`, refusing a group/world-accessible file; create it with `make()` when absent. */
export async function readOrCreateSecretFile(path: string, make: () => Buffer): Promise<SecretFile> {
  const existing = await readSecretFile(path);
  if (existing) return { data: existing, created: false };

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    // The umask can only clear bits, but be explicit: the mode is the point.
    await fh.chmod(0o600);
    await fh.writeFile(make());
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process won the race; use its key.
    const theirs = await readSecretFile(path);
    if (!theirs) throw new SecretFileError(path, `key file ${path} vanished while being created`);
    return { data: theirs, created: false };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const data = await readSecretFile(path);
  if (!data) throw new SecretFileError(path, `key file ${path} vanished right after being created`);
  return { data, created: true };
}

/** The file's bytes, or undefined when it does not exist. Throws on unsafe modes. */
export async function readSecretFile(path: string): Promise<Buffer | undefined> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // Symlinks are followed (Kubernetes secret mounts are symlinks); the mode that
    // matters is the target's, and fstat below sees exactly that.
    fh = await open(path, constants.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SecretFileError(path, `key file ${path} is not a regular file`);
    if (CHECK_MODE && (st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretFileError(
        path,
        `refusing to use key file ${path}: mode ${mode} lets group/others access it. ` +
          `If no one else could have read it, run \`chmod 600 ${path}\`; otherwise treat the key as leaked and rotate it.`,
      );
    }
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

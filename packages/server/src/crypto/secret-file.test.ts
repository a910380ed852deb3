import { chmod, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOrCreateSecretFile, SecretFileError } from './secret-file.ts';

const posix = process.platform !== 'win32';

describe('readOrCreateSecretFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fmo-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a missing file with mode 0600, in a missing directory', async () => {
    const path = join(dir, 'nested', 'key');
    const first = await readOrCreateSecretFile(path, () => Buffer.from('secret-1'));
    expect(first).toEqual({ data: Buffer.from('secret-1'), created: true });
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    // No temporary file is left behind.
    expect(await readdir(join(dir, 'nested'))).toEqual(['key']);
  });

  it('reads an existing file and does not call make()', async () => {
    const path = join(dir, 'key');
    await writeFile(path, 'kept', { mode: 0o600 });
    const got = await readOrCreateSecretFile(path, () => {
      throw new Error('must not be called');
    });
    expect(got).toEqual({ data: Buffer.from('kept'), created: false });
  });

  it.runIf(posix).each([0o644, 0o640, 0o604, 0o660])('refuses an existing file with mode %o', async (mode) => {
    const path = join(dir, 'key');
    await writeFile(path, 'leaky');
    await chmod(path, mode);
    const err = await readOrCreateSecretFile(path, () => Buffer.from('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretFileError);
    expect((err as Error).message).toMatch(/chmod 600/);
    // Refused, not "fixed".
    expect((await stat(path)).mode & 0o777).toBe(mode);
  });

  it.runIf(posix)('checks the mode of a symlink target, not of the link', async () => {
    const target = join(dir, 'real');
    await writeFile(target, 'k');
    await chmod(target, 0o644);
    const link = join(dir, 'link');
    await symlink(target, link);
    await expect(readOrCreateSecretFile(link, () => Buffer.from('x'))).rejects.toThrow(SecretFileError);
    await chmod(target, 0o600);
    await expect(readOrCreateSecretFile(link, () => Buffer.from('x'))).resolves.toEqual({
      data: Buffer.from('k'),
      created: false,
    });
  });

  it('refuses a directory', async () => {
    const path = join(dir, 'adir');
    await readOrCreateSecretFile(join(path, 'x'), () => Buffer.from('x'));
    if (posix) await chmod(path, 0o600);
    await expect(readOrCreateSecretFile(path, () => Buffer.from('x'))).rejects.toThrow();
  });

  it('lets concurrent creators agree on one secret', async () => {
    const path = join(dir, 'key');
    let n = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => readOrCreateSecretFile(path, () => Buffer.from(`secret-${++n}`))),
    );
    const values = new Set(results.map((r) => r.data.toString()));
    expect(values.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['key']);
  });
});

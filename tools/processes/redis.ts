/** A private Redis (its own port and directory, no RDB snapshots). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, run, sleep } from './os.ts';

/** A throw-away Redis without persistence (like the CI one) on its own port. */
export class PrivateRedis {
  private constructor(
    readonly port: number,
    readonly dir: string,
    /** Append-only file fsynced on every write: what production should run (see docs/scale-out.md). */
    readonly aof: boolean,
  ) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(opts: { aof?: boolean } = {}): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-redis-')), opts.aof ?? false);
    await r.startServer();
    return r;
  }

  async startServer() {
    const persistence = this.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    // biome-ignore format: one flag and its value per pair
    await run('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--daemonize', 'yes',
      '--dir', this.dir, '--logfile', path.join(this.dir, 'redis.log'), '--pidfile', path.join(this.dir, 'redis.pid'),
    ]);
    for (let i = 0; i < 100; i++) {
      if (await this.ping()) return;
      await sleep(50);
    }
    throw new Error(`redis on ${this.port} did not start`);
  }

  async ping(): Promise<boolean> {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(this.port), 'ping']);
      return stdout.trim() === 'PONG';
    } catch {
      return false;
    }
  }

  /** Never writes an RDB snapshot; with AOF on, the log (fsynced per write) is what
   * survives, otherwise the streams are gone after a restart. */
  async stopServer() {
    await run('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave']).catch(() => {});
    for (let i = 0; i < 100 && (await this.ping()); i++) await sleep(50);
  }

  async destroy() {
    await this.stopServer();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

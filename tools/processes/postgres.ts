/** A private PostgreSQL 15 cluster (initdb + pg_ctl in a temp dir, its own port) and
 * counts over its `model_events` table. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, run, uniq } from './os.ts';

const PG_BIN = process.env.FMO_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A throw-away PostgreSQL 15 cluster on its own port, owned by the `postgres` user
 * (initdb refuses root). Stop/start it at will; destroy() removes everything. */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get adminUrl() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-pg-'));
    if (process.getuid?.() === 0) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    await asPostgres(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // Small shared memory footprint; fsync stays on (durability is what is tested).
    fs.appendFileSync(`${dir}/data/postgresql.conf`, '\nshared_buffers = 128MB\nmax_connections = 200\nsynchronous_commit = on\n');
    const p = new PrivatePostgres(dir, await freePort());
    await p.startServer();
    return p;
  }

  /** A cluster kept in `dir` between runs (the history benchmark's 10 M events are
   * seeded once); created on first use, started on a free port. Stop it with stopServer(). */
  static async open(dir: string): Promise<PrivatePostgres> {
    if (!fs.existsSync(`${dir}/data/PG_VERSION`)) {
      fs.mkdirSync(dir, { recursive: true });
      if (process.getuid?.() === 0) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'));
      await asPostgres(`${PG_BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      fs.appendFileSync(`${dir}/data/postgresql.conf`, '\nshared_buffers = 512MB\nmax_connections = 200\nmax_wal_size = 4GB\n');
    }
    const p = new PrivatePostgres(dir, await freePort());
    await p.startServer();
    return p;
  }

  async startServer() {
    // biome-ignore format: one flag and its value per pair
    await asPostgres(`${PG_BIN}/pg_ctl`, [
      '-D', `${this.dir}/data`, '-l', `${this.dir}/log`, '-w', '-t', '60',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, 'start',
    ]);
  }

  /** `immediate` is PostgreSQL's own crash: no checkpoint, recovery on the next start. */
  async stopServer(mode: 'fast' | 'immediate' = 'fast') {
    await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', `${this.dir}/data`, '-m', mode, '-w', 'stop']);
  }

  async createDatabase(name = uniq('fmo_f_')): Promise<string> {
    const c = new pg.Client({ connectionString: this.adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return this.adminUrl.replace(/\/postgres$/, `/${name}`);
  }

  async destroy() {
    await this.stopServer('immediate').catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** How many of these event ids the database holds (each at most once: id is the key). */
export async function countStored(databaseUrl: string, ids: Iterable<string>): Promise<number> {
  const all = [...ids];
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    let n = 0;
    for (let i = 0; i < all.length; i += 50_000) {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM model_events WHERE id = ANY($1::uuid[])', [all.slice(i, i + 50_000)]);
      n += rows[0].n as number;
    }
    return n;
  } finally {
    await c.end();
  }
}

export async function countWhere(databaseUrl: string, where: string, params: unknown[] = []): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM model_events WHERE ${where}`, params);
    return rows[0].n as number;
  } finally {
    await c.end();
  }
}

function uidOf(user: string): number {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[2]);
}
function gidOf(user: string): number {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  return Number(line?.split(':')[3]);
}

async function asPostgres(bin: string, args: string[]) {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args]);
  else await run(bin, args);
}

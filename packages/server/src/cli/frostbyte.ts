import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { loadAuditSigner } from '../plugins/audit.ts';
import { CLI_FILE } from '../plugins/context.ts';
import { AdminService } from '../admin/admin-service.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { Authenticator, type RequestContext, SYSTEM_CONTEXT } from '../access/auth.ts';
import { loadOrCreateMasterKey } from '../crypto/envelope.ts';
import { IdentityRepository } from '../access/identity.ts';
import { permissionTableMarkdown } from '../access/permissions.ts';
import { Retention } from '../retention/retention.ts';
import { TraceCrypto } from '../crypto/trace-crypto.ts';
import { openStorage } from '../storage/open-storage.ts';
import type { SqlStorage } from '../storage/sql-storage.ts';

const USAGE = `frostbyte — administration of the Frostbyte Model Observatory

  npm run frostbyte -- <command> [options]

  keys create --tenant <id> [--name <n>]     new ingest API key (printed once)
  keys revoke <key-id>                        revoke an ingest key
  keys rotate --tenant <id>                   new primary data key; old traces stay readable
  users create --name <n> --role <role> --tenants a,b|*
  users list                                  users, their roles, tenants, disabled or not
  users disable --user <id|name>              refuse every token of a user from now on
  token --user <id|name> [--ttl <seconds>]    issue a user token (JWT)
  tenants erase --tenant <id> --yes           crypto-shred a tenant's traces
  audit verify [--tenant <id>]                rehash the chain, check signatures; exit 1 if bad
  audit export [--tenant <id>] [--out <file>] entries + signed checkpoints + verifier key
  retention run                               drop old trace partitions, prune the audit log
  permissions                                 the role/permission matrix (Markdown)

  Where it acts: --url <server> (or FMO_URL) with --token / FMO_TOKEN / FMO_ADMIN_TOKEN
  talks to a running server's admin API. Otherwise a running embedded server is found
  through <data dir>/${CLI_FILE}; with none running, the database (DATABASE_URL or the
  embedded data dir) is opened directly.`;

class UsageError extends Error {}

/** The operations, whichever way they reach the database. */
interface Backend {
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
  readonly where: string;
}

/** A running server's admin API. */
function httpBackend(url: string, token: string): Backend {
  return {
    where: url,
    async call(method, p, body) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const out = (await res.json().catch(() => ({}))) as { message?: string };
      if (!res.ok) throw new Error(`${res.status}: ${out.message ?? res.statusText}`);
      return out;
    },
    close: async () => {},
  };
}

/** The database itself, with the same services the server uses (and the same auditing). */
async function directBackend(config: ReturnType<typeof loadConfig>, env: NodeJS.ProcessEnv): Promise<Backend> {
  const storage = (await openStorage(config)) as SqlStorage;
  const master = await loadOrCreateMasterKey({ env: env.FMO_MASTER_KEY, file: path.join(config.dataDir, 'master.key') });
  const crypto = await TraceCrypto.load(master.key, storage);
  const audit = new AuditLog(storage, (await loadAuditSigner(config)).key, config.auditOrigin);
  const identity = new IdentityRepository(storage);
  const auth = await Authenticator.create({
    identity,
    jwtSecret: config.jwtSecret,
    dataDir: config.dataDir,
    adminTokens: [],
    ttlS: config.tokenTtlS,
  });
  const retention = new Retention(storage, audit, { traceDays: config.traceRetentionDays, auditDays: config.auditRetentionDays });
  const admin = new AdminService({ identity, auth, audit, crypto, retention });
  const who = os.userInfo().username;
  const ctx: RequestContext = { ...SYSTEM_CONTEXT, principal: { kind: 'system', id: `cli:${who}`, name: `cli:${who}` } };
  // The same paths as the HTTP API, so the command code below has one shape.
  const routes: Record<string, (m: RegExpMatchArray, body: Record<string, unknown>) => Promise<unknown>> = {
    'POST /v1/admin/keys': (_m, b) => admin.createKey(ctx, b.tenant as string, b.name as string | undefined),
    'POST /v1/admin/keys/([^/]+)/revoke': (m) => admin.revokeKey(ctx, m[1] as string),
    'POST /v1/admin/tenants/([^/]+)/rotate-key': (m) => admin.rotateKey(ctx, m[1] as string),
    'POST /v1/admin/tenants/([^/]+)/erase': (m) => admin.eraseTenant(ctx, m[1] as string),
    'POST /v1/admin/users': (_m, b) => admin.createUser(ctx, b as { name: string; role: string; tenants: string[] }),
    'GET /v1/admin/users': async () => ({
      users: (await identity.users()).map((u) => ({ ...u, tenants: u.tenants === '*' ? ['*'] : [...u.tenants] })),
    }),
    'POST /v1/admin/users/([^/]+)/disable': (m) => admin.disableUser(ctx, decodeURIComponent(m[1] as string)),
    'POST /v1/admin/users/([^/]+)/token': (m, b) =>
      admin.issueToken(ctx, decodeURIComponent(m[1] as string), b.ttl_s as number | undefined),
    'POST /v1/admin/retention/run': () => admin.runRetention(ctx),
    'GET /v1/audit/verify(?:\\?tenant_id=(.+))?': async (m) => {
      const results = await audit.verify('*', m[1] ? decodeURIComponent(m[1]) : undefined);
      const tenants = results.map(({ tenant_id, result: r }) =>
        r.ok
          ? { tenant_id, ok: true, entries: r.entries, checkpoints: r.checkpoints, unattested: r.unattested }
          : { tenant_id, ok: false, first_bad: r.firstBad },
      );
      return { ok: tenants.every((t) => t.ok), tenants };
    },
    'GET /v1/audit/export(?:\\?tenant_id=(.+))?': (m) => admin.exportAudit(ctx, m[1] ? decodeURIComponent(m[1]) : undefined),
  };
  return {
    where: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded data dir ${config.dataDir}`,
    async call(method, p, body) {
      for (const [k, fn] of Object.entries(routes)) {
        const [m, re] = k.split(' ') as [string, string];
        const match = m === method ? new RegExp(`^${re}$`).exec(p) : null;
        if (match) return fn(match, (body ?? {}) as Record<string, unknown>);
      }
      throw new Error(`no local implementation of ${method} ${p}`);
    },
    async close() {
      // Only what this command appended itself is signed here.
      await audit.checkpointAll().catch(() => undefined);
      await storage.close();
    },
  };
}

/** A running embedded server announces itself (0600) in its data dir. */
async function runningServer(dataDir: string): Promise<{ url: string; token: string } | null> {
  const file = path.join(dataDir, CLI_FILE);
  let info: { url: string; token: string; pid: number };
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  try {
    process.kill(info.pid, 0);
    const r = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok ? info : null;
  } catch {
    return null;
  }
}

export async function chooseBackend(flags: { url?: string; token?: string }, env = process.env): Promise<Backend> {
  const config = loadConfig(env);
  const url = flags.url ?? env.FMO_URL;
  if (url) {
    const token = flags.token ?? env.FMO_TOKEN ?? env.FMO_ADMIN_TOKEN;
    if (!token) throw new UsageError('--url needs --token (or FMO_TOKEN / FMO_ADMIN_TOKEN)');
    return httpBackend(url.replace(/\/$/, ''), token);
  }
  if (!config.databaseUrl) {
    // PGlite admits one process: while the server runs, go through it.
    const running = await runningServer(config.dataDir);
    if (running) return httpBackend(running.url, running.token);
  }
  return directBackend(config, env);
}

type Out = (line: string) => void;

/** Runs one command; returns the exit code. */
export async function run(
  argv: string[],
  out: Out = (l) => process.stdout.write(`${l}\n`),
  err: Out = (l) => process.stderr.write(`${l}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [cmd, sub, arg] = positionals;
  if (!cmd || v.help) {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === 'permissions') {
    out(permissionTableMarkdown());
    return 0;
  }
  const need = (name: keyof typeof v, what: string) => {
    const x = v[name];
    if (typeof x !== 'string' || !x) throw new UsageError(`${cmd}${sub ? ` ${sub}` : ''} needs --${name} <${what}>`);
    return x;
  };
  let backend: Backend | null = null;
  try {
    const plan = planOf(cmd, sub, arg, need, v);
    backend = await chooseBackend({ url: v.url, token: v.token }, env);
    const result = await backend.call(plan.method, plan.path, plan.body);
    return plan.print(result, out, err, backend.where);
  } catch (e) {
    err(e instanceof UsageError ? `${e.message}\n\n${USAGE}` : `error: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await backend?.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      tenants: { type: 'string' },
      user: { type: 'string' },
      ttl: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      yes: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

interface Plan {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  print(result: unknown, out: Out, err: Out, where: string): number;
}

const json: Plan['print'] = (r, out) => {
  out(JSON.stringify(r, null, 2));
  return 0;
};

function planOf(
  cmd: string,
  sub: string | undefined,
  arg: string | undefined,
  need: (name: 'tenant' | 'name' | 'role' | 'tenants' | 'user', what: string) => string,
  v: ReturnType<typeof parse>['values'],
): Plan {
  const enc = encodeURIComponent;
  switch (`${cmd} ${sub ?? ''}`.trim()) {
    case 'keys create':
      return {
        method: 'POST',
        path: '/v1/admin/keys',
        body: { tenant: need('tenant', 'tenant id'), ...(v.name ? { name: v.name } : {}) },
        print: (r, out, err) => {
          const k = r as { key: string; id: string; tenant_id: string };
          err(`Ingest key ${k.id} for tenant ${k.tenant_id}. It is shown this once; store it now:`);
          out(v.json ? JSON.stringify(r, null, 2) : k.key);
          return 0;
        },
      };
    case 'keys revoke':
      if (!arg) throw new UsageError('keys revoke needs the key id');
      return { method: 'POST', path: `/v1/admin/keys/${enc(arg)}/revoke`, print: json };
    case 'keys rotate':
      return { method: 'POST', path: `/v1/admin/tenants/${enc(need('tenant', 'tenant id'))}/rotate-key`, print: json };
    case 'users create':
      return {
        method: 'POST',
        path: '/v1/admin/users',
        body: {
          name: need('name', 'name'),
          role: need('role', 'role'),
          tenants: need('tenants', 'a,b or *')
            .split(',')
            .map((t) => t.trim()),
        },
        print: json,
      };
    case 'users list':
      return { method: 'GET', path: '/v1/admin/users', print: json };
    case 'users disable':
      return { method: 'POST', path: `/v1/admin/users/${enc(need('user', 'user id or name'))}/disable`, print: json };
    case 'token':
      return {
        method: 'POST',
        path: `/v1/admin/users/${enc(need('user', 'user id or name'))}/token`,
        body: v.ttl ? { ttl_s: Number(v.ttl) } : {},
        print: (r, out) => {
          out(v.json ? JSON.stringify(r, null, 2) : (r as { token: string }).token);
          return 0;
        },
      };
    case 'tenants erase': {
      const tenant = need('tenant', 'tenant id');
      if (!v.yes)
        throw new UsageError(`tenants erase destroys every data key of '${tenant}': its traces can never be read again. Add --yes`);
      return { method: 'POST', path: `/v1/admin/tenants/${enc(tenant)}/erase`, print: json };
    }
    case 'audit verify':
      return {
        method: 'GET',
        path: `/v1/audit/verify${v.tenant ? `?tenant_id=${enc(v.tenant)}` : ''}`,
        print: (r, out, err, where) => {
          const res = r as {
            ok: boolean;
            tenants: {
              tenant_id: string;
              ok: boolean;
              entries?: number;
              checkpoints?: number;
              unattested?: number;
              first_bad?: { seq: number; reason: string; detail: string };
            }[];
          };
          if (v.json) out(JSON.stringify(res, null, 2));
          else {
            for (const t of res.tenants) {
              if (t.ok)
                out(
                  `ok    ${t.tenant_id}: ${t.entries} entries, ${t.checkpoints} signed checkpoints, ${t.unattested} not yet checkpointed`,
                );
              else out(`FAIL  ${t.tenant_id}: first bad entry seq ${t.first_bad?.seq} (${t.first_bad?.reason}): ${t.first_bad?.detail}`);
            }
            if (res.tenants.length === 0) out('no audit entries yet');
            err(res.ok ? `audit log intact (${where})` : `audit log FAILED verification (${where})`);
          }
          return res.ok ? 0 : 1;
        },
      };
    case 'audit export':
      return {
        method: 'GET',
        path: `/v1/audit/export${v.tenant ? `?tenant_id=${enc(v.tenant)}` : ''}`,
        print: (r, out, err) => {
          const text = JSON.stringify(r, null, 2);
          if (v.out) {
            fs.writeFileSync(v.out, text, { mode: 0o600 });
            err(`wrote ${v.out}`);
          } else out(text);
          return 0;
        },
      };
    case 'retention run':
      return { method: 'POST', path: '/v1/admin/retention/run', body: {}, print: json };
    default:
      throw new UsageError(`unknown command '${[cmd, sub].filter(Boolean).join(' ')}'`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

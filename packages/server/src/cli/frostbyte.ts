import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { permissionTableMarkdown } from '../access/permissions.ts';
import { verifyBundle } from '../audit/bundle.ts';
import { CLI_FILE } from '../plugins/context.ts';
import { type AdminOps, type AuditVerifyReport, chooseOps, UsageError } from './admin-ops.ts';
import { RECOGNIZER_USAGE, recognizerOp } from './recognizer-commands.ts';

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
  audit verify [--tenant <id>] [--chain-only] rehash the chain, check signatures, and rehash the
                                              stored events against their batch roots (not with
                                              --chain-only); exit 1 naming the first bad entry or batch
  audit verify --bundle <file> [--key <fp>]   check an offline bundle: no database, no data dir,
                                              no network; --key: the expected key (its SHA-256
                                              fingerprint or the verifier key); exit 1 naming what broke
  audit export --tenant <id> --out <file>     the offline bundle: entries, inclusion proofs, signed
                                              checkpoints, public key (docs/audit-bundle.md)
  audit export [--tenant <id>]                (to stdout) entries + signed checkpoints + verifier key
  documents show --tenant <id> --document <d>            held? erased? how many events
  documents erase --tenant <id> --document <d> --yes     destroy that document's trace payloads
  documents hold --tenant <id> --document <d> --reason <r>   legal hold: retention keeps it
  documents release --tenant <id> --document <d>         end the legal hold
  retention run                               drop old trace partitions, prune the audit log
${RECOGNIZER_USAGE}
  permissions                                 the role/permission matrix (Markdown)

  Where it acts: --url <server> (or FMO_URL) with --token / FMO_TOKEN / FMO_ADMIN_TOKEN
  talks to a running server's admin API. Otherwise a running embedded server is found
  through <data dir>/${CLI_FILE}; with none running, the database (DATABASE_URL or the
  embedded data dir) is opened directly.`;

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
  if (cmd === 'audit' && sub === 'verify' && v.bundle !== undefined) return verifyBundleFile(v.bundle, v.key, v.json === true, out, err);
  let ops: AdminOps | null = null;
  try {
    const plan = planOf(cmd, sub, arg, need, v);
    ops = await chooseOps({ url: v.url, token: v.token }, env);
    const result = await plan.call(ops);
    return plan.print(result, out, err, ops.where);
  } catch (e) {
    err(e instanceof UsageError ? `${e.message}\n\n${USAGE}` : `error: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await ops?.close();
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
      bundle: { type: 'string' },
      key: { type: 'string' },
      document: { type: 'string' },
      reason: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      yes: { type: 'boolean' },
      json: { type: 'boolean' },
      'chain-only': { type: 'boolean' },
      pattern: { type: 'string' },
      entity: { type: 'string' },
      context: { type: 'string' },
      window: { type: 'string' },
      checksum: { type: 'string' },
      term: { type: 'string' },
      'ignore-case': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

interface Plan {
  call(ops: AdminOps): Promise<unknown>;
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
  need: (name: 'tenant' | 'name' | 'role' | 'tenants' | 'user' | 'document' | 'reason', what: string) => string,
  v: ReturnType<typeof parse>['values'],
): Plan {
  switch (`${cmd} ${sub ?? ''}`.trim()) {
    case 'keys create': {
      const tenant = need('tenant', 'tenant id');
      return {
        call: (ops) => ops.createKey(tenant, v.name),
        print: (r, out, err) => {
          const k = r as { key: string; id: string; tenant_id: string };
          err(`Ingest key ${k.id} for tenant ${k.tenant_id}. It is shown this once; store it now:`);
          out(v.json ? JSON.stringify(r, null, 2) : k.key);
          return 0;
        },
      };
    }
    case 'keys revoke': {
      if (!arg) throw new UsageError('keys revoke needs the key id');
      return { call: (ops) => ops.revokeKey(arg), print: json };
    }
    case 'keys rotate': {
      const tenant = need('tenant', 'tenant id');
      return { call: (ops) => ops.rotateKey(tenant), print: json };
    }
    case 'users create': {
      const u = {
        name: need('name', 'name'),
        role: need('role', 'role'),
        tenants: need('tenants', 'a,b or *')
          .split(',')
          .map((t) => t.trim()),
      };
      return { call: (ops) => ops.createUser(u), print: json };
    }
    case 'users list':
      return { call: (ops) => ops.listUsers(), print: json };
    case 'users disable': {
      const user = need('user', 'user id or name');
      return { call: (ops) => ops.disableUser(user), print: json };
    }
    case 'token': {
      const user = need('user', 'user id or name');
      return {
        call: (ops) => ops.issueToken(user, v.ttl ? Number(v.ttl) : undefined),
        print: (r, out) => {
          out(v.json ? JSON.stringify(r, null, 2) : (r as { token: string }).token);
          return 0;
        },
      };
    }
    case 'tenants erase': {
      const tenant = need('tenant', 'tenant id');
      if (!v.yes)
        throw new UsageError(`tenants erase destroys every data key of '${tenant}': its traces can never be read again. Add --yes`);
      return { call: (ops) => ops.eraseTenant(tenant), print: json };
    }
    case 'audit verify':
      return {
        call: (ops) => ops.verifyAudit(v.tenant, { events: v['chain-only'] !== true }),
        print: (r, out, err, where) => {
          const res = r as AuditVerifyReport;
          if (v.json) out(JSON.stringify(res, null, 2));
          else {
            for (const t of res.tenants) {
              const events =
                t.events_checked === undefined
                  ? ''
                  : `; ${t.events_checked} stored events in ${t.batches_checked} batches match their roots${t.events_missing ? ` (${t.events_missing} more removed by retention)` : ''}`;
              if (t.ok)
                out(
                  `ok    ${t.tenant_id}: ${t.entries} entries, ${t.checkpoints} signed checkpoints, ${t.unattested} not yet checkpointed${events}`,
                );
              else if (t.first_bad?.reason === 'events') out(`FAIL  ${t.tenant_id}: stored events: ${t.first_bad.detail}`);
              else out(`FAIL  ${t.tenant_id}: first bad entry seq ${t.first_bad?.seq} (${t.first_bad?.reason}): ${t.first_bad?.detail}`);
            }
            if (res.tenants.length === 0) out('no audit entries yet');
            err(res.ok ? `audit log intact (${where})` : `audit log FAILED verification (${where})`);
          }
          return res.ok ? 0 : 1;
        },
      };
    case 'audit export':
      if (v.out && v.tenant) {
        const tenant = v.tenant;
        const file = v.out;
        return {
          call: (ops) => ops.exportBundle(tenant),
          print: (r, _out, err) => {
            const b = r as { entries: unknown[]; proofs: unknown[]; checkpoints: unknown[]; key_fingerprint: string };
            fs.writeFileSync(file, JSON.stringify(b, null, 1), { mode: 0o600 });
            err(
              `wrote ${file}: ${b.entries.length} entries, ${b.proofs.length} proofs, ${b.checkpoints.length} checkpoints; key fingerprint ${b.key_fingerprint}`,
            );
            return 0;
          },
        };
      }
      return {
        call: (ops) => ops.exportAudit(v.tenant),
        print: (r, out, err) => {
          const text = JSON.stringify(r, null, 2);
          if (v.out) {
            fs.writeFileSync(v.out, text, { mode: 0o600 });
            err(`wrote ${v.out}`);
          } else out(text);
          return 0;
        },
      };
    case 'documents show': {
      const [t, d] = [need('tenant', 'tenant id'), need('document', 'document id')];
      return { call: (ops) => ops.documentStatus(t, d), print: json };
    }
    case 'documents erase': {
      const [t, d] = [need('tenant', 'tenant id'), need('document', 'document id')];
      if (!v.yes) throw new UsageError(`documents erase destroys the trace payloads of document '${d}' of '${t}' for good. Add --yes`);
      return { call: (ops) => ops.documentErase(t, d), print: json };
    }
    case 'documents hold': {
      const [t, d, reason] = [need('tenant', 'tenant id'), need('document', 'document id'), need('reason', 'why it is held')];
      return { call: (ops) => ops.documentHold(t, d, reason), print: json };
    }
    case 'documents release': {
      const [t, d] = [need('tenant', 'tenant id'), need('document', 'document id')];
      return { call: (ops) => ops.documentRelease(t, d), print: json };
    }
    case 'retention run':
      return { call: (ops) => ops.runRetention(), print: json };
    case `recognizers ${sub}`: {
      const op = recognizerOp(sub, arg, v, (m) => new UsageError(m));
      return { call: (ops) => ops.recognizers(op), print: json };
    }
    default:
      throw new UsageError(`unknown command '${[cmd, sub].filter(Boolean).join(' ')}'`);
  }
}

/** `audit verify --bundle`: reads one file, touches nothing else (no config, no database). */
function verifyBundleFile(file: string, key: string | undefined, asJson: boolean, out: Out, err: Out): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    err(`FAIL  bundle ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(e as Error).message})`}`);
    return 1;
  }
  const r = verifyBundle(parsed, key);
  if (asJson) out(JSON.stringify(r, null, 2));
  else if (r.ok) {
    out(
      `ok    ${r.tenant_id}: ${r.entries} entries, ${r.checkpoints} signed checkpoints, ${r.proofs} inclusion proofs; key ${r.key_fingerprint}${key ? ' (as expected)' : ' (not compared: pass --key to pin it)'}`,
    );
  } else for (const p of r.problems) out(`FAIL  ${p.part} ${p.where}: ${p.detail}`);
  err(r.ok ? `bundle ${file} verifies` : `bundle ${file} FAILED verification`);
  return r.ok ? 0 : 1;
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

import type { RecognizerSpec } from '@frostbyte/redact';
import type { FastifyBaseLogger } from 'fastify';
import type { RequestContext } from '../access/auth.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { RecognizerService } from '../redaction/recognizer-service.ts';
import { auditHook } from '../registry/audit-hook.ts';
import { scopedRunner } from '../storage/scoped.ts';
import type { SqlClient } from '../storage/sql-client.ts';

/**
 * `frostbyte recognizers …`: users' own redaction rules (issue 14), over the API of
 * a running server or directly on the database, like every other admin command.
 *
 *   recognizers list [--tenant <id>]
 *   recognizers add --name <n> --pattern <re2> [--tenant <id>] [--entity T] [--context a,b]
 *                   [--window <chars>] [--checksum none|luhn|iban] [--ignore-case]
 *   recognizers remove <id>
 *   recognizers allow --term <t> [--tenant <id>]      never redact this term
 *   recognizers disallow <id>                         remove an allow-list term
 *
 * Without --tenant a rule is deployment-wide (every tenant).
 */
export type RecognizerOp =
  | { kind: 'list'; tenant?: string }
  | { kind: 'add'; tenant?: string; spec: RecognizerSpec }
  | { kind: 'remove'; id: string }
  | { kind: 'allow'; tenant?: string; term: string }
  | { kind: 'disallow'; id: string };

export const RECOGNIZER_USAGE = `  recognizers list [--tenant <id>]            users' recognizers and allow-list terms
  recognizers add --name <n> --pattern <re2> [--tenant <id>] [--entity <TYPE>]
                  [--context a,b] [--window <chars>] [--checksum none|luhn|iban] [--ignore-case]
                                              a redaction recognizer (no --tenant: deployment-wide)
  recognizers remove <id>                     remove a recognizer
  recognizers allow --term <t> [--tenant <id>]   a term never redacted
  recognizers disallow <id>                   remove an allow-list term`;

type Call = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<T>;

export function httpRecognizers(call: Call) {
  const enc = encodeURIComponent;
  return (op: RecognizerOp): Promise<unknown> => {
    switch (op.kind) {
      case 'list':
        return call('GET', `/v1/recognizers${op.tenant ? `?tenant_id=${enc(op.tenant)}` : ''}`);
      case 'add':
        return call('POST', '/v1/recognizers', { ...op.spec, ...(op.tenant ? { tenant_id: op.tenant } : {}) });
      case 'remove':
        return call('DELETE', `/v1/recognizers/${enc(op.id)}`).then(() => ({ removed: op.id }));
      case 'allow':
        return call('POST', '/v1/redaction/allow', { term: op.term, ...(op.tenant ? { tenant_id: op.tenant } : {}) });
      case 'disallow':
        return call('DELETE', `/v1/redaction/allow/${enc(op.id)}`).then(() => ({ removed: op.id }));
    }
  };
}

export function directRecognizers(db: SqlClient, audit: AuditLog, ctx: RequestContext, log: FastifyBaseLogger) {
  const svc = new RecognizerService(scopedRunner(db), auditHook(audit, log), log);
  return async (op: RecognizerOp): Promise<unknown> => {
    switch (op.kind) {
      case 'list':
        return svc.list(ctx.scope, op.tenant ?? null);
      case 'add':
        return svc.createRecognizer(ctx.principal, ctx.scope, op.tenant ?? null, op.spec);
      case 'remove':
        await svc.remove(ctx.principal, ctx.scope, 'recognizer', op.id);
        return { removed: op.id };
      case 'allow':
        return svc.createAllow(ctx.principal, ctx.scope, op.tenant ?? null, op.term);
      case 'disallow':
        await svc.remove(ctx.principal, ctx.scope, 'allow', op.id);
        return { removed: op.id };
    }
  };
}

/** The operation a `recognizers <sub>` command line asks for; throws `usage` errors. */
export function recognizerOp(
  sub: string | undefined,
  arg: string | undefined,
  v: Record<string, string | boolean | undefined>,
  usage: (message: string) => Error,
): RecognizerOp {
  const str = (k: string) => (typeof v[k] === 'string' && v[k] !== '' ? (v[k] as string) : undefined);
  const tenant = str('tenant');
  switch (sub) {
    case 'list':
      return { kind: 'list', tenant };
    case 'add': {
      const name = str('name');
      const pattern = str('pattern');
      if (!name || !pattern) throw usage('recognizers add needs --name <n> and --pattern <re2>');
      const window = str('window');
      const spec: RecognizerSpec = {
        name,
        pattern,
        ...(str('entity') ? { entity: str('entity') as RecognizerSpec['entity'] } : {}),
        ...(str('context') ? { context: (str('context') as string).split(',').map((w) => w.trim()) } : {}),
        ...(window ? { context_window: Number(window) } : {}),
        ...(str('checksum') ? { checksum: str('checksum') as RecognizerSpec['checksum'] } : {}),
        ...(v['ignore-case'] === true ? { case_insensitive: true } : {}),
      };
      return { kind: 'add', tenant, spec };
    }
    case 'remove':
    case 'disallow':
      if (!arg) throw usage(`recognizers ${sub} needs the id`);
      return { kind: sub, id: arg };
    case 'allow': {
      const term = str('term');
      if (!term) throw usage('recognizers allow needs --term <t>');
      return { kind: 'allow', tenant, term };
    }
    default:
      throw usage(`unknown command 'recognizers ${sub ?? ''}'`.trim());
  }
}

import type { FastifyRequest } from 'fastify';

/**
 * What the server log may never hold (DESIGN §5 "PII"): credentials and payloads.
 * Payloads do not reach the log by design (bodies are never logged); these paths are
 * the second wall for anything a future log call passes by mistake.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.token',
  '*.key',
  // The one-time login code travels in a body or a query as `code`; not `*.code`,
  // which also hid PostgreSQL's SQLSTATE (`err.code`, e.g. 22P05) from every error line.
  'code',
  'body.code',
  'query.code',
  'req.body.code',
  'req.query.code',
  'loginCode',
  '*.loginCode',
  'query.access_token',
  '*.query.access_token',
  // SQL parameters hold document ids, metadata and payloads (issue 12): never logged.
  'err.params',
  '*.err.params',
  'params',
  '*.parameters',
  '*.password',
  '*.secret',
  '*.trace',
  '*.input',
  '*.output',
  '*.decision_rationale',
  '*.metadata',
  '*.events',
  'err.detail',
  '*.err.detail',
  'err.where',
];

/** The request as logged: method, route and path, without the query string (which may
 * carry `access_token`, a login `code`, document ids). */
export function logRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: req.url.split('?')[0],
    route: req.routeOptions?.url,
    remoteAddress: req.ip,
  };
}

/** pino options for the server: the redaction above plus the request serializer. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: logRequest },
  };
}

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../kernel/errors.ts';

/** One error shape for every route. 4xx (and deliberate HttpErrors) say what to fix;
 * unexpected 5xx hide internals (the log has them). */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  const send = (message: string) => reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
  if (err instanceof HttpError) {
    if (err.retryAfterS !== null) reply.header('retry-after', String(err.retryAfterS));
    return send(err.message);
  }
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    return send('the server failed; see its log');
  }
  let message = err.message;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'request body is over 10 MiB; send smaller batches (at most 5000 events)';
  else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'send Content-Type: application/json';
  else if (err.code === 'Z_DATA_ERROR' || /incorrect header check|unexpected end of file/.test(message)) message = 'body is not valid gzip';
  else if (err.validation) message = `${err.validationContext ?? 'request'}${err.validation[0]?.instancePath ?? ''} ${err.validation[0]?.message ?? 'is invalid'}`.replace(/^(\w+)\//, '$1/');
  return send(message);
}

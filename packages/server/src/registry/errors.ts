import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler } from '../plugins/errors.ts';

/** A registry or alerting request that cannot be done as asked. The message says what
 * to do instead; routes turn it into that status code. */
export class RegistryError extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404 | 409,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (message: string, details?: Record<string, unknown>) => new RegistryError(404, message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new RegistryError(409, message, details);
export const badRequest = (message: string, details?: Record<string, unknown>) => new RegistryError(400, message, details);
export const forbidden = (message: string) => new RegistryError(403, message);

/** Error handler of the registry's route plugins: a RegistryError becomes its status
 * with its message; anything else goes to the app's own handler. */
export async function registryErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof RegistryError) {
    return reply
      .code(err.statusCode)
      .send({ statusCode: err.statusCode, error: STATUS_CODES[err.statusCode] ?? 'Error', message: err.message });
  }
  return errorHandler(err, req, reply);
}

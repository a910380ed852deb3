import { HttpError } from '../http-error.ts';

/** A registry or alerting request that cannot be done as asked. The message says what
 * to do instead; the app's error handler turns it into that status code. */
export class RegistryError extends HttpError {
  constructor(
    statusCode: 400 | 403 | 404 | 409,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(statusCode, message);
  }
}

export const notFound = (message: string, details?: Record<string, unknown>) => new RegistryError(404, message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new RegistryError(409, message, details);
export const badRequest = (message: string, details?: Record<string, unknown>) => new RegistryError(400, message, details);
export const forbidden = (message: string) => new RegistryError(403, message);

/**
 * The one error family of the server. An `HttpError` is an error a request can cause on
 * purpose: its status and a message that says what to do instead. Thrown anywhere
 * (service, repository, bus); `plugins/errors.ts` turns it into the one error shape.
 * Unlike an unexpected fault, its message is safe to show even for a 503, and
 * `retryAfterS` becomes a Retry-After header. `details` are facts for a caller or a log
 * that the message already states in words.
 *
 * Errors that are not about a request (a bad key file, a broken checkpoint) stay plain
 * `Error`s of their module: they are 500s if they ever reach a route.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly retryAfterS: number | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new HttpError(400, message, null, details);
export const unauthorized = (message: string) => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string, details?: Record<string, unknown>) => new HttpError(404, message, null, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new HttpError(409, message, null, details);
/** The server cannot take this now (a buffer full, a store unreachable); retry after `retryAfterS`. */
export const unavailable = (message: string, retryAfterS = 1) => new HttpError(503, message, retryAfterS);

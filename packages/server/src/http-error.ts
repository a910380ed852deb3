/**
 * An error a request can cause on purpose: its status and a message that says what to
 * do instead. Thrown anywhere (service, route, bus); `plugins/errors.ts` turns it into
 * the one error shape. Unlike an unexpected fault, its message is safe to show even for
 * a 503, and `retryAfterS` becomes a Retry-After header.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);

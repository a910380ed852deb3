import { getPurpose } from './access-purpose.ts';
import { getToken } from './session-token.ts';

/** What every failed call turns into: the HTTP status and the server's own message
 * (`ErrorResponse.message`), so views can show what went wrong and what to fix.
 * `status` 0 means the request never got an answer (network down, server stopped). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly path: string,
    readonly body: unknown = null,
  ) {
    super(message);
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export type QueryValue = string | number | boolean | null | undefined;

/** Builds `?a=1&b=2`, leaving out empty values so URLs stay short and shareable. */
export function toQueryString(params: Record<string, QueryValue> | undefined): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const unauthorizedListeners = new Set<(e: ApiError) => void>();
/** The app shell listens so an expired token sends the user to sign in again. */
export function onUnauthorized(listener: (e: ApiError) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorFrom(res: Response, path: string): Promise<ApiError> {
  let body: unknown = null;
  let message = `${res.status} ${res.statusText || 'error'}`;
  try {
    const text = await res.text();
    if (text) {
      try {
        body = JSON.parse(text);
        const m = (body as { message?: unknown }).message;
        if (typeof m === 'string' && m) message = m;
      } catch {
        body = text;
        message = text.slice(0, 300);
      }
    }
  } catch {
    /* body unreadable: keep the status line */
  }
  return new ApiError(res.status, message, path, body);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** The headers of every API request, in one place: the bearer token and the user's
 * purpose of access (`X-Access-Purpose`, recorded by the server's read audit). */
function requestHeaders(json: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const purpose = getPurpose();
  if (purpose) headers['x-access-purpose'] = purpose;
  if (json) headers['content-type'] = 'application/json';
  return headers;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const url = path + toQueryString(opts.query);
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? 'GET',
      headers: requestHeaders(opts.body !== undefined),
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The observatory server could not be reached.', path);
  }
  if (!res.ok) {
    const error = await errorFrom(res, path);
    if (error.isUnauthorized) for (const l of unauthorizedListeners) l(error);
    throw error;
  }
  return res;
}

export async function apiRequest<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  // A server without this route may answer with the dashboard's index.html (SPA
  // fallback): that is "not found" for an API caller, not a JSON parse crash.
  if (!(res.headers.get('content-type') ?? '').includes('json'))
    throw new ApiError(404, `${path} answered with ${res.headers.get('content-type') || 'no content type'}, not JSON`, path);
  return (await res.json()) as T;
}

export const apiGet = <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> =>
  apiRequest<T>(path, { query, signal });

export const apiPost = <T>(path: string, body: unknown): Promise<T> => apiRequest<T>(path, { method: 'POST', body });

/** A file the server sends as an attachment (`Content-Disposition: attachment; filename="…"`),
 * fetched with the same headers as every call (a plain link could not send the token). */
export async function apiDownload(path: string, query?: Record<string, QueryValue>): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send(path, { query });
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
  return { blob: await res.blob(), filename };
}

/** Same-origin URL for EventSource / WebSocket, which cannot send an Authorization header. */
export function withAccessToken(path: string, query: Record<string, QueryValue>): string {
  return path + toQueryString({ ...query, access_token: getToken() });
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.status ? `${err.message} (HTTP ${err.status})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

import { ADMIN_HEADERS, uniq } from '../helper.ts';

/** A credential-less fetch (the helper's `fetch` sends the admin token). */
export const bare = globalThis.fetch;

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function call(url: string, token: string | null, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await bare(url, { ...init, headers });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON read back in tests
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** Creates a user through the admin API and returns a token for it. */
export async function userToken(base: string, role: string, tenants: string[]): Promise<{ token: string; id: string; name: string }> {
  const name = uniq(`${role}-`);
  const u = await call(`${base}/v1/admin/users`, ADMIN_HEADERS.authorization.slice(7), {
    method: 'POST',
    body: JSON.stringify({ name, role, tenants }),
  });
  if (u.status !== 201) throw new Error(`user create: ${u.status} ${JSON.stringify(u.body)}`);
  const t = await call(`${base}/v1/admin/users/${u.body.id}/token`, ADMIN_HEADERS.authorization.slice(7), { method: 'POST', body: '{}' });
  if (t.status !== 200) throw new Error(`token: ${t.status} ${JSON.stringify(t.body)}`);
  return { token: t.body.token, id: u.body.id, name };
}

/** Creates an ingest key for a tenant through the admin API. */
export async function ingestKey(base: string, tenant: string): Promise<{ key: string; id: string }> {
  const r = await call(`${base}/v1/admin/keys`, ADMIN_HEADERS.authorization.slice(7), { method: 'POST', body: JSON.stringify({ tenant }) });
  if (r.status !== 201) throw new Error(`key create: ${r.status} ${JSON.stringify(r.body)}`);
  return { key: r.body.key, id: r.body.id };
}

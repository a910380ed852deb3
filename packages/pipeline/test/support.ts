import { randomBytes } from 'node:crypto';
import { TelemetrySdk } from '@frostbyte/telemetry';
import { tempDir } from '../../server/test/helper.ts';

/**
 * Test plumbing shared by the pipeline's integration tests: the bearer token of a
 * server started by the server's test helper, a private SDK instance per test (its
 * own spool directory, so tests stay independent), and reads of `/v1/events`.
 */

export interface StoredEvent {
  id: string;
  invocation_id: string;
  pipeline_run_id: string | null;
  tenant_id: string;
  document_id: string | null;
  stage: string;
  model_name: string;
  model_version: string;
  status: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  metadata: Record<string, unknown> | null;
  error: { type: string; message: string } | null;
}

/** Server overrides that give it an admin token (`FMO_ADMIN_TOKEN`), unique per call. */
export const withAdminToken = () => ({ adminToken: `fmo_test_${randomBytes(18).toString('base64url')}` });

/** The admin token of a server from the helper: one it returns itself (once it does),
 * else the one configured through `withAdminToken()`, else none (auth not enforced). */
export function tokenOf(server: { config?: object }): string | undefined {
  const s = server as Record<string, unknown>;
  for (const key of ['adminToken', 'token', 'apiKey']) {
    if (typeof s[key] === 'string') return s[key] as string;
  }
  const configured = (server.config as { adminToken?: unknown } | undefined)?.adminToken;
  return typeof configured === 'string' ? configured : undefined;
}

export const authHeaders = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export function newTelemetry(endpoint: string, apiKey: string | undefined, spoolDir = tempDir('fmo-pipeline-spool-')) {
  return new TelemetrySdk({
    endpoint,
    apiKey,
    spoolDir,
    flushOnExit: false,
    probeIntervalMs: 100,
    probeMaxIntervalMs: 500,
    warn: () => {},
  });
}

/** Every stored event of a tenant (all pages). */
export async function eventsOf(url: string, token: string | undefined, query: Record<string, string>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ ...query, limit: '1000' });
    if (cursor) q.set('cursor', cursor);
    const res = await fetch(`${url}/v1/events?${q}`, { headers: authHeaders(token) });
    if (!res.ok) throw new Error(`GET /v1/events ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { events: StoredEvent[]; next_cursor: string | null };
    out.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

/** Starting a server (migrations, registry seed) can take long on a loaded 2-core CI box. */
export const SERVER_START_TIMEOUT_MS = 180_000;

/**
 * Closes a helper server without waiting out keep-alive: a client connection that was
 * busy when `close()` began is not closed as idle by Node, and then holds the close for
 * Fastify's 72 s keep-alive timeout. (Reported to the server owner; `forceCloseConnections`
 * in `buildApp` would fix it for everyone.)
 */
export async function closeServer(
  server: { app: { server: { closeAllConnections?: () => void } }; close: (o?: { keepData?: boolean }) => Promise<void> },
  opts?: { keepData?: boolean },
) {
  const closing = server.close(opts);
  const timer = setTimeout(() => server.app.server.closeAllConnections?.(), 500);
  try {
    await closing;
  } finally {
    clearTimeout(timer);
  }
}

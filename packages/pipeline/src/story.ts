import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './registry-client.ts';
import { createLocalEmbedder } from './stages/embed.ts';

/**
 * The demo's story: what an operator of the pipeline lives through in a day, played
 * in about a minute and a half beside the demo feeder (demo.ts), so that every page of
 * the dashboard has something real to show within two minutes of `npm start`.
 *
 * Everything goes through the server's public HTTP API with the demo's credential —
 * the same calls a person makes from the dashboard — and the telemetry is the real
 * pipeline's: nothing is inserted behind the server's back.
 *
 * First tenant (acme), the parser's life:
 *  1. `frostbyte-docparse` 1.1.0 is registered (larger chunks: a configuration change)
 *     and an A/B experiment sends half of acme's documents to it;
 *  2. once both variants have enough calls for the statistics, the results are read and
 *     the treatment is promoted: 1.1.0 is deployed for acme;
 *  3. 1.2.0 (an OCR pass, simulated by the stage's `delay_ms` knob) is deployed for
 *     acme: parse really slows down, documents pile up in it, and the server's
 *     evaluator names parse the bottleneck and opens an alert;
 *  4. the rollback's impact preview is read, then acme is rolled back to 1.1.0;
 *  5. the backlog drains and the evaluator resolves the alert by itself.
 * Second tenant (globex), failures and retries:
 *  - globex embeds with `nomic-embed-text` through an embedding gateway the demo runs
 *    on a loopback port (an OpenAI-compatible `/v1/embeddings`, computing the local
 *    hashed TF-IDF embedding at 768 dimensions);
 *  - the gateway goes down for a while (503): embed calls fail after the embedder's own
 *    retries, the feeder retries those documents with backoff, and they recover.
 *
 * Each chapter is logged as it happens ("demo: deployed frostbyte-docparse 1.1.0 for
 * tenant acme …"). The timings are options, so a test plays the same story in seconds.
 * Run again on the same data (a second `npm start`) the story starts over: a leftover
 * experiment of a previous story is stopped and acme is put back on 1.0.0 first.
 */

export interface StoryTimings {
  /** Before the first chapter: both tenants run on the seeded versions. */
  startMs: number;
  /** The experiment runs at least this long before its results are read… */
  experimentMs: number;
  /** …and until each variant has this many parse calls (the server's verdict needs 20). */
  experimentMinCalls: number;
  /** From the story's start: globex moves to the embedding gateway… */
  gatewayAtMs: number;
  /** …which goes down at this time, for this long. */
  outageAtMs: number;
  outageMs: number;
  /** The slowed parser's added latency per document (1.2.0's `delay_ms`). */
  slowParseMs: number;
  /** After the alert opened, before the rollback (time to look at the preview). */
  rollbackAfterAlertMs: number;
  /** Longest wait for the experiment's calls, an alert to open, an alert to resolve. */
  waitMs: number;
  /** How often those waits look. */
  pollMs: number;
}

export const STORY_TIMINGS: StoryTimings = Object.freeze({
  startMs: 5_000,
  experimentMs: 25_000,
  experimentMinCalls: 20,
  gatewayAtMs: 8_000,
  outageAtMs: 15_000,
  outageMs: 10_000,
  // Long enough that acme's documents fill the feeder's 16 in flight, well over the
  // backlog threshold (10): at ~2 documents/s a 6 s parse hovers at it and the alert flaps.
  slowParseMs: 10_000,
  rollbackAfterAlertMs: 8_000,
  waitMs: 90_000,
  pollMs: 1_000,
});

export const STORY_MODEL = 'frostbyte-docparse';
/** The seeded embedder's configuration for the gateway: a new version, because deploying
 * the seeded v1.5 (active for every tenant beside the local embedder) would change nothing. */
export const STORY_EMBEDDER = { model_name: 'nomic-embed-text', base: 'v1.5', version: 'v1.5-gateway' } as const;
const BASE_VERSION = '1.0.0';
const V2 = '1.1.0';
const SLOW = '1.2.0';
const EXPERIMENT_PREFIX = 'demo: ';

/** The feeder's retries of one tenant's failed documents (demo.ts counts them). */
export interface RetryStats {
  /** Document runs that failed with a retryable error. */
  failed: number;
  /** Re-runs started. */
  retried: number;
  /** Documents that succeeded on a re-run. */
  recovered: number;
  /** Documents given up after the last attempt. */
  gave_up: number;
}

export interface StoryOptions {
  endpoint: string;
  apiKey?: string | undefined;
  /** [the tenant whose parser changes, the tenant whose embedder fails]; one tenant plays both. */
  tenants: readonly string[];
  log: Logger;
  timings?: Partial<StoryTimings>;
  /** The feeder's retry counts per tenant. */
  retryStats?: (tenant: string) => RetryStats;
}

export interface StoryChapter {
  chapter: string;
  /** ms since the story started. */
  at_ms: number;
  message: string;
}

export interface StoryReport {
  chapters: StoryChapter[];
  experiment_id: string | null;
  /** The bottleneck alert the slowdown opened. */
  alert_id: string | null;
  /** The chapter that could not happen, if one could not. */
  failed: string | null;
}

export interface Story {
  /** Environment for the second tenant's registry client: where `nomic-embed-text` is reached. */
  readonly embeddingsEnv: Record<string, string | undefined>;
  /** Plays the story (once). Resolves when the last chapter happened, or the story was stopped. Never rejects. */
  run(): Promise<StoryReport>;
  stop(): Promise<void>;
}

class Stopped extends Error {}

/** Starts the embedding gateway (so the second tenant's embedder can be built), ready to `run()`. */
export async function prepareStory(options: StoryOptions): Promise<Story> {
  const t: StoryTimings = { ...STORY_TIMINGS, ...options.timings };
  const log = options.log;
  const [partsTenant, failuresTenant] = [options.tenants[0] as string, (options.tenants[1] ?? options.tenants[0]) as string];
  const gateway = await startEmbeddingGateway();
  const controller = new AbortController();
  const report: StoryReport = { chapters: [], experiment_id: null, alert_id: null, failed: null };
  let started = 0;
  let running: Promise<StoryReport> | undefined;

  const say = (chapter: string, message: string) => {
    report.chapters.push({ chapter, at_ms: Date.now() - started, message });
    log.info(`demo: ${message}`);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (controller.signal.aborted) return reject(new Stopped());
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Stopped());
      };
      const timer = setTimeout(() => {
        controller.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  const until = (at: number) => sleep(Math.max(0, started + at - Date.now()));

  async function api<T>(method: string, path: string, body?: unknown, accept: number[] = []): Promise<{ status: number; body: T }> {
    if (controller.signal.aborted) throw new Stopped();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${options.endpoint.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.any([controller.signal, AbortSignal.timeout(15_000)]),
    }).catch((error) => {
      if (controller.signal.aborted) throw new Stopped();
      throw error;
    });
    const text = await res.text();
    if (!res.ok && !accept.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
  /** Polls `read` until it returns something, at most `t.waitMs`. */
  async function waitFor<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + t.waitMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`gave up waiting ${Math.round(t.waitMs / 1000)} s for ${what}`);
      await sleep(t.pollMs);
    }
  }
  const parseVersionOf = async (tenant: string) => {
    const config = await api<{ stages: { stage: string; active: { model_name: string; version: string } | null }[] }>(
      'GET',
      `/v1/pipeline/config?tenant=${encodeURIComponent(tenant)}`,
    );
    return config.body.stages.find((s) => s.stage === 'parse')?.active ?? null;
  };

  /** The first tenant: experiment, promotion, slowdown, alert, rollback, resolution. */
  async function parserStory() {
    const tenant = partsTenant;
    const m = encodeURIComponent(STORY_MODEL);
    await until(t.startMs);

    // A previous story's leftovers: its experiment, and acme not on the seeded parser.
    const running = await api<{ experiments: { id: string; name: string }[] }>('GET', '/v1/experiments?state=running&stage=parse');
    for (const e of running.body.experiments) {
      if (!e.name.startsWith(EXPERIMENT_PREFIX)) throw new Error(`experiment '${e.name}' is running on parse; the story leaves it alone`);
      await api('POST', `/v1/experiments/${encodeURIComponent(e.id)}/stop`, { reason: 'a new demo story starts' }, [409]);
    }
    const now = await parseVersionOf(tenant);
    if (now && (now.model_name !== STORY_MODEL || now.version !== BASE_VERSION)) {
      await api('POST', `/v1/models/${m}/deployments`, {
        version: BASE_VERSION,
        tenants: [tenant],
        reason: 'demo: the story starts from the seeded parser',
      });
      say('reset', `put tenant ${tenant} back on ${STORY_MODEL} ${BASE_VERSION} for a new story (it ran ${now.model_name} ${now.version})`);
    }

    // 1. A second version: a configuration change, tried on half of acme's documents.
    const versions = await api<{ versions: { version: string; config: Record<string, unknown>; pricing: Record<string, unknown> }[] }>(
      'GET',
      `/v1/models/${m}/versions`,
    );
    const base = versions.body.versions.find((v) => v.version === BASE_VERSION);
    if (!base) throw new Error(`${STORY_MODEL} has no version ${BASE_VERSION} (the server seeds it)`);
    const v2Config = { ...base.config, chunk_max_tokens: 256, chunk_overlap_tokens: 32 };
    const v2 = await api(
      'POST',
      `/v1/models/${m}/versions`,
      {
        version: V2,
        config: v2Config,
        pricing: base.pricing,
        reason: 'larger chunks (256 tokens, 32 overlap): fewer embeddings per document',
      },
      [409],
    );
    say(
      'version',
      v2.status === 409
        ? `${STORY_MODEL} ${V2} is registered already (chunk_max_tokens ${String(base.config.chunk_max_tokens)} → 256)`
        : `registered ${STORY_MODEL} ${V2}: chunk_max_tokens ${String(base.config.chunk_max_tokens)} → 256, chunk_overlap_tokens ${String(base.config.chunk_overlap_tokens)} → 32`,
    );
    const created = await api<{ experiment: { id: string } }>('POST', '/v1/experiments', {
      name: `${EXPERIMENT_PREFIX}docparse ${V2} vs ${BASE_VERSION}`,
      stage: 'parse',
      control: { model_name: STORY_MODEL, version: BASE_VERSION },
      treatment: { model_name: STORY_MODEL, version: V2 },
      treatment_percent: 50,
      tenants: [tenant],
      reason: 'does the larger chunking parse as well?',
    });
    const experimentId = created.body.experiment.id;
    report.experiment_id = experimentId;
    const experimentStarted = Date.now();
    say('experiment', `experiment started for tenant ${tenant}: 50 % of documents to ${STORY_MODEL} ${V2}, 50 % stay on ${BASE_VERSION}`);

    // 2. Results once both variants have enough calls; the treatment is promoted.
    await sleep(t.experimentMs);
    type Results = {
      variants: { variant: string; version: string; calls: number; errors: number; p95_ms: number | null }[];
      significance: { latency: { note: string } };
      recommendation: { winner: string | null; reason: string };
    };
    const results = await waitFor(`${t.experimentMinCalls} calls per variant`, async () => {
      const r = await api<Results>('GET', `/v1/experiments/${encodeURIComponent(experimentId)}/results`);
      return r.body.variants.length === 2 && r.body.variants.every((v) => v.calls >= t.experimentMinCalls) ? r.body : undefined;
    });
    const line = (v: Results['variants'][number]) =>
      `${v.variant} ${v.version}: ${v.calls} calls, ${v.errors} errors, p95 ${v.p95_ms === null ? '–' : `${Math.round(v.p95_ms)} ms`}`;
    say(
      'results',
      `experiment results after ${Math.round((Date.now() - experimentStarted) / 1000)} s: ${results.variants.map(line).join('; ')}; ${results.recommendation.reason}`,
    );
    await api('POST', `/v1/experiments/${encodeURIComponent(experimentId)}/promote`, {
      variant: 'treatment',
      reason: 'chunks of 256 tokens parse as well and embed in fewer calls',
    });
    say('deploy', `deployed ${STORY_MODEL} ${V2} for tenant ${tenant} (the experiment's treatment, promoted)`);

    // 3. A slow version: parse becomes the bottleneck and the evaluator raises an alert.
    const slow = await api(
      'POST',
      `/v1/models/${m}/versions`,
      {
        version: SLOW,
        config: { ...v2Config, ocr: true, delay_ms: t.slowParseMs },
        pricing: base.pricing,
        reason: `OCR pass for scanned pages (simulated: delay_ms ${t.slowParseMs})`,
      },
      [409],
    );
    if (slow.status === 409) say('version', `${STORY_MODEL} ${SLOW} is registered already (OCR pass)`);
    else say('version', `registered ${STORY_MODEL} ${SLOW}: OCR pass for scanned pages (delay_ms 0 → ${t.slowParseMs})`);
    const slowDeployedAt = Date.now();
    await api('POST', `/v1/models/${m}/deployments`, {
      version: SLOW,
      tenants: [tenant],
      expected_current_version: V2,
      reason: 'OCR for the scanned contracts',
    });
    say(
      'slowdown',
      `deployed ${STORY_MODEL} ${SLOW} for tenant ${tenant}: every document now spends ~${(t.slowParseMs / 1000).toFixed(1)} s in parse`,
    );
    type Alert = { id: string; rule: string; state: string; message: string; opened_at: string; stage: string | null };
    const alert = await waitFor('the bottleneck alert', async () => {
      const r = await api<{ alerts: Alert[] }>('GET', `/v1/alerts?state=active&stage=parse&tenant_id=${encodeURIComponent(tenant)}`);
      return r.body.alerts.find((a) => a.rule === 'bottleneck' && Date.parse(a.opened_at) >= slowDeployedAt - 1000);
    });
    report.alert_id = alert.id;
    say(
      'alert',
      `alert opened for tenant ${tenant} ${Math.round((Date.parse(alert.opened_at) - slowDeployedAt) / 1000)} s after the deploy: ${alert.message}`,
    );

    // 4. The rollback: its impact preview first, then the rollback itself.
    await sleep(t.rollbackAfterAlertMs);
    type Preview = {
      current_version: string;
      target_version: string;
      current: { calls: number; p95_ms: number | null };
      target: { calls: number; p95_ms: number | null };
      in_flight: { count: number };
      expected_cost_change: { per_day_usd: number | null };
      warnings: string[];
      expected_current_version: string;
    };
    const preview = (await api<Preview>('POST', `/v1/models/${m}/rollback/preview`, { to_version: V2, tenants: [tenant], window_s: 300 }))
      .body;
    const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);
    say(
      'preview',
      `rollback preview for tenant ${tenant}: ${preview.current_version} → ${preview.target_version}, p95 ${ms(preview.current.p95_ms)} → ${ms(preview.target.p95_ms)} ` +
        `(${preview.current.calls} and ${preview.target.calls} calls), ${preview.in_flight.count} invocations in flight finish on ${preview.current_version}` +
        `${preview.expected_cost_change.per_day_usd === null ? '' : `, cost ${preview.expected_cost_change.per_day_usd >= 0 ? '+' : ''}${preview.expected_cost_change.per_day_usd.toFixed(4)} USD/day`}` +
        `${preview.warnings.length ? `; warnings: ${preview.warnings.join('; ')}` : ''}`,
    );
    const rolledBackAt = Date.now();
    await api('POST', `/v1/models/${m}/rollback`, {
      to_version: V2,
      tenants: [tenant],
      reason: 'parse is the bottleneck since the OCR version; back to 1.1.0',
      expected_current_version: preview.expected_current_version,
    });
    say('rollback', `rolled back ${STORY_MODEL} to ${V2} for tenant ${tenant}`);

    // 5. Nobody touches the alert: the evaluator resolves it once the backlog drained.
    // (Should it have closed and opened again meanwhile, it is the last one that counts.)
    const resolved = await waitFor('the alert to resolve', async () => {
      const q = `stage=parse&tenant_id=${encodeURIComponent(tenant)}`;
      const active = await api<{ alerts: Alert[] }>('GET', `/v1/alerts?state=active&${q}`);
      if (active.body.alerts.some((a) => a.rule === 'bottleneck')) return undefined;
      const done = await api<{ alerts: (Alert & { updated_at: string })[] }>('GET', `/v1/alerts?state=resolved&${q}`);
      return done.body.alerts.find((a) => a.rule === 'bottleneck' && Date.parse(a.opened_at) >= Date.parse(alert.opened_at));
    });
    const after = Math.round((Date.parse(resolved.updated_at) - rolledBackAt) / 1000);
    say(
      'resolved',
      `alert resolved by itself ${after} s after the rollback, once parse's backlog drained (${resolved.rule} on parse, nobody acknowledged it)`,
    );
  }

  /** The second tenant: its embedder through the gateway, which goes down for a while. */
  async function failureStory() {
    const tenant = failuresTenant;
    await until(t.gatewayAtMs);
    const e = encodeURIComponent(STORY_EMBEDDER.model_name);
    const versions = await api<{ versions: { version: string; config: Record<string, unknown>; pricing: Record<string, unknown> }[] }>(
      'GET',
      `/v1/models/${e}/versions`,
    );
    const base = versions.body.versions.find((v) => v.version === STORY_EMBEDDER.base);
    if (!base) throw new Error(`${STORY_EMBEDDER.model_name} has no version ${STORY_EMBEDDER.base} (the server seeds it)`);
    await api(
      'POST',
      `/v1/models/${e}/versions`,
      {
        version: STORY_EMBEDDER.version,
        // The gateway's endpoint is deployment detail (EMBEDDINGS_URL), not configuration.
        config: { ...base.config, batch_size: 32, timeout_ms: 5_000 },
        pricing: base.pricing,
        reason: 'through the embedding gateway: batches of 32, 5 s timeout',
      },
      [409],
    );
    const deployed = await api(
      'POST',
      `/v1/models/${e}/deployments`,
      { version: STORY_EMBEDDER.version, tenants: [tenant], reason: `${tenant} embeds through its embedding gateway` },
      [409],
    );
    if (deployed.status === 409 && !JSON.stringify(deployed.body).includes('already active'))
      throw new Error(`deploying ${STORY_EMBEDDER.version} for ${tenant} was refused: ${JSON.stringify(deployed.body)}`);
    say(
      'gateway',
      deployed.status === 409
        ? `tenant ${tenant} embeds with ${STORY_EMBEDDER.model_name} ${STORY_EMBEDDER.version} already, through the demo's embedding gateway (${gateway.url})`
        : `deployed ${STORY_EMBEDDER.model_name} ${STORY_EMBEDDER.version} for tenant ${tenant}, through the demo's embedding gateway (${gateway.url})`,
    );
    await until(t.outageAtMs);
    // Only once the tenant's pipeline follows the deploy (its registry poll) does an outage hurt.
    await waitFor('the first request through the gateway', async () => (gateway.served > 0 ? true : undefined));
    gateway.down(true);
    say(
      'outage',
      `embedding gateway down for ${Math.round(t.outageMs / 1000)} s (503): ${tenant}'s embed calls fail and its documents are retried`,
    );
    await sleep(t.outageMs);
    gateway.down(false);
    const counts = (s: RetryStats) =>
      `${s.failed} document runs failed, ${s.retried} retried, ${s.recovered} recovered, ${s.gave_up} given up`;
    const stats = options.retryStats;
    say(
      'outage-over',
      `embedding gateway back up after ${gateway.refused} refused requests${stats ? `; ${tenant} so far: ${counts(stats(tenant))}` : ''}`,
    );
    if (!stats) return;
    // The retries are the feeder's (demo.ts): with backoff, so the first ones land after the outage.
    await waitFor(`${tenant}'s first recovered document`, async () => (stats(tenant).recovered > 0 ? true : undefined));
    say('recovered', `${tenant}'s retried documents are completing: ${counts(stats(tenant))}`);
  }

  const guard = (name: string, chapter: () => Promise<void>) =>
    chapter().catch((error) => {
      if (error instanceof Stopped) return;
      report.failed ??= name;
      log.warn(`demo: the story's ${name} chapter stopped: ${(error as Error).message}`);
    });

  return {
    embeddingsEnv: { ...process.env, EMBEDDINGS_URL: gateway.url },
    run() {
      running ??= (async () => {
        started = Date.now();
        await Promise.all([guard('parser', parserStory), guard('failures', failureStory)]);
        return report;
      })();
      return running;
    },
    async stop() {
      controller.abort();
      await running;
      await gateway.close();
    },
  };
}

/**
 * An OpenAI-compatible embeddings endpoint on a loopback port, standing in for a
 * remote embedding service (an Ollama, a hosted API): the local hashed TF-IDF
 * embedder at 768 dimensions. `down(true)` makes it answer 503 until `down(false)`.
 */
export async function startEmbeddingGateway() {
  const embedder = createLocalEmbedder({ dim: 768 });
  let down = false;
  let refused = 0;
  let served = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/embeddings')) return send(404, { error: { message: 'POST /v1/embeddings' } });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) {
        refused++;
        return send(503, { error: { message: 'embedding gateway unavailable (demo outage)' } });
      }
      let input: unknown;
      try {
        input = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input?: unknown }).input;
      } catch {
        return send(400, { error: { message: 'body is not JSON' } });
      }
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((s) => typeof s === 'string') ? input : null;
      if (!texts) return send(400, { error: { message: '`input` must be a string or an array of strings' } });
      served++;
      embedder.invoke({ document_id: 'gateway', chunks: texts.map((text, index) => ({ index, text })) }).then(
        ({ output }) =>
          send(200, {
            object: 'list',
            model: 'nomic-embed-text',
            data: output.vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
          }),
        (error: Error) => send(500, { error: { message: error.message } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    down(value: boolean) {
      down = value;
    },
    get refused() {
      return refused;
    },
    get served() {
      return served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loggerOptions } from '../../src/kernel/log-redaction.ts';
import { freshPgDatabase, makeEvent, REDIS_URL, TEST_ADMIN_TOKEN, tempDir, uniq, until } from '../helper.ts';
import { call, ingestKey } from './support.ts';

/**
 * Must show: after ingesting events whose inputs carry canary PII of every type, a
 * pg_dump of the database, the server log and the Redis stream contain none of the
 * canaries in plain text. Real PostgreSQL, real Redis, the server logging at `trace`
 * with request logging on, and the production logger options.
 */
const CANARIES: Record<string, string> = {
  EMAIL: 'canary.bird@example.com',
  PHONE: '+44 20 7946 0123',
  SSN: '078-05-1120',
  CREDIT_CARD: '4111 1111 1111 1111',
  IBAN: 'DE89 3704 0044 0532 0130 00',
  IPV4: '198.51.100.77',
  IPV6: '2001:db8:85a3::8a2e:370:7334',
  MAC: 'a4:5e:60:c2:11:9f',
  DATE_OF_BIRTH: '1977-07-07',
  PASSPORT: 'K12345678',
  NATIONAL_ID: 'QQ 12 34 56 C',
  ADDRESS: '221B Baker Street',
  PERSON: 'Maria Garcia',
  SECRET_KEY: 'sk_live_CanaryCanary0123456789',
  GITHUB_TOKEN: 'ghp_CanaryCanaryCanaryCanaryCanary012345',
  JWT: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5c2lnbmF0dXJl',
};
// Each canary in a sentence with a cue, as it would appear in a document.
const sentence = () =>
  `Email ${CANARIES.EMAIL}, call ${CANARIES.PHONE}, SSN ${CANARIES.SSN}, card ${CANARIES.CREDIT_CARD}, IBAN ${CANARIES.IBAN}, ` +
  `from ${CANARIES.IPV4} and ${CANARIES.IPV6}, mac ${CANARIES.MAC}, DOB: ${CANARIES.DATE_OF_BIRTH}, passport no. ${CANARIES.PASSPORT}, ` +
  `national insurance number ${CANARIES.NATIONAL_ID}, ship to ${CANARIES.ADDRESS}, ask ${CANARIES.PERSON}. ` +
  `key ${CANARIES.SECRET_KEY} token ${CANARIES.GITHUB_TOKEN} bearer ${CANARIES.JWT}`;

describe('no PII canary reaches the database, the log or the Redis stream (PostgreSQL + Redis)', () => {
  const log: string[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  let url: string;
  let db: Awaited<ReturnType<typeof freshPgDatabase>>;
  const prefix = uniq('fmo-pii-');
  const tenant = uniq('pii');

  beforeAll(async () => {
    db = await freshPgDatabase();
    const config = loadConfig(
      {},
      {
        port: 0,
        host: '127.0.0.1',
        dataDir: tempDir(),
        databaseUrl: db.url,
        redisUrl: REDIS_URL,
        redisPrefix: prefix,
        demo: false,
        consumerName: uniq('w'),
        adminToken: TEST_ADMIN_TOKEN,
        retentionEveryMs: 0,
        loginLink: false,
        logLevel: 'trace',
        auditCheckpointMs: 100,
      },
    );
    const stream = new Writable({
      write(chunk, _enc, done) {
        log.push(chunk.toString());
        done();
      },
    });
    app = await buildApp({ config, logger: { ...loggerOptions('trace'), stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    const r = new Redis(REDIS_URL);
    await r.del(`${prefix}:events`);
    r.disconnect();
    await db?.drop();
  });

  it('ingests canaries in inputs, outputs, rationale, error messages and metadata; none is stored, logged or streamed in clear', async () => {
    const { key } = await ingestKey(url, tenant);
    const text = sentence();
    const events = [
      makeEvent({
        tenant_id: tenant,
        trace: {
          input: { document: text, nested: [{ note: text }] },
          output: { summary: text },
          decision_rationale: text,
          confidence_score: 0.7,
        },
        metadata: { note: text, reviewer: CANARIES.PERSON, contact: CANARIES.EMAIL },
      }),
      makeEvent({ tenant_id: tenant, status: 'failed', error: { type: 'ValidationError', message: text }, metadata: { comment: text } }),
    ];
    // A rejected item and a malformed token: error paths log too.
    const bad = { ...makeEvent({ tenant_id: tenant }), status: 'nope', metadata: { note: text } };
    const r = await call(`${url}/v1/events?note=${encodeURIComponent(CANARIES.EMAIL as string)}`, key, {
      method: 'POST',
      body: JSON.stringify({ events: [...events, bad] }),
    });
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(2);
    await call(`${url}/v1/session`, `${CANARIES.SECRET_KEY}x`);
    await call(`${url}/telemetry/stream?access_token=${CANARIES.JWT}`, null);

    // Stored (and readable, redacted) before we look for the canaries.
    const stored = await until(
      () => call(`${url}/v1/events/${events[0]?.id}`, TEST_ADMIN_TOKEN),
      (x) => x.status === 200,
    );
    expect(JSON.stringify(stored.body.trace.input)).toMatch(/<EMAIL_1>/);
    expect(stored.body.trace.redactions.EMAIL).toBeGreaterThan(0);
    await until(
      () => call(`${url}/v1/audit?tenant_id=${tenant}&action=events.batch`, TEST_ADMIN_TOKEN),
      (x) => x.body.entries?.length >= 1,
    );

    const dump = execFileSync('pg_dump', ['--no-owner', '--data-only', db.url], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8');
    expect(dump).toContain(events[0]?.id as string); // the dump is of the right database
    const redis = new Redis(REDIS_URL);
    const entries = await redis.xrange(`${prefix}:events`, '-', '+');
    redis.disconnect();
    const streamText = JSON.stringify(entries);
    expect(streamText).toContain(events[0]?.id as string);
    const logText = log.join('');
    expect(logText).toMatch(/"url":"\/v1\/events"/); // request logging was on
    const leaks: string[] = [];
    for (const [type, canary] of Object.entries(CANARIES)) {
      for (const [where, hay] of [
        ['pg_dump', dump],
        ['redis stream', streamText],
        ['server log', logText],
      ] as const) {
        if (hay.includes(canary)) leaks.push(`${type} (${canary}) in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

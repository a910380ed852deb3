#!/usr/bin/env -S npx tsx
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCommand } from './cli/load-command.ts';
import { intOption, parseDuration, UsageError } from './cli/options.ts';
import { runCommand } from './cli/run-command.ts';

export { parseDuration } from './cli/options.ts';

/**
 * `npm run pipeline -- <command>`:
 *
 *   run <dir> --tenant <id> [--watch] [--concurrency 4] [--out <dir> | --no-store]
 *   load [--concurrency 2000] [--duration 60s] [--tenant loadtest] [--latency-ms 25] [--no-verify]
 *
 * Both take --endpoint / --api-key (or FMO_ENDPOINT / FMO_API_KEY). Stage models follow
 * the server's model registry (`/v1/pipeline/config`), polled every few seconds; with
 * no registry the built-in defaults run, and the log says so once.
 *
 * This file parses the arguments and dispatches; each command lives in `cli/`.
 */

const USAGE = `usage:
  npm run pipeline -- run <dir> --tenant <id> [--watch] [--concurrency N] [--out DIR | --no-store]
  npm run pipeline -- load [--concurrency 2000] [--duration 60s] [--tenant ID] [--latency-ms 25] [--no-verify]
common: --endpoint URL (FMO_ENDPOINT, default http://localhost:8000)  --api-key KEY (FMO_API_KEY)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      watch: { type: 'boolean', default: false },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string', default: '60s' },
      'latency-ms': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
      'no-registry': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const endpoint = values.endpoint ?? process.env.FMO_ENDPOINT ?? 'http://localhost:8000';
  const apiKey = values['api-key'] ?? process.env.FMO_API_KEY ?? undefined;

  if (command === 'run') {
    const dir = rest[0];
    if (!dir) return fail('run needs a directory: npm run pipeline -- run <dir> --tenant <id>');
    if (!values.tenant) return fail('run needs --tenant <id>');
    const concurrency = intOption(values.concurrency, 4, '--concurrency');
    return runCommand({
      dir: resolve(dir),
      tenant: values.tenant,
      watch: values.watch,
      endpoint,
      apiKey,
      concurrency,
      store: !values['no-store'],
      out: values.out,
      registry: !values['no-registry'],
    });
  }
  if (command === 'load') {
    return loadCommand({
      tenant: values.tenant ?? 'loadtest',
      endpoint,
      apiKey,
      concurrency: intOption(values.concurrency, 2000, '--concurrency'),
      durationMs: parseDuration(values.duration),
      latencyMs: values['latency-ms'] === undefined ? 25 : intOption(values['latency-ms'], 25, '--latency-ms', 0),
      seed: values.seed === undefined ? Date.now() % 100_000 : intOption(values.seed, 1, '--seed', 0),
      verify: !values['no-verify'],
    });
  }
  return fail(`unknown command '${command}'\n${USAGE}`);
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);

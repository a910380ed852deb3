import client from 'prom-client';
import type { SealStats } from '../crypto/trace-crypto.ts';

export interface Metrics {
  registry: client.Registry;
  ingested: client.Counter<'result'>;
  busBacklog: client.Gauge;
  writerBatch: client.Histogram;
  writerQuarantined: client.Counter;
  quarantineRows: client.Gauge;
  sseClients: client.Gauge;
}

/** The Prometheus metrics of one process (served at `GET /metrics` by plugins/metrics.ts):
 * ingest rate, bus lag, writer batches and quarantine, SSE clients. */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'fmo_' });
  return {
    registry,
    ingested: new client.Counter({
      name: 'fmo_ingest_events_total',
      help: 'Events by ingest result',
      labelNames: ['result'],
      registers: [registry],
    }),
    busBacklog: new client.Gauge({
      name: 'fmo_bus_backlog',
      help: 'Records on the bus not yet written to the database',
      registers: [registry],
    }),
    writerBatch: new client.Histogram({
      name: 'fmo_writer_batch_size',
      help: 'Records per database write',
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    writerQuarantined: new client.Counter({
      name: 'fmo_writer_quarantined_total',
      help: 'Records the writer could not store and put in the quarantine (GET /v1/quarantine)',
      registers: [registry],
    }),
    quarantineRows: new client.Gauge({
      name: 'fmo_writer_quarantine_rows',
      help: 'Rows in the writer quarantine table',
      registers: [registry],
    }),
    sseClients: new client.Gauge({ name: 'fmo_sse_clients', help: 'Connected live clients', registers: [registry] }),
  };
}

/** The data keys' seal budget (crypto/trace-crypto.ts): read from the keyring's own
 * counters when `/metrics` is scraped. */
export function registerSealMetrics(registry: client.Registry, stats: SealStats) {
  new client.Gauge({
    name: 'fmo_data_key_seals',
    help: 'Values this process has sealed with tenant data keys since it started',
    registers: [registry],
    collect() {
      this.set(stats.sealed);
    },
  });
  new client.Gauge({
    name: 'fmo_data_key_auto_rotations',
    help: 'Data keys this process rotated because they reached FMO_DATA_KEY_MAX_SEALS',
    registers: [registry],
    collect() {
      this.set(stats.rotations);
    },
  });
  new client.Gauge({
    name: 'fmo_data_key_seal_budget_used',
    help: 'Highest share of FMO_DATA_KEY_MAX_SEALS used by any primary data key (1 = rotation due)',
    registers: [registry],
    collect() {
      this.set(stats.highestShare);
    },
  });
}

import client from 'prom-client';

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

/**
 * Child process of bench/fanout.ts: N concurrent SSE connections to one server, each
 * recording delivery latency (now − the event's scheduled time `metadata.t`) in one
 * shared HdrHistogram. Plain `http` with a minimal frame parser rather than N
 * EventSource objects, so that this process — not the server — is cheap per message.
 *
 *   URL=… N=1000 node --import tsx bench/lib/sse-clients.ts
 * Prints `connected` once all are open; on SIGTERM prints one JSON summary and exits.
 */
import http from 'node:http';
import { epochMs, histogram } from './common.ts';

const url = process.env.URL as string;
const n = Number(process.env.N ?? 1000);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const h = histogram();
let frames = 0;
let open = 0;
let errors = 0;
const T = /"t":([0-9.]+)/;
/** Set by the parent (IPC) once the warm-up is over: earlier events are not recorded. */
let recordAfter = Number.POSITIVE_INFINITY;
process.on('message', (m: { recordAfter?: number }) => {
  if (typeof m.recordAfter === 'number') recordAfter = m.recordAfter;
});

for (let i = 0; i < n; i++) {
  http
    .get(url, { agent, headers: { authorization: `Bearer ${process.env.FMO_API_KEY}`, accept: 'text/event-stream' } }, (res) => {
      open++;
      if (open === n) console.log('connected');
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end = buf.indexOf('\n\n');
        if (end < 0) return;
        const now = epochMs();
        while (end >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (frame.includes('event: model_event')) {
            const m = T.exec(frame);
            if (m) {
              const t = Number(m[1]);
              frames++;
              if (t >= recordAfter) h.recordValue(Math.max(1, Math.round((now - t) * 1000)));
            }
          }
          end = buf.indexOf('\n\n');
        }
      });
      res.on('error', () => errors++);
    })
    .on('error', () => errors++);
}

process.on('SIGTERM', () => {
  console.log(
    JSON.stringify({ open, errors, frames, count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue }),
  );
  process.exit(0);
});

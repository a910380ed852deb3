import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { IngestResponse, ModelEventInput } from '@frostbyte/contracts';

export interface ReceivedRequest {
  at: number;
  headers: IncomingMessage['headers'];
  events: ModelEventInput[];
}

/**
 * A tiny real ingest server for tests: `POST /v1/events`, gzip or plain JSON,
 * idempotent on event id like the real one. `stop()` closes the port (and live
 * keep-alive sockets) to simulate an outage; `start()` reopens the same port.
 */
export class IngestServer {
  readonly requests: ReceivedRequest[] = [];
  /** Every delivery, duplicates included, in arrival order. */
  readonly deliveries: ModelEventInput[] = [];
  readonly #seen = new Map<string, ModelEventInput>();
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  /** Set to force a status for the next requests (e.g. 503, 400). */
  forceStatus: number | undefined;
  /** With `forceStatus`, how many requests get it before the server recovers on its own. */
  forceCount = Infinity;
  /** Requests answered with a forced status. */
  forced = 0;
  /** Requests received whose reply is being held (see `hold`), and the most at once. */
  open = 0;
  maxOpen = 0;
  #held: Promise<void> | undefined;

  /** Holds every reply (requests are still recorded) until the returned function is called. */
  hold(): () => void {
    let release = () => {};
    this.#held = new Promise<void>((resolve) => {
      release = () => {
        this.#held = undefined;
        resolve();
      };
    });
    return release;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Unique events by id, in first-arrival order. */
  get events(): ModelEventInput[] {
    return [...this.#seen.values()];
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/events') {
      res.writeHead(404).end();
      return;
    }
    if (this.forceStatus !== undefined) {
      const status = this.forceStatus;
      this.forced++;
      if (--this.forceCount <= 0) this.forceStatus = undefined;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'forced' }));
      return;
    }
    let raw: Buffer = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const body = JSON.parse(raw.toString('utf8')) as { events: ModelEventInput[] };
    this.requests.push({ at: performance.now(), headers: req.headers, events: body.events });
    const reply: IngestResponse = { accepted: 0, accepted_ids: [], duplicates: 0, rejected: [] };
    body.events.forEach((event, index) => {
      this.deliveries.push(event);
      if (typeof event.id !== 'string') {
        reply.rejected.push({ index, id: null, errors: [{ path: '/id', message: 'missing' }] });
      } else if (this.#seen.has(event.id)) {
        // As the real server answers (ingest/ingest-events.ts): a duplicate is also
        // accepted, and counted in `accepted` and `accepted_ids`.
        reply.duplicates++;
        reply.accepted++;
        reply.accepted_ids.push(event.id);
      } else {
        this.#seen.set(event.id, event);
        reply.accepted++;
        reply.accepted_ids.push(event.id);
      }
    });
    if (this.#held !== undefined) {
      this.maxOpen = Math.max(this.maxOpen, ++this.open);
      await this.#held;
      this.open--;
    }
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  }
}

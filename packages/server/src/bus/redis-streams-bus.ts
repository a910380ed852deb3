import { Redis } from 'ioredis';
import type { ModelEvent } from '@frostbyte/contracts';
import type { BusRecord, EventRecord } from '../kernel/event-record.ts';
import { type Bus, BusFullError, type BusNotice, BusUnavailableError, parseNotice } from './bus.ts';

type StreamEntry = [id: string, fields: string[]];

const GROUP = 'writers';
const CLAIM_IDLE_MS = 15_000;

/**
 * Appends a batch as one command: per record an XADD of its event and, when it has one,
 * its sealed trace. A pipeline of XADDs costs a command object, a reply and a promise
 * per record in this process; the script costs one per batch. ARGV: MAXLEN, then per
 * record the event JSON and the trace JSON ('' for none). EVALSHA, reloaded by ioredis
 * after a Redis restart.
 */
const APPEND_LUA = `
local ids = {}
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i])
  else
    ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[i], 't', ARGV[i + 1])
  end
end
return ids`;

type AppendCommand = Redis & { fmoAppend(key: string, ...args: (string | number)[]): Promise<string[]> };

/**
 * An entry holds one record in two fields, `e` (the event) and `t` (its sealed trace,
 * when it has one), so the live tail parses only the event. `r` (the whole record) is
 * what earlier versions wrote: still read, so an upgrade writes what they left behind.
 */
function decodeRecords(entries: StreamEntry[] | null | undefined): BusRecord[] {
  const out: BusRecord[] = [];
  for (const entry of entries ?? []) {
    if (!entry) continue; // XAUTOCLAIM may return nil for entries trimmed meanwhile
    const [seq, f] = entry;
    if (!f) continue;
    let event: EventRecord['event'] | null = null;
    let trace: EventRecord['trace'] = null;
    try {
      for (let i = 0; i < f.length; i += 2) {
        const v = f[i + 1] as string;
        if (f[i] === 'e') event = JSON.parse(v);
        else if (f[i] === 't') trace = JSON.parse(v);
        else if (f[i] === 'r') ({ event, trace } = JSON.parse(v) as EventRecord);
      }
    } catch {
      event = null;
    }
    // An entry this code cannot read (another producer, a damaged entry) still reaches
    // the writer, which cannot store it and so quarantines it with its fields (issue
    // 12): skipping it would leave it pending forever, throwing would wedge every read.
    if (!event || typeof event !== 'object') {
      out.push({
        seq,
        record: { event: { unreadable_entry: f.slice(0, 8).map((x) => String(x).slice(0, 10_000)) } as never, trace: null },
      });
      continue;
    }
    out.push({ seq, record: { event, trace } });
  }
  return out;
}

function decodeEvents(entries: StreamEntry[] | null | undefined): ModelEvent[] {
  const out: ModelEvent[] = [];
  for (const entry of entries ?? []) {
    if (!entry) continue;
    const [seq, f] = entry;
    for (let i = 0; f && i < f.length; i += 2) {
      if (f[i] !== 'e' && f[i] !== 'r') continue;
      let v: { event?: ModelEvent } & ModelEvent;
      try {
        v = JSON.parse(f[i + 1] as string);
      } catch {
        break; // unreadable: the writer quarantines it; the live side skips it
      }
      const event = (f[i] === 'e' ? v : v.event) as ModelEvent;
      event.seq = seq;
      out.push(event);
      break;
    }
  }
  return out;
}

/**
 * Redis Streams: `XADD … MAXLEN ~` to append, one consumer group (`writers`) feeding
 * the DB writers with `XREADGROUP`/`XACK`, `XAUTOCLAIM` taking over what a crashed
 * writer left pending, and `XREAD` for each process's SSE tail. Several server
 * processes share one stream; Redis orders their appends.
 *
 * MAXLEN trims old entries whether or not they were acked (Redis 7), so append
 * refuses new records when the unwritten backlog nears the cap.
 */
export class RedisStreamsBus implements Bus {
  readonly kind = 'redis';
  readonly durable = true;
  private readonly key: string;
  /** Pub/sub channel of notices between the processes sharing this prefix. */
  private readonly channel: string;
  /** Subscribed lazily: a connection in subscriber mode can do nothing else. */
  private noticeConn: Redis | null = null;
  private readonly noticeListeners = new Set<(n: BusNotice) => void>();
  private readonly cmd: Redis;
  /** One connection per consumer: XREADGROUP BLOCK holds its connection, so two
   * writer loops on one connection would wait for each other. */
  private readonly groupConns = new Map<string, Redis>();
  private readonly tailConns = new Set<Redis>();
  private backlogCache = { at: 0, value: 0 };
  private readonly ownPendingDone = new Set<string>();
  private lastClaim = 0;

  private constructor(
    private readonly url: string,
    prefix: string,
    private readonly maxLen: number,
  ) {
    this.key = `${prefix}:events`;
    this.channel = `${prefix}:notices`;
    const opts = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false };
    this.cmd = new Redis(url, opts);
    this.cmd.on('error', () => {}); // reconnects by itself; callers see failures
    this.cmd.defineCommand('fmoAppend', { numberOfKeys: 1, lua: APPEND_LUA });
  }

  static async connect(url: string, prefix = 'fmo', maxLen = 1_000_000): Promise<RedisStreamsBus> {
    const bus = new RedisStreamsBus(url, prefix, maxLen);
    await bus.ensureGroup();
    return bus;
  }

  private async ensureGroup() {
    try {
      await this.cmd.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!String(e).includes('BUSYGROUP')) throw e;
    }
  }

  async append(records: readonly EventRecord[]): Promise<string[]> {
    try {
      const backlog = await this.backlog(true);
      if (backlog + records.length > this.maxLen * 0.9) throw new BusFullError(backlog);
      const args: (string | number)[] = [this.maxLen];
      for (const r of records) args.push(JSON.stringify(r.event), r.trace ? JSON.stringify(r.trace) : '');
      const ids = await (this.cmd as AppendCommand).fmoAppend(this.key, ...args);
      this.backlogCache.value += records.length; // keep the cached figure honest between refreshes
      return ids;
    } catch (e) {
      if (e instanceof BusFullError) throw e;
      throw new BusUnavailableError(e);
    }
  }

  tail(after: string | null, onEvents: (events: ModelEvent[]) => void): () => void {
    const conn = new Redis(this.url, { maxRetriesPerRequest: null });
    conn.on('error', () => {});
    this.tailConns.add(conn);
    let stopped = false;
    const loop = async () => {
      let last = after;
      while (!stopped) {
        try {
          if (last === null) {
            const top = (await conn.xrevrange(this.key, '+', '-', 'COUNT', 1)) as StreamEntry[];
            last = top[0]?.[0] ?? '0-0';
          }
          const res = (await conn.xread('COUNT', 2000, 'BLOCK', 1000, 'STREAMS', this.key, last)) as [string, StreamEntry[]][] | null;
          const entries = res?.[0]?.[1];
          if (entries?.length) {
            last = (entries[entries.length - 1] as StreamEntry)[0];
            onEvents(decodeEvents(entries));
          }
        } catch {
          if (stopped) return;
          await new Promise((r) => setTimeout(r, 250)); // Redis away: retry; `last` keeps our place
        }
      }
    };
    void loop();
    return () => {
      stopped = true;
      this.tailConns.delete(conn);
      conn.disconnect();
    };
  }

  async range(after: string, limit: number) {
    return decodeEvents((await this.cmd.xrange(this.key, `(${after}`, '+', 'COUNT', limit)) as StreamEntry[]);
  }

  async oldestSeq() {
    const first = (await this.cmd.xrange(this.key, '-', '+', 'COUNT', 1)) as StreamEntry[];
    return first[0]?.[0] ?? null;
  }

  async newestSeq() {
    const top = (await this.cmd.xrevrange(this.key, '+', '-', 'COUNT', 1)) as StreamEntry[];
    return top[0]?.[0] ?? null;
  }

  private groupConn(consumer: string): Redis {
    let c = this.groupConns.get(consumer);
    if (!c) {
      c = new Redis(this.url, { maxRetriesPerRequest: null, enableOfflineQueue: true });
      c.on('error', () => {});
      this.groupConns.set(consumer, c);
    }
    return c;
  }

  async readGroup(consumer: string, count: number, blockMs: number): Promise<BusRecord[]> {
    try {
      return await this.readGroupOnce(consumer, count, blockMs);
    } catch (e) {
      // Redis restarted without persistence: the stream and group are gone.
      if (String(e).includes('NOGROUP')) {
        await this.ensureGroup();
        return [];
      }
      throw e;
    }
  }

  private async readGroupOnce(consumer: string, count: number, blockMs: number): Promise<BusRecord[]> {
    const conn = this.groupConn(consumer);
    if (!this.ownPendingDone.has(consumer)) {
      const res = (await conn.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', this.key, '0')) as
        | [string, StreamEntry[]][]
        | null;
      const own = decodeRecords(res?.[0]?.[1]);
      if (own.length) return own;
      this.ownPendingDone.add(consumer);
    }
    if (Date.now() - this.lastClaim > CLAIM_IDLE_MS / 3) {
      this.lastClaim = Date.now();
      const [, claimed] = (await conn.xautoclaim(this.key, GROUP, consumer, CLAIM_IDLE_MS, '0-0', 'COUNT', count)) as [
        string,
        StreamEntry[],
      ];
      const taken = decodeRecords(claimed);
      if (taken.length) return taken;
    }
    const res = (await conn.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      | [string, StreamEntry[]][]
      | null;
    return decodeRecords(res?.[0]?.[1]);
  }

  async ack(seqs: readonly string[]) {
    if (seqs.length) await this.cmd.xack(this.key, GROUP, ...seqs);
  }

  /** Entries not yet acked: the group's lag (never delivered) plus its pending list. */
  async backlog(cached = false): Promise<number> {
    if (cached && Date.now() - this.backlogCache.at < 500) return this.backlogCache.value;
    const groups = (await this.cmd.xinfo('GROUPS', this.key).catch(() => [])) as unknown[][];
    let value = 0;
    for (const g of groups) {
      const f = new Map<string, unknown>();
      for (let i = 0; i < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
      if (f.get('name') !== GROUP) continue;
      value = Number(f.get('pending') ?? 0) + Number(f.get('lag') ?? 0);
    }
    this.backlogCache = { at: Date.now(), value };
    return value;
  }

  async ping() {
    await this.cmd.ping();
  }

  async announce(notice: BusNotice) {
    await this.cmd.publish(this.channel, JSON.stringify(notice));
  }

  onNotice(listener: (n: BusNotice) => void) {
    this.noticeListeners.add(listener);
    if (!this.noticeConn) {
      const conn = new Redis(this.url, { maxRetriesPerRequest: null });
      conn.on('error', () => {}); // ioredis re-subscribes after a reconnect
      conn.on('message', (channel: string, raw: string) => {
        const n = channel === this.channel ? parseNotice(raw) : null;
        if (n) for (const l of this.noticeListeners) l(n);
      });
      void conn.subscribe(this.channel).catch(() => {});
      this.noticeConn = conn;
    }
    return () => this.noticeListeners.delete(listener);
  }

  async close() {
    this.noticeConn?.disconnect();
    this.noticeConn = null;
    this.noticeListeners.clear();
    for (const c of this.tailConns) c.disconnect();
    this.tailConns.clear();
    this.cmd.disconnect();
    for (const c of this.groupConns.values()) c.disconnect();
    this.groupConns.clear();
  }
}

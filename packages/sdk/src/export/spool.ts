import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ModelEventInput, newId } from '@frostbyte/contracts';

/**
 * Append-only, on-disk queue of batches for when the server is unreachable.
 *
 * Layout in the spool directory, per segment:
 *   `<segment-id>.<pid>-<tag>.jsonl`  one `{"events":[...]}` line per batch, fsynced per batch
 *   `<segment-id>.offset`             bytes of that file already acknowledged by the server
 * Segment ids are UUIDv7, so sorting names replays segments oldest first. The owner
 * (`pid-tag`) is in the file name; a segment whose owner is gone (process exited or
 * crashed, or a shut-down instance in this process) is claimed by renaming it to the
 * new owner — rename is atomic, so of two processes starting at once exactly one wins.
 *
 * Invariants: a line is only read once it is fully written and fsynced; the offset only
 * moves past a line after the server acknowledged it. A crash between the ack and the
 * offset write replays that batch once more, which the server absorbs (event ids are
 * idempotency keys). A torn last line from a crash mid-write was never acknowledged to
 * anyone and is skipped.
 */
export class Spool {
  readonly #segments: Segment[] = [];
  #active: Segment | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly dir: string,
    readonly owner: string,
    readonly tag: string,
    readonly maxBytes: number,
    readonly segmentBytes: number,
    readonly warn: (message: string) => void,
  ) {}

  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const tag = randomBytes(4).toString('hex');
    liveTags.add(tag);
    const spool = new Spool(
      dir,
      `${process.pid}-${tag}`,
      tag,
      options.maxBytes ?? 1024 ** 3,
      options.segmentBytes ?? 64 * 1024 ** 2,
      options.warn ?? ((m) => console.warn(`[fmo-telemetry] ${m}`)),
    );
    await spool.#claimLeftovers();
    return spool;
  }

  /** Bytes written and not yet acknowledged. */
  get pendingBytes(): number {
    let n = 0;
    for (const s of this.#segments) n += s.size - s.offset;
    return n;
  }

  /** Closed (at shutdown): `append` refuses from now on. */
  get closed(): boolean {
    return this.#closed;
  }

  get isEmpty(): boolean {
    return this.pendingBytes === 0;
  }

  /** Appends one batch as one line and fsyncs it. Resolves false (nothing written)
   * when the spool is at its size cap or closed. */
  append(events: readonly ModelEventInput[]): Promise<boolean> {
    return this.#serial(async () => {
      if (this.#closed) return false;
      if (events.length === 0) return true;
      const line = Buffer.from(`{"events":${JSON.stringify(events)}}\n`);
      if (this.pendingBytes + line.length > this.maxBytes) return false;
      const segment = this.#active ?? (await this.#newSegment());
      await segment.handle().then(async (fh) => {
        await fh.write(line, 0, line.length, null);
        await fh.datasync();
      });
      segment.size += line.length;
      if (segment.size >= this.segmentBytes) this.#active = undefined; // sealed; the next append starts a new one
      return true;
    });
  }

  /** The oldest unacknowledged batch, or undefined when everything is acknowledged. */
  next(): Promise<SpoolEntry | undefined> {
    return this.#serial(async () => {
      while (this.#segments.length > 0) {
        const segment = this.#segments[0] as Segment;
        if (segment.offset >= segment.size) {
          if (segment === this.#active) return undefined;
          await this.#remove(segment);
          continue;
        }
        const line = await readLine(await segment.handle(), segment.offset, segment.size);
        if (line === undefined) {
          this.warn(`spool segment ${segment.path} ends in a torn line (crash mid-write); skipping ${segment.size - segment.offset} bytes`);
          segment.size = segment.offset;
          continue;
        }
        const end = segment.offset + line.bytes;
        try {
          const parsed = JSON.parse(line.text) as { events?: ModelEventInput[] };
          if (!Array.isArray(parsed.events)) throw new Error('no events array');
          return { segment, start: segment.offset, end, events: parsed.events };
        } catch (error) {
          this.warn(`spool segment ${segment.path}: unreadable line at byte ${segment.offset} skipped (${String(error)})`);
          await this.#advance(segment, end);
        }
      }
      return undefined;
    });
  }

  /** Marks `entry` acknowledged: the offset moves past it and drained segments are deleted. */
  commit(entry: SpoolEntry): Promise<void> {
    return this.#serial(() => this.#advance(entry.segment, entry.end));
  }

  /** Closes files and gives up ownership, so a later instance can replay what is left. */
  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      for (const s of [...this.#segments]) {
        if (s.offset >= s.size) await this.#remove(s);
        else await s.close();
      }
      liveTags.delete(this.tag);
    });
  }

  async #advance(segment: Segment, end: number): Promise<void> {
    segment.offset = end;
    if (segment.offset >= segment.size) {
      await this.#remove(segment);
      return;
    }
    const tmp = `${segment.offsetPath}.tmp`;
    await writeFile(tmp, String(end));
    await rename(tmp, segment.offsetPath);
  }

  async #remove(segment: Segment): Promise<void> {
    await segment.close();
    await unlink(segment.path).catch(ignoreMissing);
    await unlink(segment.offsetPath).catch(ignoreMissing);
    const i = this.#segments.indexOf(segment);
    if (i >= 0) this.#segments.splice(i, 1);
    if (this.#active === segment) this.#active = undefined;
  }

  async #newSegment(): Promise<Segment> {
    const id = newId();
    const segment = new Segment(this.dir, id, join(this.dir, `${id}.${this.owner}.jsonl`), 0, 0);
    await segment.handle();
    await fsyncDir(this.dir); // the new file's directory entry must survive a crash too
    this.#segments.push(segment);
    this.#active = segment;
    return segment;
  }

  async #claimLeftovers(): Promise<void> {
    const names = (await readdir(this.dir)).sort();
    const present = new Set<string>();
    for (const name of names) {
      const m = SEGMENT_NAME.exec(name);
      if (m === null) continue;
      const [, id, pid, tag] = m as unknown as [string, string, string, string];
      present.add(id);
      if (ownerAlive(Number(pid), tag)) continue;
      const path = join(this.dir, `${id}.${this.owner}.jsonl`);
      try {
        await rename(join(this.dir, name), path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process claimed it
        throw error;
      }
      const size = (await stat(path)).size;
      const offsetPath = join(this.dir, `${id}.offset`);
      const offset = Number((await readFile(offsetPath, 'utf8').catch(() => '0')).trim()) || 0;
      this.#segments.push(new Segment(this.dir, id, path, Math.min(offset, size), size));
    }
    // Offsets whose segment is gone belong to a crash between the two unlinks.
    for (const name of names) {
      const m = /^(.+)\.offset$/.exec(name);
      if (m !== null && !present.has(m[1] as string)) await unlink(join(this.dir, name)).catch(ignoreMissing);
    }
    this.#segments.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(op, op);
    this.#chain = run.catch(() => undefined);
    return run;
  }
}

export interface SpoolOptions {
  /** Cap on unacknowledged bytes; appends beyond it are refused. Default 1 GiB. */
  maxBytes?: number;
  /** Segment size after which a new file is started (so replayed ones can be deleted). Default 64 MiB. */
  segmentBytes?: number;
  warn?: (message: string) => void;
}

export interface SpoolEntry {
  readonly segment: Segment;
  readonly start: number;
  readonly end: number;
  readonly events: ModelEventInput[];
}

class Segment {
  #fh: Promise<FileHandle> | undefined;
  constructor(
    readonly dir: string,
    readonly id: string,
    readonly path: string,
    public offset: number,
    public size: number,
  ) {}
  get offsetPath(): string {
    return join(this.dir, `${this.id}.offset`);
  }
  handle(): Promise<FileHandle> {
    this.#fh ??= open(this.path, 'a+');
    return this.#fh;
  }
  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (fh !== undefined) await (await fh).close();
  }
}

const SEGMENT_NAME = /^([0-9a-f-]{36})\.(\d+)-([0-9a-f]+)\.jsonl$/;

/** Spool owners alive in this process (instances that have not closed their spool). */
const liveTags = new Set<string>();

function ownerAlive(pid: number, tag: string): boolean {
  if (pid === process.pid) return liveTags.has(tag);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLine(fh: FileHandle, from: number, limit: number): Promise<{ text: string; bytes: number } | undefined> {
  const chunks: Buffer[] = [];
  let pos = from;
  let chunkSize = 256 * 1024;
  while (pos < limit) {
    const buf = Buffer.allocUnsafe(Math.min(chunkSize, limit - pos));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) {
      chunks.push(buf.subarray(0, nl));
      const body = Buffer.concat(chunks);
      return { text: body.toString('utf8'), bytes: body.length + 1 };
    }
    chunks.push(buf.subarray(0, bytesRead));
    pos += bytesRead;
    chunkSize *= 2;
  }
  return undefined;
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not every platform can fsync a directory; the data fsync still holds.
  }
}

const ignoreMissing = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'ENOENT') throw error;
};

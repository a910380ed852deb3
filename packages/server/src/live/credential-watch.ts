import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Authenticator, RequestContext } from '../access/auth.ts';
import type { Bus } from '../bus/bus.ts';
import { HttpError } from '../kernel/errors.ts';
import type { Permission } from '../access/permissions.ts';

/** How often every open session's credential is re-read from the database: the
 * fallback that ends a session within 5 s of a disable or revocation even when the
 * bus notice is lost (another process, Redis briefly away), or the change was made
 * where no notice is sent (the CLI's direct mode). */
export const RECHECK_MS = 2000;

/** An open live session (an SSE stream, a WebSocket tracer session). */
export interface LiveSession {
  /** The context it was opened with: its principal is re-checked as long as it is
   * open, its scope is what it streams. */
  ctx: RequestContext;
  /** The permission the session needs (its route's). */
  permission: Permission;
  /** Ends the session, telling the client why. Called once. */
  end(reason: string): void;
}

/** Whether `now` still allows everything `then` streams: same or wider tenants and the permission. */
function stillCovers(then: RequestContext, now: RequestContext, permission: Permission) {
  if (!now.permissions.includes(permission)) return false;
  if (now.scope === '*') return true;
  if (then.scope === '*') return false;
  return then.scope.every((t) => now.scope.includes(t));
}

/**
 * Ends live sessions whose credential stops being valid (issue 12, item 5): a user
 * disabled, an API key revoked, a token expired, or access narrowed (a session opened
 * for tenants its credential no longer covers). Each principal (user, key) is
 * re-checked against the database once per round however many sessions it holds, so a
 * thousand dashboards of one user cost one query every `RECHECK_MS`. Sessions do not
 * keep their tokens.
 *
 * A round runs at once when this process invalidates its credentials (an admin action
 * here) and when another process announces that it did (a bus notice), so a disable
 * usually ends the sessions it concerns within milliseconds; the timer is the bound.
 * A re-check that fails for another reason than the credential (the database away)
 * keeps the sessions: the next round decides.
 */
export class CredentialWatch {
  private readonly byPrincipal = new Map<string, { ctx: RequestContext; sessions: Set<LiveSession> }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly deps: { auth: Authenticator; bus: Bus; log: FastifyBaseLogger },
    private readonly everyMs = RECHECK_MS,
  ) {
    this.unsubscribe.push(
      // A change made here: re-check now, and tell the other processes.
      deps.auth.onInvalidate(() => {
        this.recheckSoon();
        deps.bus.announce({ kind: 'credentials-changed' }).catch((err) => {
          deps.log.warn(
            { message: (err as Error).message },
            'live: could not announce a credential change; other processes re-check within their period',
          );
        });
      }),
      // A change made by another process: this process's cache may still hold the old
      // credential for up to its 5 s, so forget it before re-checking.
      deps.bus.onNotice((n) => {
        if (n.kind !== 'credentials-changed') return;
        deps.auth.forget();
        this.recheckSoon();
      }),
    );
  }

  /** Watches a session until it ends; returns the removal (call it when the session closes). */
  add(s: LiveSession): () => void {
    const key = `${s.ctx.principal.kind}:${s.ctx.principal.id}`;
    let entry = this.byPrincipal.get(key);
    // The earliest expiry among the principal's sessions is the one checked.
    if (!entry) this.byPrincipal.set(key, (entry = { ctx: s.ctx, sessions: new Set() }));
    else if ((s.ctx.expiresAt ?? Number.POSITIVE_INFINITY) < (entry.ctx.expiresAt ?? Number.POSITIVE_INFINITY)) entry.ctx = s.ctx;
    entry.sessions.add(s);
    if (!this.timer) {
      this.timer = setInterval(() => this.recheckSoon(), this.everyMs);
      this.timer.unref();
    }
    return () => this.remove(key, s);
  }

  private remove(key: string, s: LiveSession) {
    const entry = this.byPrincipal.get(key);
    if (!entry) return;
    entry.sessions.delete(s);
    if (entry.sessions.size === 0) this.byPrincipal.delete(key);
    if (this.byPrincipal.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  get size() {
    let n = 0;
    for (const e of this.byPrincipal.values()) n += e.sessions.size;
    return n;
  }

  /** One round at a time; a request during a round runs one more after it, so a change
   * made mid-round is never missed. */
  recheckSoon(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round();
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round() {
    for (const [key, { ctx, sessions }] of [...this.byPrincipal]) {
      let now: RequestContext | null = null;
      let refused: string | null = null;
      try {
        now = await this.deps.auth.recheck(ctx);
      } catch (err) {
        if (err instanceof HttpError) refused = err.message;
        else {
          this.deps.log.warn({ message: (err as Error).message }, 'live: credential re-check failed; sessions kept until the next round');
          continue;
        }
      }
      for (const s of [...sessions]) {
        const reason =
          refused !== null
            ? `credential revoked: ${refused}`
            : now && !stillCovers(s.ctx, now, s.permission)
              ? 'credential changed: it no longer covers this stream; reconnect'
              : null;
        if (reason === null) continue;
        this.remove(key, s);
        try {
          s.end(reason);
        } catch (err) {
          this.deps.log.warn({ message: (err as Error).message }, 'live: ending a session failed');
        }
      }
    }
  }

  close() {
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.byPrincipal.clear();
  }
}

/** One watch per process (per app), shared by the SSE and WebSocket routes. */
const watches = new WeakMap<object, CredentialWatch>();

export function credentialWatchFor(app: FastifyInstance): CredentialWatch {
  let w = watches.get(app.live);
  if (!w) {
    const watch = new CredentialWatch({ auth: app.auth, bus: app.bus, log: app.log });
    watches.set(app.live, watch);
    app.addHook('onClose', async () => watch.close());
    w = watch;
  }
  return w;
}

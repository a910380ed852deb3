import type { Alert } from '@frostbyte/contracts';
import type { FastifyBaseLogger } from 'fastify';

export type AlertTransition = 'opened' | 'acknowledged' | 'resolved';

/**
 * POSTs alert transitions to `FMO_ALERT_WEBHOOK_URL` (JSON: `{ type: 'alert',
 * transition, alert }`). Only the process that made a change sends it, so several
 * processes do not repeat it. A slow or failing receiver never holds up evaluation:
 * sends run in the background with a timeout and two retries, failures are logged.
 */
export class AlertWebhook {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly url: string | null,
    private readonly log: FastifyBaseLogger,
    private readonly timeoutMs = 5000,
  ) {}

  send(transition: AlertTransition, alert: Alert) {
    if (!this.url) return;
    const p = this.deliver(transition, alert).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async deliver(transition: AlertTransition, alert: Alert) {
    const body = JSON.stringify({ type: 'alert', transition, alert });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await fetch(this.url as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'frostbyte-observatory' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (res.ok) return;
        if (res.status < 500 && res.status !== 429) {
          this.log.warn({ status: res.status, alert: alert.id }, 'alert webhook refused the alert');
          return;
        }
      } catch (err) {
        if (attempt === 2) this.log.warn({ err, alert: alert.id }, 'alert webhook unreachable');
      }
      await new Promise((r) => setTimeout(r, 250 * 4 ** attempt));
    }
  }

  /** Waits for sends in progress (shutdown, tests). */
  async flush() {
    await Promise.allSettled([...this.pending]);
  }
}

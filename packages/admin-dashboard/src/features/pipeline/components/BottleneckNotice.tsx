import type { Bottleneck } from '@frostbyte/contracts';
import { Link } from '../../../lib/router.tsx';
import { monitorHref } from '../utils/schematic.ts';

/** The bottleneck in one sentence above the schematic (the node says it too). */
export function BottleneckNotice({ bottleneck: b, tenant }: { bottleneck: Bottleneck | null; tenant?: string }) {
  if (!b) return <p className="muted">No bottleneck: no stage stands out in this window.</p>;
  return (
    <div className={`banner ${b.anomalous ? 'banner-error' : 'banner-info'}`} role="status" data-testid="bottleneck">
      <span>
        <span aria-hidden="true">{b.anomalous ? '⚠ ' : '◆ '}</span>
        <strong>{b.anomalous ? `Bottleneck: ${b.stage}` : `Slowest stage: ${b.stage}`}</strong> — {b.reason}.
      </span>
      <Link href={monitorHref(b.stage, tenant)}>See {b.stage} in the monitor</Link>
    </div>
  );
}

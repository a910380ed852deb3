import { Fragment, useMemo, useState } from 'react';
import { formatDateTime } from '../../../lib/format.ts';
import { Link } from '../../../lib/router.tsx';
import type { AuditEntry } from '../api/get-audit-log.ts';
import { chainLinks, entryKey, hashPrefix, type LinkState, targetHref } from '../utils/chain.ts';

const LINK_VIEW: Record<LinkState, { glyph: string; word: string; title: string }> = {
  linked: { glyph: '✓', word: 'linked', title: 'prev_hash is the hash of the entry before it (also on this page)' },
  genesis: { glyph: '✓', word: 'first', title: 'the first entry of this tenant’s chain' },
  unknown: { glyph: '○', word: 'chained', title: 'the entry before it is not loaded; run audit verify to rehash the whole chain' },
  broken: { glyph: '✕', word: 'link broken', title: 'prev_hash differs from the hash of the entry before it' },
};

/** One row per entry, newest first: time, tenant, actor, action, target, chain
 * (seq, hash prefix, link to the entry before) and signed-checkpoint status; each row
 * opens its details (the full hashes and the entry's `details`). */
export function AuditLog({ entries }: { entries: readonly AuditEntry[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const links = useMemo(() => chainLinks(entries), [entries]);
  const toggle = (k: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });

  if (!entries.length) return <p className="muted">No audit entry matches these filters.</p>;
  return (
    <div className="audit-table-wrap">
      <table className="table audit-log" aria-label="Audit entries">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Tenant</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Chain</th>
            <th scope="col">Checkpoint</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const k = entryKey(e);
            const link = LINK_VIEW[links.get(k) ?? 'unknown'];
            const expanded = open.has(k);
            const href = targetHref(e.target, e.tenant_id);
            const detailsId = `audit-details-${e.tenant_id}-${e.seq}`;
            return (
              <Fragment key={k}>
                <tr data-action={e.action} data-seq={e.seq} data-tenant={e.tenant_id}>
                  <td className="nowrap">{formatDateTime(e.ts)}</td>
                  <td>{e.tenant_id}</td>
                  <td className="mono">{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="mono audit-target">{href ? <Link href={href}>{e.target}</Link> : e.target}</td>
                  <td className="nowrap">
                    <span className={`chain chain-${links.get(k) ?? 'unknown'}`} title={link.title}>
                      <span aria-hidden="true">{link.glyph}</span> #{e.seq} <code>{hashPrefix(e.hash)}</code> <span>{link.word}</span>
                    </span>
                  </td>
                  <td className="nowrap">
                    {e.checkpointed ? (
                      <span className="badge badge-completed" title="covered by a signed checkpoint">
                        <span aria-hidden="true">✓</span> signed
                      </span>
                    ) : (
                      <span className="badge badge-idle" title="chained; the next signed checkpoint will cover it">
                        <span aria-hidden="true">◔</span> not yet signed
                      </span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="icon-button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      onClick={() => toggle(k)}
                    >
                      {expanded ? 'Hide' : 'Details'}
                      <span className="visually-hidden">
                        {' '}
                        of entry {e.seq} of {e.tenant_id}
                      </span>
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="audit-details-row">
                    <td colSpan={8} id={detailsId}>
                      <dl className="audit-details">
                        <dt>Hash</dt>
                        <dd className="mono">{e.hash}</dd>
                        <dt>Previous hash</dt>
                        <dd className="mono">{e.prev_hash}</dd>
                        {e.batch_root ? (
                          <>
                            <dt>Batch Merkle root</dt>
                            <dd className="mono">{e.batch_root}</dd>
                          </>
                        ) : null}
                        <dt>Details</dt>
                        <dd>
                          <pre className="audit-json">{JSON.stringify(e.details, null, 2)}</pre>
                        </dd>
                      </dl>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

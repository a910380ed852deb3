import type { TelemetryStats } from '@frostbyte/telemetry';
import type { LoadResult, StoredCount } from '../load.ts';
import type { RunSummary } from '../run.ts';

/** What the commands print: the summary tables and their number formats. */

export function diffStats(a: TelemetryStats, b: TelemetryStats): TelemetryStats {
  return {
    emitted: b.emitted - a.emitted,
    exported: b.exported - a.exported,
    dropped: b.dropped - a.dropped,
    rejected: b.rejected - a.rejected,
    spooled: b.spooled - a.spooled,
    replayed: b.replayed - a.replayed,
    failures: b.failures - a.failures,
    queued: b.queued,
    spool_bytes: b.spool_bytes,
    mode: b.mode,
  };
}

export function printRunSummary(s: RunSummary, t: TelemetryStats, info: { endpoint: string; drained: boolean; registry: string }): void {
  const formats = Object.keys(s.by_format).sort();
  const rows: string[][] = formats.map((f) => {
    const r = s.by_format[f] as { ok: number; failed: number };
    return [f, String(r.ok), String(r.failed), String(r.ok + r.failed)];
  });
  rows.push(['total', String(s.ok), String(s.failed), String(s.documents)]);
  console.log(`\npipeline run ${s.pipeline_run_id} · tenant ${s.tenant}`);
  console.log(table(['format', 'ok', 'failed', 'documents'], rows, rows.length - 1));
  const failures = s.results.filter((r) => r.status === 'failed');
  for (const r of failures) console.log(`  failed: ${r.filename} at ${r.failed_stage} — ${r.error?.type}: ${r.error?.message}`);
  console.log(
    table(
      ['', ''],
      [
        ['model invocations', fmtInt(s.invocations)],
        ['events emitted', fmtInt(t.emitted)],
        ['events delivered', `${fmtInt(t.exported + t.replayed)} to ${info.endpoint}`],
        ['events spooled', t.spool_bytes > 0 ? `${fmtInt(t.spooled)} (still on disk; sent on the next run)` : fmtInt(t.spooled)],
        ['events dropped / rejected', `${t.dropped} / ${t.rejected}`],
        ['tokens', fmtInt(s.tokens)],
        [
          'models from',
          info.registry === 'registry'
            ? 'model registry'
            : info.registry === 'off'
              ? 'built-in defaults (--no-registry)'
              : 'built-in defaults (registry unavailable)',
        ],
        ['time', fmtMs(s.duration_ms)],
      ],
    ),
  );
  if (!info.drained) console.log('  telemetry not fully delivered: the rest is in the spool and is sent on the next run');
}

export function printLoadResult(
  r: LoadResult,
  t: TelemetryStats,
  info: { drained: boolean; stored: StoredCount | undefined; verifyError: string | undefined },
): void {
  const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(2)} %`);
  const rows: string[][] = [
    ['pipeline run', r.pipeline_run_id],
    ['tenant / document prefix', `${r.tenant} / ${r.document_prefix}`],
    [
      'duration',
      `${fmtMs(r.duration_ms)} (load ${fmtMs(r.load_ms)} + drain ${fmtMs(r.drain_ms)} for the documents in flight at the deadline)`,
    ],
    ['concurrency (workers)', fmtInt(r.concurrency)],
    ['in-flight operations', `peak ${fmtInt(r.peak_in_flight)}, mean ${r.mean_in_flight.toFixed(0)}`],
    ['documents', `${fmtInt(r.documents)} (${fmtInt(r.ok)} ok, ${fmtInt(r.failed)} failed) · ${r.documents_per_s.toFixed(1)}/s`],
    ['invocations made', `${fmtInt(r.invocations)} · ${r.invocations_per_s.toFixed(1)}/s`],
    ['events expected (×2)', fmtInt(r.events_expected)],
    ['events emitted (SDK)', fmtInt(t.emitted)],
    [
      'events exported (SDK)',
      `${fmtInt(t.exported + t.replayed)} (${fmtInt(t.replayed)} via spool) · dropped ${t.dropped} · rejected ${t.rejected}`,
    ],
  ];
  if (Object.keys(r.failures_by_type).length > 0)
    rows.push([
      'failures',
      Object.entries(r.failures_by_type)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', '),
    ]);
  if (info.stored) {
    rows.push([
      'events stored (server)',
      `${fmtInt(info.stored.stored)} distinct ids, ${fmtInt(info.stored.rows)} rows · ${Object.entries(info.stored.by_status)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ')}`,
    ]);
    rows.push(['captured', `${pct(info.stored.stored, r.events_expected)} (stored / invocations × 2)`]);
  } else if (info.verifyError) rows.push(['events stored (server)', `not counted: ${info.verifyError}`]);
  if (!info.drained) rows.push(['note', 'telemetry not fully drained at exit; the rest stays in the spool']);
  console.log(`\n${table(['load result', ''], rows)}`);
}

export function table(header: string[], rows: string[][], ruleBefore = -1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `│ ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const out = [rule('┌', '┬', '┐')];
  if (header.some((h) => h !== '')) out.push(line(header), rule('├', '┼', '┤'));
  rows.forEach((r, i) => {
    if (i === ruleBefore) out.push(rule('├', '┼', '┤'));
    out.push(line(r));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

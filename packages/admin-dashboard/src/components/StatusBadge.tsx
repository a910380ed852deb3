/** Status as text plus a shape, never colour alone (WCAG 1.4.1). */
const GLYPH: Record<string, string> = {
  started: '◔',
  processing: '◔',
  completed: '✓',
  idle: '○',
  failed: '✕',
  error: '✕',
  abandoned: '!',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`}>
      <span aria-hidden="true">{GLYPH[status] ?? '•'}</span> {status}
    </span>
  );
}

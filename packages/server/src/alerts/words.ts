/** Durations, money and ratios as the alert messages say them. */
export function ms(v: number): string {
  if (v >= 60_000) return `${(v / 60_000).toFixed(1).replace(/\.0$/, '')} min`;
  if (v >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  if (v >= 10) return `${Math.round(v)} ms`;
  return `${v.toFixed(1).replace(/\.0$/, '')} ms`;
}

export function window(s: number): string {
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export const times = (x: number) => `${x >= 10 ? Math.round(x) : x.toFixed(1).replace(/\.0$/, '')}×`;
export const pct = (x: number) => `${Math.round(x * 100)}%`;
export const usd = (x: number) => (x >= 1 ? `$${x.toFixed(2)}` : x >= 0.01 ? `$${x.toFixed(3)}` : `$${x.toPrecision(2)}`);

/** `frostbyte-docparse` 1.0.0 → `docparse 1.0`, `nomic-embed-text` v1.5 stays. */
export function modelLabel(name: string, version: string): string {
  return `${name.replace(/^frostbyte-/, '')} ${version.replace(/^(\d+\.\d+)\.0$/, '$1')}`;
}

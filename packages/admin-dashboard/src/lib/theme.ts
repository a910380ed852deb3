import { useSyncExternalStore } from 'react';

/** Light or dark, applied as `<html data-theme>` (see styles.css); remembered per
 * browser. `public/theme-init.js` applies it before first paint. */
export type Theme = 'light' | 'dark';
const KEY = 'fmo.theme';
const listeners = new Set<() => void>();

export function getTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, getTheme, () => 'light');
}

/** Reads a CSS custom property of the current theme (charts draw on canvas and
 * cannot use CSS variables directly). */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

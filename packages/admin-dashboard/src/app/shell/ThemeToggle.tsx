import { setTheme, useTheme } from '../../lib/theme.ts';

export function ThemeToggle() {
  const theme = useTheme();
  const dark = theme === 'dark';
  return (
    <button type="button" aria-pressed={dark} onClick={() => setTheme(dark ? 'light' : 'dark')} className="theme-toggle">
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark theme
    </button>
  );
}

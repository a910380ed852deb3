// Apply the saved theme before first paint so dark mode does not flash light.
// An external file (not inline) so the server's Content-Security-Policy can stay strict.
(() => {
  let theme = null;
  try {
    theme = localStorage.getItem('fmo.theme');
  } catch {
    /* storage disabled: follow the system */
  }
  if (theme !== 'light' && theme !== 'dark') theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = theme;
})();

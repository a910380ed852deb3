// Apply the saved theme before first paint so dark mode does not flash light.
// An external file (not inline) so the server's Content-Security-Policy can stay strict.
(function () {
  try {
    var t = localStorage.getItem('fmo.theme');
    if (t !== 'light' && t !== 'dark') t = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    document.documentElement.dataset.theme = t;
  } catch (e) {}
})();

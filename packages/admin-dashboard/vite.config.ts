import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The dashboard is built to `dist/` and served by the observatory server at `/`.
 * In development Vite serves it on :5173 and proxies every server path to :8000,
 * including the tracer WebSocket, so the browser sees one origin either way. */
const root = fileURLToPath(new URL('.', import.meta.url));
const server = process.env.FMO_SERVER_URL ?? 'http://localhost:8000';

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/v1': { target: server, changeOrigin: true, ws: true },
      '/telemetry': { target: server, changeOrigin: true },
      '/openapi.json': { target: server, changeOrigin: true },
      '/login': {
        target: server,
        changeOrigin: true,
        // `/login` is also a dashboard page: only API calls (POST, JSON) go to the server.
        bypass: (req) => (req.headers.accept?.includes('text/html') ? '/index.html' : undefined),
      },
    },
  },
});

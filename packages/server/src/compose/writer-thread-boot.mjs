// Entry of the writer's worker thread. Compiled (`npm run build`), writer.js sits
// beside this file; from the sources, writer.ts is loaded through tsx's API (on Node 20
// a worker does not inherit the `--import tsx` loader of its process).
import fs from 'node:fs';

const compiled = new URL('./writer.js', import.meta.url);
if (fs.existsSync(compiled)) await import(compiled.href);
else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('./writer.ts', import.meta.url);
}

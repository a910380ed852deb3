// Entry of the writer's worker thread: loads compose/writer.ts through tsx's API (on
// Node 20 a worker does not inherit the `--import tsx` loader of its process).
import { tsImport } from 'tsx/esm/api';

await tsImport('./writer.ts', import.meta.url);

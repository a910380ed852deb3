#!/usr/bin/env node
// `npm run build`: the server and the packages it uses, compiled to JavaScript in each
// package's `dist/` (tsc -b over the tsconfig.build.json project references, in
// dependency order), plus the files the server reads beside its modules (the OTLP
// .proto, the writer thread's boot script). Run the result with
// `npm run start:compiled` (`node --conditions=fmo-dist packages/server/dist/main.js`):
// the `fmo-dist` export condition makes `@frostbyte/*` resolve to their `dist/` too.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const ASSET = /\.(proto|mjs|json)$/;

function copyAssets(from, to) {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    if (e.isDirectory()) copyAssets(src, path.join(to, e.name));
    else if (ASSET.test(e.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, path.join(to, e.name));
    }
  }
}

export function build() {
  // From clean: tsc -b leaves the output of a moved or deleted module behind.
  for (const p of ['contracts', 'redact', 'sdk', 'server']) fs.rmSync(path.join(ROOT, 'packages', p, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk/tsconfig.build.json', 'packages/server/tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  copyAssets(path.join(ROOT, 'packages/server/src'), path.join(ROOT, 'packages/server/dist'));
}

if (import.meta.url === `file://${process.argv[1]}`) build();

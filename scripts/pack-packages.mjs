#!/usr/bin/env node
// `npm run pack:packages [-- --out DIR]`: the publishable JavaScript packages.
//
// Builds @frostbyte/contracts, @frostbyte/redact and @frostbyte/telemetry to
// JavaScript with type declarations (`tsc -b packages/sdk/tsconfig.build.json`, in
// dependency order), then stages each one and runs `npm pack` on the stage, so the
// tarballs in DIR (default `dist/packages/`) install into any project and run on
// plain `node`.
//
// Why a stage: inside the workspace every package exports its TypeScript sources
// (`./src/*.ts`) by default, which tsx, vitest and tsc read directly, so editing a
// package never needs a build; the compiled server (`npm run start:compiled`) asks for
// the `fmo-dist` condition instead. The published manifest is the same file with `exports` pointing at
// `dist/` (types beside each entry), `private` dropped and only `dist/`, `src/` (for the
// maps; no tests), the README and the licence in `files`. Everything else (name, version, dependencies, licence,
// engines) is kept as written in the package's own package.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
export const PUBLISHED = ['contracts', 'redact', 'sdk'];

/** `{ 'fmo-dist': …, default: './src/x.ts' }` → `{ types: './dist/x.d.ts', default: './dist/x.js' }`. */
function distExports(exports) {
  const out = {};
  for (const [key, conditions] of Object.entries(exports)) {
    const target = conditions?.default;
    if (typeof target !== 'string' || !/^\.\/src\/.+\.ts$/.test(target)) throw new Error(`cannot map export ${key}: ${JSON.stringify(target)}`);
    const base = target.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
    out[key] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  return out;
}

function copyDir(from, to, skip) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) copyDir(src, dst, skip);
    else fs.copyFileSync(src, dst);
  }
}

/** Builds, stages and packs; returns the tarball paths in dependency order. */
export function packPackages(outDir = path.join(ROOT, 'dist/packages')) {
  // From clean: tsc -b leaves the output of a moved or deleted module behind.
  for (const dir of PUBLISHED) fs.rmSync(path.join(ROOT, 'packages', dir, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/sdk/tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const tarballs = [];
  for (const dir of PUBLISHED) {
    const pkgDir = path.join(ROOT, 'packages', dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const { private: _private, scripts: _scripts, devDependencies: _dev, ...kept } = manifest;
    // The sources ride along (without tests) so the source and declaration maps resolve.
    const staged = { ...kept, exports: distExports(manifest.exports), files: ['dist', 'src', 'README.md', 'LICENSE'] };
    const stage = path.join(outDir, 'stage', dir);
    copyDir(path.join(pkgDir, 'dist'), path.join(stage, 'dist'), (name) => name === '.tsbuildinfo');
    copyDir(path.join(pkgDir, 'src'), path.join(stage, 'src'), (name) => name.endsWith('.test.ts'));
    fs.copyFileSync(path.join(pkgDir, 'README.md'), path.join(stage, 'README.md'));
    fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(stage, 'LICENSE'));
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' });
    tarballs.push(path.join(outDir, JSON.parse(out)[0].filename));
  }
  fs.rmSync(path.join(outDir, 'stage'), { recursive: true, force: true });
  return tarballs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--out');
  for (const t of packPackages(i > 0 ? path.resolve(process.argv[i + 1]) : undefined)) console.log(t);
}

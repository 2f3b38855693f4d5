#!/usr/bin/env node
// Runs before `npm start`, `npm test` and the benchmarks: installs the dependencies when
// node_modules is missing or older than the lock file, and builds when the build is missing or
// older than any source file. Plain JavaScript, because it runs before anything is built.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
const at = (...parts) => join(root, ...parts);
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

// TypeScript and JSON, and the web console's components, styles and page.
const SOURCE_FILE = /\.(ts|tsx|json|css|html)$/;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : SOURCE_FILE.test(entry.name) ? mtime(path) : 0);
  }
  return newest;
}

const installed = at('node_modules', '.package-lock.json');
if (mtime(installed) < Math.max(mtime(at('package-lock.json')), mtime(at('package.json')))) {
  console.log('[prepare] dependencies missing or stale: npm ci');
  run('npm ci --no-audit --no-fund');
}

const stamp = at('dist', '.build-stamp');
const sources = Math.max(newestSource(at('apps')), newestSource(at('libs')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => mtime(at(f))));
if (mtime(stamp) < sources) {
  console.log('[prepare] build missing or stale: npm run build');
  run('npm run build');
}

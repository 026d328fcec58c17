// Lets `npm start` / `npm test` work on a machine with only Node and npm: installs the
// workspace with the pnpm version pinned in package.json when node_modules is missing or out
// of date, then (unless --no-build) compiles the packages. Its output goes to stderr so that
// commands like `npm run -s token -- alice` print only their result on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function pnpm(...args) {
  const result = spawnSync('npx', ['--yes', packageManager, ...args], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// pnpm keeps a copy of the lockfile it installed from; a difference means a stale install.
const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const wanted = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
if (!existsSync(installed) || readFileSync(installed, 'utf8') !== wanted) {
  pnpm('install', '--frozen-lockfile');
}
if (!process.argv.includes('--no-build')) pnpm('run', 'build');

// Lets `npm start`, `npm test`, `npm run token` and the other root scripts work on a machine
// with only Node and npm: installs the workspace with the pnpm version pinned in package.json
// when node_modules is missing or out of date, then compiles the packages unless they were
// built from exactly the sources now on disk. Its output goes to stderr so that commands like
// `npm run -s token -- alice` print only their result on stdout.
//
//   node scripts/bootstrap.mjs               install if needed, build if a source changed
//   node scripts/bootstrap.mjs --no-build    install if needed
//   node scripts/bootstrap.mjs --rebuild     install if needed, compile everything afresh
//   node scripts/bootstrap.mjs --no-build --pnpm <args…>
//                                            install if needed, then run the pinned pnpm
//
// The build stamp (node_modules/.cache/enclave/build-stamp.json, ignored by git) holds a hash
// of every build input (each workspace package's src/, package.json and tsconfig*.json, and a
// web app's index.html, vite.config.ts and public/; the root package.json, tsconfig*.json,
// pnpm-workspace.yaml, pnpm-lock.yaml and scripts/, which the builds run) and of the list of
// files under each package's dist/ with their sizes and times, as they were when the build
// succeeded. Any difference (a source edited, added or deleted; a dist file removed, or dist
// rebuilt by something else) means a build; none means no build and no output.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const pnpmAt = args.indexOf('--pnpm');
const pnpmArgs = pnpmAt === -1 ? [] : args.slice(pnpmAt + 1);
const flags = pnpmAt === -1 ? args : args.slice(0, pnpmAt);

function pnpm(...command) {
  // Neither npx nor pnpm may print an "update available" notice into the server's log.
  const result = spawnSync(
    'npx',
    [
      '--update-notifier=false',
      '--yes',
      packageManager,
      '--config.update-notifier=false',
      ...command,
    ],
    { cwd: root, stdio: ['ignore', process.stderr, process.stderr] },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The workspace packages: every folder under packages/ and apps/ with a package.json. */
function workspacePackages() {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter(
        (entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, 'package.json')),
      )
      .map((entry) => join(root, group, entry.name)),
  );
}

/** Files directly in `folder` named like tsconfig*.json, plus the `extra` names that exist. */
function configFiles(folder, ...extra) {
  const names = readdirSync(folder).filter((name) => /^tsconfig.*\.json$/.test(name));
  return [...extra.filter((name) => existsSync(join(folder, name))), ...names].map((name) =>
    join(folder, name),
  );
}

function filesUnder(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** One hash over the path and content of every build input, so renames count too. */
function inputsHash(packages) {
  const files = [
    ...configFiles(root, 'package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'),
    ...filesUnder(join(root, 'scripts')),
    ...packages.flatMap((folder) => [
      // A web app's build reads its page, its Vite config and its public/ folder too.
      ...configFiles(folder, 'package.json', 'index.html', 'vite.config.ts'),
      ...filesUnder(join(folder, 'src')),
      ...filesUnder(join(folder, 'public')),
    ]),
  ];
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** What the builds left behind: every file under each package's dist/, its size and time. */
function outputsHash(packages) {
  const hash = createHash('sha256');
  for (const file of packages.flatMap((folder) => filesUnder(join(folder, 'dist'))).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex');
}

/** Builds unless the stamp shows dist/ was built from the sources now on disk. Silent then. */
function build({ force }) {
  const stampFile = join(root, 'node_modules', '.cache', 'enclave', 'build-stamp.json');
  const packages = workspacePackages();
  const inputs = inputsHash(packages);
  const outputs = outputsHash(packages);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    stamp = undefined;
  }
  if (!force && stamp?.inputs === inputs && stamp.outputs === outputs) return;
  // No stamp while building: an interrupted or failed build must not count as done.
  rmSync(stampFile, { force: true });
  if (force || (stamp !== undefined && stamp.outputs !== outputs)) {
    // Asked to, or something other than this script changed dist/ (a file deleted, say): an
    // incremental tsc would not write a deleted output again, so compile everything.
    for (const folder of packages) rmSync(join(folder, 'dist', '.tsbuildinfo'), { force: true });
  }
  pnpm('-r', 'run', 'build');
  // The inputs as read before the build: a file edited during it triggers the next build.
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify({ inputs, outputs: outputsHash(packages) })}\n`);
}

// pnpm keeps a copy of the lockfile it installed from; a difference means a stale install.
const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const wanted = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
if (!existsSync(installed) || readFileSync(installed, 'utf8') !== wanted) {
  pnpm('install', '--frozen-lockfile');
}
if (!flags.includes('--no-build')) build({ force: flags.includes('--rebuild') });
if (pnpmArgs.length > 0) pnpm(...pnpmArgs);

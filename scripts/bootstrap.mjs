// Lets `npm start`, `npm test`, `npm run token` and the other root scripts work on a machine
// with only Node and npm: installs the workspace with the pnpm version pinned in package.json
// when node_modules is missing or out of date, then compiles the packages unless they were
// built from exactly the sources now on disk. Its output goes to stderr so that commands like
// `npm run -s token -- alice` print only their result on stdout.
//
//   node scripts/bootstrap.mjs               install if needed, build if a source changed
//   node scripts/bootstrap.mjs --no-build    install if needed
//   node scripts/bootstrap.mjs --rebuild     install if needed, compile everything afresh
//   node scripts/bootstrap.mjs --only server install if needed, build the server and what it
//                                            uses (comma-separated folder names: contract,…)
//   node scripts/bootstrap.mjs --no-build --pnpm <args…>
//                                            install if needed, then run the pinned pnpm
//
// The build stamps (node_modules/.cache/enclave/build-stamps.json, ignored by git) hold, per
// workspace package, a hash of its build inputs (its src/, package.json and tsconfig*.json, and
// a web app's index.html, vite.config.ts and public/; those of the workspace packages it
// depends on; the root package.json, tsconfig*.json, pnpm-workspace.yaml, pnpm-lock.yaml and
// scripts/, which the builds run) and of the list of files under its dist/ with their sizes
// and times, as they were when its build succeeded. Any difference (a source edited, added or
// deleted; a dist file removed, or dist rebuilt by something else) means that package builds
// again; none means no build and no output. A package builds with the packages it uses.
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

const ROOT_INPUTS = () => [
  ...configFiles(root, 'package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'),
  ...filesUnder(join(root, 'scripts')),
];

/** A package's own build inputs: what its build reads of its folder. */
function ownInputs(folder) {
  return [
    // A web app's build reads its page, its Vite config and its public/ folder too.
    ...configFiles(folder, 'package.json', 'index.html', 'vite.config.ts'),
    ...filesUnder(join(folder, 'src')),
    ...filesUnder(join(folder, 'public')),
  ];
}

/** One hash over the path and content of every file, so renames count too. */
function contentHash(files) {
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** What a build left behind: every file under the package's dist/, its size and time. */
function outputsHash(folder) {
  const hash = createHash('sha256');
  for (const file of filesUnder(join(folder, 'dist')).sort()) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex');
}

/** Each workspace package by folder, with the workspace packages it depends on. */
function workspace() {
  const packages = new Map();
  for (const folder of workspacePackages()) {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const uses = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter(([, version]) => String(version).startsWith('workspace:'))
      .map(([name]) => name);
    packages.set(folder, { name: manifest.name, uses });
  }
  const byName = new Map([...packages].map(([folder, { name }]) => [name, folder]));
  for (const entry of packages.values()) entry.uses = entry.uses.map((name) => byName.get(name));
  return packages;
}

/** `folders` and every workspace package they use, directly or not. */
function withDependencies(packages, folders) {
  const all = new Set();
  const visit = (folder) => {
    if (all.has(folder)) return;
    all.add(folder);
    for (const used of packages.get(folder).uses) visit(used);
  };
  folders.forEach(visit);
  return [...all];
}

/**
 * Builds the `targets` (every package when absent) and what they use, each unless its stamp
 * shows its dist/ was built from the sources now on disk. Silent then.
 */
function build({ force, targets }) {
  const stampFile = join(root, 'node_modules', '.cache', 'enclave', 'build-stamps.json');
  const packages = workspace();
  const wanted = withDependencies(packages, targets ?? [...packages.keys()]);
  let stamps;
  try {
    stamps = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    stamps = {};
  }
  const rootInputs = ROOT_INPUTS();
  const inputsOf = (folder) =>
    contentHash([
      ...rootInputs,
      ...withDependencies(packages, [folder]).flatMap((used) => ownInputs(used)),
    ]);
  const stale = wanted.filter((folder) => {
    const stamp = stamps[relative(root, folder)];
    return force || stamp?.inputs !== inputsOf(folder) || stamp.outputs !== outputsHash(folder);
  });
  if (stale.length === 0) return;
  const inputs = Object.fromEntries(stale.map((folder) => [folder, inputsOf(folder)]));
  for (const folder of stale) {
    const key = relative(root, folder);
    // Something other than this script changed dist/ (a file deleted, say), or asked to: an
    // incremental tsc would not write a deleted output again, so compile it afresh.
    if (force || (stamps[key] !== undefined && stamps[key].outputs !== outputsHash(folder))) {
      rmSync(join(folder, 'dist', '.tsbuildinfo'), { force: true });
    }
    // No stamp while building: an interrupted or failed build must not count as done.
    delete stamps[key];
  }
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify(stamps)}\n`);
  // pnpm builds them in dependency order; the packages they use are current or among them.
  pnpm(
    '-r',
    ...stale.flatMap((folder) => ['--filter', `./${relative(root, folder)}`]),
    'run',
    'build',
  );
  // The inputs as read before the build: a file edited during it triggers the next build.
  for (const folder of stale) {
    stamps[relative(root, folder)] = { inputs: inputs[folder], outputs: outputsHash(folder) };
  }
  writeFileSync(stampFile, `${JSON.stringify(stamps)}\n`);
}

// pnpm keeps a copy of the lockfile it installed from; a difference means a stale install.
const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const wanted = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
if (!existsSync(installed) || readFileSync(installed, 'utf8') !== wanted) {
  pnpm('install', '--frozen-lockfile');
}
const onlyAt = flags.indexOf('--only');
const only =
  onlyAt === -1
    ? undefined
    : (flags[onlyAt + 1] ?? '').split(',').map((name) => {
        const folder = workspacePackages().find((candidate) => candidate.endsWith(`/${name}`));
        if (folder === undefined) {
          process.stderr.write(`bootstrap: no workspace package named ${name}\n`);
          process.exit(2);
        }
        return folder;
      });
if (!flags.includes('--no-build')) build({ force: flags.includes('--rebuild'), targets: only });
if (pnpmArgs.length > 0) pnpm(...pnpmArgs);

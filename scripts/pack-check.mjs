// Proves @enclave/contract and @enclave/client install and work outside this workspace, as a
// frontend developer would use them: builds both afresh, packs them with pnpm (which rewrites
// `workspace:*` to the real version), checks what the tarballs hold, installs them with plain
// npm into a new project in the system's temporary folder, typechecks a small strict consumer
// against their types (a misspelt field must be an error), then compiles and runs it against the
// real server (apps/server/dist/main.js, embedded database, a free port).
//
//   node scripts/pack-check.mjs     (npm run pack:check)
//
// PACK_CHECK_KEEP=1 keeps the temporary folder (its path is printed) for a look afterwards.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const started = Date.now();
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const typescriptVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8'),
).version;
const PACKAGES = ['contract', 'client'];
// A script, not the server: it hands its environment on to the commands and the server it runs.
// eslint-disable-next-line no-restricted-syntax
const inherited = process.env;

const say = (message) => process.stderr.write(`pack-check: ${message}\n`);
class CheckFailed extends Error {}
function fail(message) {
  throw new CheckFailed(message);
}

/** Runs a command to completion, its output on stderr; fails the check if it fails. */
function run(command, args, cwd, options = {}) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', options.capture ? 'pipe' : process.stderr, process.stderr],
    encoding: 'utf8',
    env: { ...inherited, npm_config_update_notifier: 'false', ...options.env },
  });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}`);
  return result.stdout;
}
const pnpm = (args, cwd = root) =>
  run('npx', ['--yes', packageManager, '--config.update-notifier=false', ...args], cwd);

function filesUnder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** What a packed package must be: real versions, no source condition, only its build. */
function checkPacked(name, folder) {
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const text = JSON.stringify(manifest);
  if (text.includes('workspace:')) fail(`${name}: a workspace: range survived packing`);
  if (text.includes('@enclave/source')) fail(`${name}: the source condition survived packing`);
  if (manifest.private) fail(`${name}: still private`);
  for (const field of ['description', 'license', 'engines', 'exports', 'main', 'types']) {
    if (manifest[field] === undefined) fail(`${name}: no "${field}" in package.json`);
  }
  const files = filesUnder(folder);
  const sources = new Set(
    filesUnder(join(root, 'packages', name, 'src'))
      .filter((file) => file.endsWith('.ts') && !file.includes('.test'))
      .map((file) => file.replace(/\.ts$/, '')),
  );
  for (const file of files) {
    if (file === 'package.json' || file === 'README.md') continue;
    const stem = /^dist\/(.+?)\.(js|d\.ts|js\.map)$/.exec(file)?.[1];
    if (stem === undefined || !sources.has(stem)) fail(`${name}: unexpected file ${file}`);
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      if (map.sourcesContent?.length !== map.sources.length) {
        fail(`${name}: ${file} points at sources the package does not hold`);
      }
    }
  }
  for (const stem of sources) {
    for (const ext of ['.js', '.d.ts']) {
      if (!files.includes(`dist/${stem}${ext}`)) fail(`${name}: dist/${stem}${ext} is missing`);
    }
  }
  if (!files.includes('README.md')) fail(`${name}: no README.md`);
  return manifest;
}

const CONSUMER = `// A frontend's use of the packages: strict TypeScript, nothing from Node.
import { createClient, type Client } from '@enclave/client';

/** Signs up, creates a task and finds it in the list; answers the task's id. */
export async function main(baseUrl: string): Promise<number> {
  const anonymous: Client = createClient({ baseUrl });
  const email = \`pack-check-\${Date.now()}-\${Math.random().toString(36).slice(2)}@example.com\`;
  const password = 'correct horse battery staple';
  const account = await anonymous.auth.register({ body: { email, password } });
  if (account.status !== 201) throw new Error(\`register answered \${account.status}\`);
  const tokens = await anonymous.auth.login({ body: { email, password } });
  if (tokens.status !== 200) throw new Error(\`login answered \${tokens.status}\`);

  const client = createClient({ baseUrl, token: tokens.body.access_token });
  const user_id: string = account.body.id;
  const title = 'Installed from a tarball';
  const created = await client.tasks.create({ params: { user_id }, body: { title } });
  if (created.status !== 201) throw new Error(\`create answered \${created.status}\`);
  const id: number = created.body.id;
  const complete: boolean = created.body.complete;

  const listed = await client.tasks.list({ params: { user_id }, query: { limit: 10 } });
  if (listed.status !== 200) throw new Error(\`list answered \${listed.status}\`);
  const found = listed.body.tasks.find((task) => task.id === id);
  if (found?.title !== title || complete) throw new Error('the created task is not in the list');
  return id;
}

// Never called: the compiler must refuse these, which it can only do if it sees the types.
export function misspelt(client: Client) {
  void client.tasks.create({
    params: { user_id: 'someone' },
    // @ts-expect-error \`titel\` is not a field of a task
    body: { titel: 'Buy milk' },
  });
  void client.tasks.list({ params: { user_id: 'someone' } }).then((reply) => {
    // @ts-expect-error a reply must be narrowed by its status before its body is read
    return reply.body.tasks;
  });
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    // As Vite's templates and `tsc --init` set it; the declarations are checked on their own below.
    skipLibCheck: true,
    types: [],
    outDir: 'build',
  },
  include: ['consumer.ts'],
};

const RUNNER = `import { main } from './build/consumer.js';
const id = await main(process.argv[2]);
console.log(\`task \${id} created and listed through the installed client\`);
`;

/** Starts the built server on a free port with a fresh embedded database; answers its URL. */
async function startServer(dataDir) {
  const env = { ...inherited, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir };
  for (const name of ['DATABASE_URL', 'NODE_ENV', 'CORS_ORIGINS', 'LOG_LEVEL']) delete env[name];
  const child = spawn(process.execPath, [join(root, 'apps/server/dist/main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  child.stderr.on('data', (chunk) => log.push(String(chunk)));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not listen in 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${log.join('')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'Enclave is listening') {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
  // The first start creates and migrates the database; until then /readyz answers 503.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ready = await globalThis.fetch(`${url}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline)
      throw new Error(`the server was not ready in 120 s: ${log.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { url, stop };
}

const work = mkdtempSync(join(tmpdir(), 'enclave-pack-check-'));
if (!relative(root, work).startsWith('..')) fail(`the temporary folder ${work} is inside the repo`);
let server;
try {
  say(`building ${PACKAGES.map((name) => `@enclave/${name}`).join(', ')} afresh, and the server`);
  // Afresh: tsc never deletes an output whose source is gone, and it would be packed.
  for (const name of PACKAGES)
    rmSync(join(root, 'packages', name, 'dist'), { recursive: true, force: true });
  pnpm([
    '--filter',
    '@enclave/contract',
    '--filter',
    '@enclave/client',
    '--filter',
    '@enclave/server',
    'run',
    'build',
  ]);

  const tarballs = join(work, 'tarballs');
  const filters = PACKAGES.flatMap((name) => ['--filter', `@enclave/${name}`]);
  run('npx', ['--yes', packageManager, ...filters, 'pack', '--pack-destination', tarballs], root, {
    capture: true,
  });
  const packed = Object.fromEntries(
    PACKAGES.map((name) => {
      const tarball = readdirSync(tarballs).find((file) => file.startsWith(`enclave-${name}-`));
      if (tarball === undefined) fail(`no tarball for @enclave/${name}`);
      const unpacked = join(work, 'unpacked', name);
      mkdirSync(unpacked, { recursive: true });
      run('tar', ['-xzf', join(tarballs, tarball), '-C', unpacked, '--strip-components=1'], work);
      return [name, { tarball: join(tarballs, tarball), manifest: checkPacked(name, unpacked) }];
    }),
  );
  const contractVersion = packed.contract.manifest.version;
  const dependedOn = packed.client.manifest.dependencies['@enclave/contract'];
  if (dependedOn !== contractVersion) {
    fail(`@enclave/client depends on @enclave/contract ${dependedOn}, not ${contractVersion}`);
  }
  const names = PACKAGES.map((name) => relative(work, packed[name].tarball));
  say(`packed ${names.join(', ')}: real versions, dist only`);

  const project = join(work, 'consumer');
  mkdirSync(project, { recursive: true });
  run('npm', ['init', '-y'], project, { capture: true });
  run('npm', ['pkg', 'set', 'type=module'], project);
  say(`installing the tarballs and typescript@${typescriptVersion} with npm into ${project}`);
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      packed.contract.tarball,
      packed.client.tarball,
      `typescript@${typescriptVersion}`,
    ],
    project,
  );
  writeFileSync(join(project, 'consumer.ts'), CONSUMER);
  writeFileSync(join(project, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(project, 'run.mjs'), RUNNER);
  say("typechecking the consumer (strict, NodeNext, the packages' own .d.ts)");
  run('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], project);
  // What a consumer with skipLibCheck off sees: the packages' declarations must check too.
  run('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.', '--skipLibCheck', 'false'], project);
  run('npx', ['--no-install', 'tsc', '-p', '.'], project);
  if (!existsSync(join(project, 'build/consumer.js'))) fail('tsc wrote no build/consumer.js');

  say('starting the built server (embedded database, free port)');
  server = await startServer(join(work, 'data'));
  const output = run(process.execPath, ['run.mjs', server.url], project, { capture: true });
  say(`consumer: ${output.trim()}`);
  say(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  process.exitCode = 1;
  say(`FAILED: ${error instanceof CheckFailed ? error.message : (error.stack ?? error)}`);
} finally {
  await server?.stop();
  if (inherited.PACK_CHECK_KEEP === '1') say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Tests that run the server as a process (a SIGTERM under load, two servers on one data
// folder, `npm start`) run its build, as `npm start` does. They build it when they start, and
// only what it needs and only if a source changed (scripts/bootstrap.mjs --only server): a run
// of other tests builds nothing, so editing a file and running its tests starts at once.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCK = `${ROOT}node_modules/.cache/enclave/build.lock`;
let built = false;

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// One build at a time across the run's workers: the others wait, then find it current.
function withLock(work: () => void) {
  mkdirSync(`${ROOT}node_modules/.cache/enclave`, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than any build is one a killed run left behind.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmdirSync(LOCK);
      } catch {
        // Gone meanwhile: take it on the next turn.
      }
      sleep(200);
    }
  }
  try {
    work();
  } finally {
    rmdirSync(LOCK);
  }
}

/** The server's build, current with the sources; builds it once per test process if not. */
export function ensureServerBuilt(): void {
  if (built) return;
  withLock(() => {
    const result = spawnSync(process.execPath, ['scripts/bootstrap.mjs', '--only', 'server'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error('the server build failed; see its output above');
  });
  built = true;
}

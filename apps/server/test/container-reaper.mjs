// Removes a test run's containers once the run's process is gone, however it went: a normal end,
// a failure, Ctrl-C, kill -9. It does the job of testcontainers' Ryuk, whose image cannot be
// pulled where no registry is reachable, without any image at all.
//
//   node container-reaper.mjs <label> <value>
//
// Started by test/containers.ts in a process group of its own (a Ctrl-C reaches the run, not
// this), its stdin a pipe from the run: the pipe closes when the run's process ends for any
// reason, and then every container labelled <label>=<value> is removed, with its volumes.
import { setTimeout as sleep } from 'node:timers/promises';
import { getContainerRuntimeClient } from 'testcontainers';

const [label, value] = process.argv.slice(2);
if (label === undefined || value === undefined) {
  process.stderr.write('usage: container-reaper.mjs <label> <value>\n');
  process.exit(2);
}

async function removeLabelled() {
  const { dockerode } = (await getContainerRuntimeClient()).container;
  const filters = { label: [`${label}=${value}`] };
  const found = await dockerode.listContainers({ all: true, filters });
  await Promise.allSettled(
    found.map((container) => dockerode.getContainer(container.Id).remove({ force: true, v: true })),
  );
  return found.length;
}

let reaping = false;
async function reap() {
  if (reaping) return;
  reaping = true;
  // Twice: a create the run asked for just before it died may land after the first look.
  for (const delayMs of [0, 2000]) {
    await sleep(delayMs);
    try {
      await removeLabelled();
    } catch {
      // The engine went away too: nothing left to remove, or nothing this process can do.
    }
  }
  process.exit(0);
}

process.stdin.on('error', () => undefined);
process.stdin.once('end', () => void reap());
process.stdin.once('close', () => void reap());
process.stdin.resume();

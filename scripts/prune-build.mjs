// Removes compiled files whose source is gone, before an incremental `tsc` build: tsc never
// deletes outputs, and the server reads its migrations folder, so a migration renamed or
// removed in the sources must not live on in the build.
//
//   node scripts/prune-build.mjs <src-dir> <dist-dir>
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const [source, output] = process.argv.slice(2).map((dir) => path.resolve(dir));
const COMPILED = /\.(?:js|js\.map|d\.ts|d\.ts\.map)$/;

function prune(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(file);
      continue;
    }
    if (!COMPILED.test(entry.name)) continue;
    const stem = path.relative(output, file).replace(COMPILED, '');
    if (!existsSync(path.join(source, `${stem}.ts`))) rmSync(file);
  }
}

prune(output);

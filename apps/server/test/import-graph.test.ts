import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCircles, importGraph } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = [
  'packages/contract/src',
  'packages/client/src',
  'apps/server/src',
  'apps/server/test',
  'apps/server/bench',
  'apps/web/src',
  'apps/web/e2e',
];

// The entry points that compose the server from its configuration; everything else is given
// what it needs, so no module below them depends on how the whole is configured.
const MAY_IMPORT_CONFIG =
  /^apps\/server\/(src\/(main|app)\.ts|src\/bin\/[^/]+\.ts|src\/.*\.test\.ts|test\/.*)$/;

describe('the import graph', () => {
  const graph = importGraph(ROOT, SOURCES);

  it('reads every module of the packages and apps', () => {
    expect(graph.size).toBeGreaterThan(250);
    expect(graph.get('apps/server/src/app.ts')).toContain('apps/server/src/config.ts');
  });

  it('has no circle, type imports included', () => {
    expect(importCircles(graph).map((circle) => circle.join(' → '))).toEqual([]);
  });

  it('has no import of config.ts from below the entry points that compose the server', () => {
    const upward = [...graph]
      .filter(
        ([file, targets]) =>
          targets.includes('apps/server/src/config.ts') && !MAY_IMPORT_CONFIG.test(file),
      )
      .map(([file]) => file);
    expect(upward).toEqual([]);
  });

  it('finds a circle of type imports and a file that imports itself, as the checks rely on', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'enclave-imports-'));
    const write = (name: string, text: string) => {
      mkdirSync(path.dirname(path.join(scratch, name)), { recursive: true });
      writeFileSync(path.join(scratch, name), text);
    };
    write('src/a.ts', "import type { B } from './b/b.js';\nexport type A = B;\n");
    write('src/b/b.ts', "export type { C as B } from '../c.js';\n");
    write('src/c.ts', "import { type A } from './a.js';\nexport type C = A | 1;\n");
    write('src/self.ts', "export * from './self.js';\n");
    write('src/leaf.ts', "import { x } from 'zod';\nimport './missing.js';\nexport const y = x;\n");
    const circles = importCircles(importGraph(scratch, ['src']));
    expect(circles.map((circle) => circle.join(' → ')).sort()).toEqual([
      'src/a.ts → src/b/b.ts → src/c.ts → src/a.ts',
      'src/self.ts → src/self.ts',
    ]);
  });
});

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// The relative imports of a tree of TypeScript files, `import type` and `export … from`
// included: a circle of type imports still ties two modules into one that cannot be read or
// changed apart.

/** Importing file → the files it imports, every path relative to `root`. */
export type ImportGraph = Map<string, string[]>;

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter(
      (entry) =>
        entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// `./a.js` names `./a.ts` (or .tsx), as TypeScript's NodeNext resolution reads it.
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|mjs)$/, '');
  for (const candidate of [
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    path.join(base, 'index.ts'),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The graph of every TypeScript file under `folders` (relative to `root`). */
export function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of folders.flatMap((folder) => sourceFiles(path.join(root, folder)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined)
      .map((target) => path.relative(root, target));
    graph.set(path.relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/** Every circle of imports, each as the files on it in import order, first one repeated. */
export function importCircles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components; each component of more than one file (or a file
  // importing itself) holds at least one circle, shown by a walk around it.
  let index = 0;
  const indices = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string) => {
    indices.set(file, index);
    lowest.set(file, index);
    index += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowest.set(file, Math.min(lowest.get(file)!, lowest.get(next)!));
      } else if (onStack.has(next)) {
        lowest.set(file, Math.min(lowest.get(file)!, indices.get(next)!));
      }
    }
    if (lowest.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = (graph.get(file) ?? []).includes(file);
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const file of graph.keys()) if (!indices.has(file)) visit(file);
  return components.map((component) => {
    const members = new Set(component);
    const start = [...members].sort()[0]!;
    const walk = [start];
    let current = start;
    do {
      current =
        (graph.get(current) ?? []).find(
          (next) => members.has(next) && (next === start || !walk.includes(next)),
        ) ?? start;
      walk.push(current);
    } while (current !== start && walk.length <= members.size + 1);
    return walk;
  });
}

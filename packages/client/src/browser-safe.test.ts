// The client and the contract it carries run in browsers: their sources may use no Node-only
// module or global (Buffer, process, require, setImmediate, the NodeJS namespace…). The
// workspace compiles them with Node's types, so the compiler alone would not notice; this asks
// it where every name used resolves, and refuses whatever only @types/node declares, apart from
// the web-standard globals Node shares with browsers.
import { builtinModules } from 'node:module';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHIPPED = ['packages/client/src', 'packages/contract/src'];

/** Globals @types/node declares that browsers have too (WHATWG and ECMAScript APIs). */
const WEB_GLOBALS = new Set([
  'AbortController',
  'AbortSignal',
  'atob',
  'Blob',
  'btoa',
  'clearInterval',
  'clearTimeout',
  'console',
  'crypto',
  'DOMException',
  'Event',
  'EventTarget',
  'fetch',
  'File',
  'FormData',
  'Headers',
  'navigator',
  'performance',
  'queueMicrotask',
  'ReadableStream',
  'Request',
  'Response',
  'setInterval',
  'setTimeout',
  'structuredClone',
  'TextDecoder',
  'TextEncoder',
  'URL',
  'URLSearchParams',
]);

const NODE_TYPES = /[\\/]node_modules[\\/](@types[\\/]node|undici-types)[\\/]/;
const builtins = new Set(builtinModules);
const isNodeModule = (specifier: string) =>
  specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? '');

const shippedFiles = () =>
  SHIPPED.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.includes('.test'))
      .map((name) => join(ROOT, folder, name)),
  );

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'packages/client/tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file)) as {
    config: unknown;
  };
  return ts.parseJsonConfigFileContent(config, ts.sys, join(ROOT, 'packages/client')).options;
}

/** A name used in code (not a property or a declaration's own name), or `globalThis.<name>`. */
function usedName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) {
    return ts.isIdentifier(parent.expression) && parent.expression.text === 'globalThis';
  }
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  const declarationName =
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isBindingElement(parent)) &&
    parent.name === node;
  return !declarationName;
}

/** Every Node-only thing `files` use, as `file:line what`. */
function nodeOnlyUses(files: string[], host?: ts.CompilerHost): string[] {
  const program = ts.createProgram({ rootNames: files, options: compilerOptions(), host });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`not compiled: ${file}`);
    const report = (node: ts.Node, what: string) => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${file.slice(ROOT.length)}:${line + 1} ${what}`);
    };
    const visit = (node: ts.Node) => {
      const specifier =
        ts.isImportDeclaration(node) || ts.isExportDeclaration(node)
          ? node.moduleSpecifier
          : ts.isCallExpression(node) &&
              (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
                (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
            ? node.arguments[0]
            : undefined;
      if (
        specifier !== undefined &&
        ts.isStringLiteral(specifier) &&
        isNodeModule(specifier.text)
      ) {
        report(node, `imports ${specifier.text}`);
      }
      if (ts.isIdentifier(node) && usedName(node) && !WEB_GLOBALS.has(node.text)) {
        const declarations = checker.getSymbolAtLocation(node)?.declarations ?? [];
        const nodeOnly =
          declarations.length > 0 &&
          declarations.every((declaration) =>
            NODE_TYPES.test(declaration.getSourceFile().fileName),
          );
        if (nodeOnly) report(node, `uses ${node.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('the shipped sources run in browsers', () => {
  it('use no Node-only module or global', () => {
    const files = shippedFiles();
    expect(files.map((file) => file.slice(ROOT.length))).toContain(
      'packages/client/src/session.ts',
    );
    expect(nodeOnlyUses(files)).toEqual([]);
  });

  it('would be caught using one, however spelt', () => {
    const fixture = join(ROOT, 'packages/client/src/fixture-node-only.ts');
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import { EventEmitter } from 'events';",
      "export const a = Buffer.from('x');",
      'export const b = process.env.HOME;',
      'export const c = globalThis.process;',
      'export const d = (t: NodeJS.Timeout) => t;',
      'export const e = setImmediate;',
      "export const f = typeof require === 'function';",
      // Allowed: web globals, and Node-ish names that are merely properties.
      'export const g = [atob, fetch, new TextDecoder(), { process: 1 }.process, setTimeout];',
      'export { readFileSync, EventEmitter };',
    ].join('\n');
    const options = compilerOptions();
    const real = ts.createCompilerHost(options);
    const host: ts.CompilerHost = {
      ...real,
      getSourceFile: (name, version, ...rest) =>
        name === fixture
          ? ts.createSourceFile(name, code, version, true)
          : real.getSourceFile(name, version, ...rest),
      fileExists: (name) => name === fixture || real.fileExists(name),
      readFile: (name) => (name === fixture ? code : real.readFile(name)),
    };
    expect(nodeOnlyUses([fixture], host).map((use) => use.replace(/^.*?:/, ''))).toEqual([
      '1 imports node:fs',
      '2 imports events',
      '3 uses Buffer',
      '4 uses process',
      '5 uses process',
      '6 uses NodeJS',
      '7 uses setImmediate',
      '8 uses require',
    ]);
  });
});

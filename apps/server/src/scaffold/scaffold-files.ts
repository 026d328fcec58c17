import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tablePlan } from '../resources/resource-table.js';
import { parseFieldArguments } from './field-arguments.js';
import { migrationSource } from './migration-source.js';
import {
  DEFAULT_FIELDS,
  declarationSource,
  scaffoldedDeclaration,
  scaffoldedLine,
} from './resource-source.js';

// Writes a scaffolded resource into a checkout: its declaration, its migration, its three lines
// in the registry. Nothing else: routes, tables' types, routers, OpenAPI and the tests all
// follow from the registry.

// Names the contract or the server already use for something else.
const RESERVED = new Set([
  'auth',
  'health',
  'docs',
  'openapi',
  'api',
  'accounts',
  'resources',
  'registry',
  'db',
  'http',
  'fields',
  'changes',
  'export',
]);

export interface ScaffoldRequest {
  name: string;
  singular?: string;
  fields: readonly string[];
  /** The registered resources, which a reference may name besides the new one. */
  known: readonly string[];
}

/** Inserts `line` above the marker comment `// new:resource <what>` of `text`. */
function register(text: string, what: string, line: string): string {
  const marker = new RegExp(`^([ \\t]*)// new:resource ${what}$`, 'm');
  const match = marker.exec(text);
  if (match === null) throw new Error(`the registry has no "// new:resource ${what}" line`);
  return text.replace(marker, `${match[1]}${line}\n${match[0]}`);
}

/**
 * Writes the resource into the checkout at `root`; the paths it wrote or changed, none when
 * the same command scaffolded it before (so a walkthrough can be run again).
 */
export function scaffoldResource(root: string, request: ScaffoldRequest): string[] {
  const { name, known } = request;
  if (!/^[a-z][a-z0-9_]{1,39}$/.test(name)) {
    throw new Error(
      `"${name}" must be lowercase letters, digits and _ (2-40), starting with a letter`,
    );
  }
  if (RESERVED.has(name)) throw new Error(`"${name}" is reserved`);
  const singular = request.singular ?? name.replace(/s$/, '');
  if (!/^[a-z][a-z0-9_ ]*$/.test(singular) || singular === name) {
    throw new Error('give a singular different from the plural name: --singular <name>');
  }
  const fieldArguments = request.fields.length > 0 ? request.fields : DEFAULT_FIELDS;
  const fields = parseFieldArguments(fieldArguments);
  const origin = scaffoldedLine(name, singular, fieldArguments);
  for (const { name: field, call } of fields) {
    if (call.kind === 'reference' && call.resource !== name && !known.includes(call.resource)) {
      throw new Error(
        `${field}: ref(${call.resource}) names no resource; the resources are ${known.join(', ')}`,
      );
    }
  }
  const contractDir = path.join(root, 'packages/contract/src');
  const migrationsDir = path.join(root, 'apps/server/src/db/migrations');
  const declarationFile = `packages/contract/src/${name}.ts`;
  if (existsSync(path.join(root, declarationFile))) {
    if (readFileSync(path.join(root, declarationFile), 'utf8').startsWith(`${origin}\n`)) return [];
    throw new Error(`a resource named ${name} is already declared`);
  }
  const number =
    Math.max(
      0,
      ...readdirSync(migrationsDir)
        .map((entry) => Number(entry.slice(0, 4)))
        .filter(Number.isInteger),
    ) + 1;
  const migrationFile = `apps/server/src/db/migrations/${String(number).padStart(4, '0')}-create-${name.replaceAll('_', '-')}.ts`;
  const plan = tablePlan(scaffoldedDeclaration(name, fields));

  const registryFile = 'packages/contract/src/registry.ts';
  const id = name.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
  let registry = readFileSync(path.join(root, registryFile), 'utf8');
  registry = register(registry, 'imports here', `import { ${id} } from './${name}.js';`);
  // Keyed by the resource's name, as the URLs, the client, the tables and the routers are.
  registry = register(registry, 'declares here', name === id ? `${id},` : `${name}: ${id},`);
  registry = register(registry, 'exports here', `export * from './${name}.js';`);

  mkdirSync(contractDir, { recursive: true });
  writeFileSync(
    path.join(root, declarationFile),
    declarationSource(name, singular, fields, origin),
  );
  writeFileSync(path.join(root, migrationFile), migrationSource(plan, declarationFile));
  writeFileSync(path.join(root, registryFile), registry);
  return [declarationFile, migrationFile, registryFile];
}

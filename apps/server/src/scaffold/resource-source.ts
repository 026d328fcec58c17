import {
  boolean,
  date,
  decimal,
  email,
  enumeration,
  integer,
  json,
  reference,
  text,
  timestamp,
  url,
  uuid,
} from '@enclave/contract';
import type { z } from 'zod';
import type { FieldArgument, KindCall } from './field-arguments.js';

// A scaffolded resource's declaration: its source text for packages/contract/src/<name>.ts,
// and the same fields as schemas, which the migration's table plan is made from.

/** The fields of a resource scaffolded without any: what the README's first example shows. */
export const DEFAULT_FIELDS = ['title:text(1,200)', 'description:text(0,2000)?', 'done:boolean'];

/** The kind's call as the declaration writes it. */
function callSource(call: KindCall): string {
  switch (call.kind) {
    case 'text':
      return `text(${call.min}, ${call.max})`;
    case 'integer':
      return call.min === undefined ? 'integer()' : `integer(${call.min}, ${call.max})`;
    case 'decimal':
      return `decimal(${call.precision}, ${call.scale})`;
    case 'enumeration':
      return `enumeration([${call.values.map((value) => JSON.stringify(value)).join(', ')}])`;
    case 'reference':
      return `reference(${JSON.stringify(call.resource)})`;
    default:
      return `${call.kind}()`;
  }
}

/** The kind's schema, as the declaration's call makes it. */
function callSchema(call: KindCall): z.ZodTypeAny {
  switch (call.kind) {
    case 'text':
      return text(call.min, call.max);
    case 'integer':
      return call.min === undefined ? integer() : integer(call.min, call.max);
    case 'decimal':
      return decimal(call.precision, call.scale);
    case 'enumeration':
      return enumeration(call.values as [string, ...string[]]);
    case 'reference':
      return reference(call.resource);
    case 'email':
      return email();
    case 'url':
      return url();
    case 'uuid':
      return uuid();
    case 'boolean':
      return boolean();
    case 'date':
      return date();
    case 'timestamp':
      return timestamp();
    case 'json':
      return json();
  }
}

/** A value of the field for the declaration's example (shown in the API docs). */
function exampleValue({ name, call }: FieldArgument): unknown {
  switch (call.kind) {
    case 'text': {
      const text = `Example ${name.replaceAll('_', ' ')}`.slice(0, call.max);
      return text.padEnd(call.min, '.');
    }
    case 'email':
      return 'name@example.com';
    case 'url':
      return `https://example.com/${name}`;
    case 'uuid':
      return '123e4567-e89b-12d3-a456-426614174000';
    case 'integer':
      return Math.min(Math.max(1, call.min ?? 1), call.max ?? 1);
    case 'decimal': {
      const whole = call.precision - call.scale;
      const integerPart = whole >= 2 ? '12' : whole === 1 ? '1' : '0';
      return call.scale === 0 ? integerPart : `${integerPart}.${'5'.padEnd(call.scale, '0')}`;
    }
    case 'boolean':
      return false;
    case 'date':
      return '2026-03-01';
    case 'timestamp':
      return '2026-03-01T09:30:00.000Z';
    case 'enumeration':
      return call.values[0];
    case 'json':
      return {};
    case 'reference':
      return 1;
  }
}

// What a list does with each kind by default; the declaration can be edited afterwards. Long
// text is searched rather than sorted; a json field is neither.
const SORTED = new Set(['email', 'integer', 'decimal', 'date', 'timestamp', 'enumeration']);
const FILTERED = new Set([
  'boolean',
  'email',
  'enumeration',
  'integer',
  'decimal',
  'date',
  'timestamp',
  'uuid',
  'reference',
]);
const SEARCHED = new Set(['text', 'email', 'url']);

export function listAbilities(fields: readonly FieldArgument[]) {
  const names = (keep: (field: FieldArgument) => boolean) =>
    fields.filter(keep).map(({ name }) => name);
  return {
    sortable: names(
      ({ call }) => SORTED.has(call.kind) || (call.kind === 'text' && call.max <= 200),
    ),
    filterable: names(({ call }) => FILTERED.has(call.kind)),
    searchable: names(({ call }) => SEARCHED.has(call.kind)),
  };
}

/** Defaults: null for a field that may be empty, false for a boolean; the rest are required. */
function defaultsOf(fields: readonly FieldArgument[]): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const { name, call, nullable } of fields) {
    if (nullable) defaults[name] = null;
    else if (call.kind === 'boolean') defaults[name] = false;
  }
  return defaults;
}

/** The declaration as the table plan reads it. */
export function scaffoldedDeclaration(name: string, fields: readonly FieldArgument[]) {
  const schemas = Object.fromEntries(
    fields.map((field) => {
      const schema = callSchema(field.call);
      return [field.name, field.nullable ? schema.nullable() : schema];
    }),
  );
  return { name, fields: schemas, defaults: defaultsOf(fields), list: listAbilities(fields) };
}

const camel = (text: string) =>
  text.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
const pascal = (text: string) => camel(text).charAt(0).toUpperCase() + camel(text).slice(1);
const literal = (value: unknown) => JSON.stringify(value);
const list = (names: string[]) => `[${names.map(literal).join(', ')}]`;

/** The line a declaration starts with, naming what it was scaffolded from. */
export function scaffoldedLine(name: string, singular: string, fields: readonly string[]): string {
  return `// Scaffolded: npm run new:resource -- ${[name, '--singular', singular, ...fields].join(' ')}`;
}

/** The source of packages/contract/src/<name>.ts. */
export function declarationSource(
  name: string,
  singular: string,
  fields: readonly FieldArgument[],
  origin: string,
): string {
  const id = camel(name);
  const Type = pascal(singular.replaceAll(' ', '_'));
  const kinds = [
    ...new Set(fields.map(({ call }) => (call.kind === 'enumeration' ? 'enumeration' : call.kind))),
  ].sort();
  const abilities = listAbilities(fields);
  const fieldLines = fields.map(
    ({ name: field, call, nullable }) =>
      `    ${field}: ${callSource(call)}${nullable ? '.nullable()' : ''},`,
  );
  const example = fields.map((field) => `    ${field.name}: ${literal(exampleValue(field))},`);
  const references = fields.filter(({ call }) => call.kind === 'reference');
  return `${origin}
import type { z } from 'zod';
import { ${kinds.join(', ')} } from './fields.js';
import { defineResource } from './resource.js';

/** ${pascal(name)}, owned by one user each. */
export const ${id} = defineResource({
  name: ${literal(name)},
  singular: ${literal(singular)},
  fields: {
${fieldLines.join('\n')}
  },
  defaults: ${literal(defaultsOf(fields))},
  // unique: ['<field>'] would make a repeated value a 409 (the migration then adds the
  // constraint ${name}_user_id_<field>_key on (user_id, <field>)).${
    references.length > 0
      ? `\n  // A reference is checked by the foreign key ${name}_user_id_<field>_fkey: a nullable one is\n  // emptied when the item it names is deleted, a required one is deleted with it.`
      : ''
  }
  list: {
    sortable: ${list(abilities.sortable)},
    filterable: ${list(abilities.filterable)},
    searchable: ${list(abilities.searchable)},
  },
  example: {
${example.join('\n')}
  },
});

export type ${Type} = z.infer<typeof ${id}.schemas.response>;
export type ${Type}Create = z.input<typeof ${id}.schemas.create>;
export type ${Type}Replace = z.input<typeof ${id}.schemas.replace>;
export type ${Type}Patch = z.input<typeof ${id}.schemas.patch>;
export type ${Type}ListQuery = z.input<typeof ${id}.schemas.listQuery>;
`;
}

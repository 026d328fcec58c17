// Reads the fields of `npm run new:resource -- <name> <field>:<kind> …`: each argument names a
// field and its kind as the contract's fields.ts declares one, with a trailing `?` for a field
// that may be empty. Pure, so it is tested without writing a file.

/** A kind call as the declaration writes it, e.g. `decimal(10, 2)`. */
export type KindCall =
  | { kind: 'text'; min: number; max: number }
  | { kind: 'email' | 'url' | 'uuid' | 'boolean' | 'date' | 'timestamp' | 'json' }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'enumeration'; values: string[] }
  | { kind: 'reference'; resource: string };

export interface FieldArgument {
  name: string;
  call: KindCall;
  nullable: boolean;
}

/** The kinds as a user writes them, for the usage line. */
export const KIND_SYNTAX =
  'text, text(min,max), email, url, uuid, integer, integer(min,max), decimal(precision,scale), ' +
  'boolean, date, timestamp, enum(a|b|c), json, ref(<resource>)';

// Columns every table has, and words the generated code uses for its own.
const RESERVED_FIELDS = new Set([
  'id',
  'user_id',
  'version',
  'created_at',
  'updated_at',
  'q',
  'limit',
  'cursor',
  'sort',
  'count',
]);
const FIELD_NAME = /^[a-z][a-z0-9_]{0,29}$/;
const ARGUMENT = /^([^:]+):([a-z]+)(?:\((.*)\))?(\?)?$/;

const whole = (text: string | undefined, what: string): number => {
  if (text === undefined || !/^-?\d{1,16}$/.test(text.trim()))
    throw new Error(`${what} must be a whole number`);
  return Number(text.trim());
};

function kindCall(kind: string, args: string | undefined, field: string): KindCall {
  const parts = args === undefined ? [] : args.split(',').map((part) => part.trim());
  const none = () => {
    if (args !== undefined) throw new Error(`${field}: ${kind} takes no arguments`);
  };
  switch (kind) {
    case 'text': {
      if (args === undefined) return { kind: 'text', min: 1, max: 200 };
      const [min, max] = [
        whole(parts[0], `${field}: text's min`),
        whole(parts[1], `${field}: text's max`),
      ];
      if (parts.length !== 2 || min < 0 || max < Math.max(min, 1)) {
        throw new Error(`${field}: text(min,max) needs 0 <= min <= max, max >= 1`);
      }
      return { kind: 'text', min, max };
    }
    case 'integer': {
      if (args === undefined) return { kind: 'integer' };
      const [min, max] = [
        whole(parts[0], `${field}: integer's min`),
        whole(parts[1], `${field}: integer's max`),
      ];
      if (parts.length !== 2 || min > max)
        throw new Error(`${field}: integer(min,max) needs min <= max`);
      return { kind: 'integer', min, max };
    }
    case 'decimal': {
      if (args === undefined)
        throw new Error(`${field}: decimal needs (precision,scale), e.g. decimal(10,2)`);
      const [precision, scale] = [
        whole(parts[0], `${field}: precision`),
        whole(parts[1], `${field}: scale`),
      ];
      if (
        parts.length !== 2 ||
        precision < 1 ||
        precision > 1000 ||
        scale < 0 ||
        scale > precision
      ) {
        throw new Error(
          `${field}: decimal(precision,scale) needs 1 <= precision <= 1000, 0 <= scale <= precision`,
        );
      }
      return { kind: 'decimal', precision, scale };
    }
    case 'enum': {
      const values = (args ?? '').split('|').map((value) => value.trim());
      if (
        values.some((value) => !/^[A-Za-z0-9_ .-]{1,100}$/.test(value)) ||
        new Set(values).size !== values.length
      ) {
        throw new Error(
          `${field}: enum(a|b|c) needs distinct values of letters, digits, _ . - or space`,
        );
      }
      return { kind: 'enumeration', values };
    }
    case 'ref': {
      const resource = (args ?? '').trim();
      if (!/^[a-z][a-z0-9_]{1,39}$/.test(resource))
        throw new Error(`${field}: ref(<resource>) needs a resource name`);
      return { kind: 'reference', resource };
    }
    case 'email':
    case 'url':
    case 'uuid':
    case 'boolean':
    case 'date':
    case 'timestamp':
    case 'json':
      none();
      return { kind };
    default:
      throw new Error(`${field}: unknown kind ${kind}; the kinds are ${KIND_SYNTAX}`);
  }
}

/** The fields the arguments declare, or an error saying which argument is wrong and why. */
export function parseFieldArguments(args: readonly string[]): FieldArgument[] {
  const fields: FieldArgument[] = [];
  for (const arg of args) {
    const match = ARGUMENT.exec(arg);
    if (match === null)
      throw new Error(`"${arg}" is not <field>:<kind>; the kinds are ${KIND_SYNTAX}`);
    const [, name = '', kind = '', kindArgs, optional] = match;
    if (!FIELD_NAME.test(name)) {
      throw new Error(
        `${name}: a field name is lowercase letters, digits and _ (1-30), starting with a letter`,
      );
    }
    if (RESERVED_FIELDS.has(name))
      throw new Error(`${name}: every item has this field already, or a list parameter takes it`);
    if (fields.some((field) => field.name === name)) throw new Error(`${name}: declared twice`);
    fields.push({ name, call: kindCall(kind, kindArgs, name), nullable: optional === '?' });
  }
  return fields;
}

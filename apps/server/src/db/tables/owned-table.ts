import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { z } from 'zod';

/**
 * The stored values of a resource's declared fields, as its contract declares them; a field
 * with a declared default may be left out of an insert (the column has the same default).
 */
type FieldColumns<TFields extends z.ZodRawShape, TDefaults> = {
  [K in keyof TFields]: K extends keyof TDefaults
    ? ColumnType<z.output<TFields[K]>, z.output<TFields[K]> | undefined, z.output<TFields[K]>>
    : z.output<TFields[K]>;
};

/**
 * The table of a resource, derived from its contract declaration: the owner, an identity id,
 * the declared fields and two timestamps the database sets. Ids and int8 columns come back as
 * numbers from both drivers (see database.ts).
 */
export type OwnedTable<TResource extends { fields: z.ZodRawShape; defaults: object }> =
  SystemColumns & FieldColumns<TResource['fields'], TResource['defaults']>;

/** The columns every owned table has besides its resource's fields. */
export interface SystemColumns {
  id: Generated<number>;
  user_id: string;
  version: ColumnType<number, never, RawBuilder<number>>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, RawBuilder<Date>>;
}

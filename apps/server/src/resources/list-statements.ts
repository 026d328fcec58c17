import type { RangeOperator } from '@enclave/contract';
import { compiledByShape, type Param, type Values } from '../db/compiled-once.js';
import type { OwnedTableName } from '../db/schema.js';
import { cast, type ResourceColumns } from './resource-columns.js';
import type { GenericItem } from './generic-resource.js';
import type { Tables, Where } from './statement-types.js';

// A list's statements have a few shapes each (sort, which filters, search, where the cursor
// stands): each shape is built with Kysely once and compiled once; a request only brings the
// values. Every statement names the owner as a top-level term of its WHERE clause (and so
// does each of its subqueries): a row of another user cannot be in any page or count.

export type SortDirection = 'asc' | 'desc';

/** One filter of a list: a field equal to a value (null: empty), or a bound of a range. */
export interface ListFilter {
  field: string;
  operator: 'eq' | RangeOperator;
  value: unknown;
}

/** A page of a list, after the caller turned the query string and cursor into these. */
export interface ListCriteria {
  limit: number;
  sort: { field: string; direction: SortDirection };
  /** Rows strictly after this position in the sort order (from a cursor); value may be null. */
  after?: { value: unknown; id: number };
  filters: ListFilter[];
  q?: string;
  /** Whether to count every match across all pages (the list's `count`). */
  count: boolean;
}

type FilterOperator = 'eq' | 'is null' | RangeOperator;

/** The shape of a list statement: everything but its values (owner, filter values, …). */
export interface ListShape {
  sort: { field: string; direction: SortDirection; nullable: boolean };
  /** By field, then operator: one shape whatever order the query string had. */
  filters: { field: string; operator: FilterOperator }[];
  search: boolean;
  /** Where the previous page ended: nowhere (a first page), at a value, or at a null. */
  after: 'none' | 'value' | 'null';
}

const COMPARISON = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

const filterParam = (field: string, operator: string) => `filter ${field} ${operator}`;

/** `%`, `_` and `\` in a search are the user's characters, not LIKE wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The shape of the statement a list runs, and the values it runs with. */
export function listRun(columns: ResourceColumns, owner: string, criteria: ListCriteria) {
  const values: Record<string, unknown> = { owner, limit: criteria.limit + 1 };
  const filters = criteria.filters
    .map(({ field, operator, value }) => {
      const isNull = operator === 'eq' && value === null;
      if (!isNull) values[filterParam(field, operator)] = value;
      return { field, operator: isNull ? ('is null' as const) : operator };
    })
    .sort((a, b) => (a.field + ' ' + a.operator < b.field + ' ' + b.operator ? -1 : 1));
  if (criteria.q !== undefined) values.pattern = likePattern(criteria.q);
  let after: ListShape['after'] = 'none';
  if (criteria.after !== undefined) {
    values['after id'] = criteria.after.id;
    after = criteria.after.value === null ? 'null' : 'value';
    if (after === 'value') values['after value'] = criteria.after.value;
  }
  const { field, direction } = criteria.sort;
  const shape: ListShape = {
    sort: { field, direction, nullable: columns.nullable(field) },
    filters,
    search: criteria.q !== undefined,
    after,
  };
  return { shape, values: values as Values };
}

const shapeKey = (shape: ListShape) => JSON.stringify(shape);

/** The list statements of one resource. */
export function listStatements(columns: ResourceColumns, searchable: readonly string[]) {
  const table = columns.table as OwnedTableName;

  // The owner, the filters and the search: what a page and its count both match.
  const matching = (eb: Where, shape: ListShape, param: Param) => {
    const terms = [eb('user_id', '=', param<string>('owner'))];
    for (const { field, operator } of shape.filters) {
      if (operator === 'is null') {
        terms.push(eb(field, 'is', null));
      } else {
        const value = cast(param(filterParam(field, operator)), columns.parameterType(field));
        terms.push(eb(field, COMPARISON[operator], value));
      }
    }
    if (shape.search) {
      const pattern = param<string>('pattern');
      terms.push(eb.or(searchable.map((field) => eb(field, 'ilike', pattern))));
    }
    return eb.and(terms);
  };

  // Rows past the cursor in the list's order. Nulls sort last ascending and first descending
  // (PostgreSQL's default, which the (user_id, field, id) index serves both ways).
  const beyond = (eb: Where, shape: ListShape, param: Param) => {
    const { field, direction, nullable } = shape.sort;
    const later = direction === 'asc' ? '>' : '<';
    const id = cast<number>(param('after id'), 'bigint');
    if (field === 'id') return eb('id', later, id);
    if (shape.after === 'null') {
      const laterNull = eb.and([eb(field, 'is', null), eb('id', later, id)]);
      return direction === 'asc' ? laterNull : eb.or([laterNull, eb(field, 'is not', null)]);
    }
    const value = cast(param('after value'), columns.parameterType(field));
    const past = eb(eb.refTuple(field, 'id'), later, eb.tuple(value, id));
    return nullable && direction === 'asc' ? eb.or([past, eb(field, 'is', null)]) : past;
  };

  // A page of rows (one more than the limit) as stored, which the index orders.
  const pageQuery = (db: Tables, shape: ListShape, param: Param) => {
    const { field, direction } = shape.sort;
    let page = db
      .selectFrom(table)
      .select(columns.stored())
      .where((eb) => matching(eb, shape, param));
    if (shape.after !== 'none') page = page.where((eb) => beyond(eb, shape, param));
    if (field !== 'id') page = page.orderBy(field, direction);
    return page.orderBy('id', direction).limit(param<number>('limit')).as('page');
  };

  // How many rows match across all pages.
  const countQuery = (db: Tables, shape: ListShape, param: Param) =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where((eb) => matching(eb, shape, param));

  // The page's items as the client sees them, in the page's order.
  const pageItems = (db: Tables, shape: ListShape, param: Param) => {
    const { field, direction } = shape.sort;
    let query = db.selectFrom(pageQuery(db, shape, param)).select(columns.item('page'));
    if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
    return query.orderBy('page.id', direction).$castTo<GenericItem>();
  };

  return {
    /** The page alone: what it costs does not grow with the owner's other rows. */
    page: compiledByShape(
      (db: Tables, param: Param, shape: ListShape) => pageItems(db, shape, param),
      shapeKey,
    ),

    /**
     * The page with the count beside each row, from the same statement, so the same
     * snapshot. A first page that holds every match is its own count: PostgreSQL runs the
     * count only when the page came back full (an uncorrelated subquery runs when first
     * needed, if ever).
     */
    counted: compiledByShape(
      (db: Tables, param: Param, shape: ListShape) =>
        pageItems(db, shape, param)
          .select((eb) =>
            (shape.after !== 'none'
              ? countQuery(db, shape, param).$asScalar()
              : eb
                  .case()
                  .when(eb.fn.countAll<number>().over(), '=', param<number>('limit'))
                  .then(countQuery(db, shape, param).$asScalar())
                  .end()
            ).as('total'),
          )
          .$castTo<GenericItem & { total: number | null }>(),
      shapeKey,
    ),

    /** The count alone, for a page after a cursor that came back empty. */
    count: compiledByShape(
      (db: Tables, param: Param, shape: ListShape) => countQuery(db, shape, param),
      shapeKey,
    ),
  };
}

import { rangeOperators, type RangeOperator } from '@enclave/contract';
import type { z } from 'zod';
import type { CursorCodec } from './cursor.js';
import type { GenericResource } from './generic-resource.js';
import type { ListCriteria, ListFilter, SortDirection } from './list-statements.js';

/** The list query as the contract parsed it; a resource's filters are its other entries. */
export type ListQuery = z.output<GenericResource['schemas']['listQuery']>;

const NOT_FILTERS = new Set(['limit', 'cursor', 'sort', 'q', 'count']);
const RANGE_KEY = new RegExp(`^(.+)\\[(${rangeOperators.join('|')})\\]$`);

/** The sort a `sort` value asks for: `-title` is title, descending. */
function parseSort(sort: string): ListCriteria['sort'] {
  const direction: SortDirection = sort.startsWith('-') ? 'desc' : 'asc';
  return { field: direction === 'desc' ? sort.slice(1) : sort, direction };
}

/** A filter parameter as the list applies it: `price[gte]` is price, from this value on. */
function filterOf(key: string, value: unknown): ListFilter {
  const range = RANGE_KEY.exec(key);
  return range === null
    ? { field: key, operator: 'eq', value }
    : { field: range[1]!, operator: range[2] as RangeOperator, value };
}

/** The criteria a list query asks for, before any cursor is applied. */
export function listCriteria(query: ListQuery): ListCriteria {
  const filters: ListFilter[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (!NOT_FILTERS.has(key) && value !== undefined) filters.push(filterOf(key, value));
  }
  return {
    limit: query.limit,
    sort: parseSort(query.sort),
    filters,
    count: query.count !== 'none',
    ...(typeof query.q === 'string' ? { q: query.q } : {}),
  };
}

/**
 * What a cursor is bound to: the resource, the owner and everything that shapes the list
 * except `limit` (a client may change the page size between pages).
 */
export function cursorScope(resource: string, owner: string, criteria: ListCriteria): string {
  const { sort, q, filters } = criteria;
  const sortedFilters = filters
    .map(({ field, operator, value }) => [field, operator, value] as const)
    .sort(([a, x], [b, y]) => (`${a} ${x}` < `${b} ${y}` ? -1 : 1));
  return JSON.stringify([resource, owner, sort.field, sort.direction, q ?? null, sortedFilters]);
}

/** The criteria continued after `cursor`, or undefined when the cursor does not hold. */
export function afterCursor(
  criteria: ListCriteria,
  cursor: string,
  scope: string,
  cursors: CursorCodec,
): ListCriteria | undefined {
  const position = cursors.decode(cursor, scope);
  return position === undefined ? undefined : { ...criteria, after: position };
}

/**
 * The cursor of the page after one that ended on `row`: its sort value as the API showed it
 * (a decimal's text, a time in UTC, null), which the next page's statement casts back to the
 * column's type, and its id.
 */
export function nextCursor(
  row: Record<string, unknown>,
  sortField: string,
  scope: string,
  cursors: CursorCodec,
): string {
  const value = row[sortField];
  if (
    value !== null &&
    typeof value !== 'string' &&
    typeof value !== 'number' &&
    typeof value !== 'boolean'
  ) {
    throw new TypeError(`Sort field ${sortField} holds no sortable value`);
  }
  return cursors.encode({ value, id: Number(row.id) }, scope);
}

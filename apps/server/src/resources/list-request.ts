import type { z } from 'zod';
import type { CursorCodec } from './cursor.js';
import type { GenericResource } from './generic-resource.js';
import type { ListCriteria, SortDirection } from './resource.repository.js';

/** The list query as the contract parsed it; a resource's filters are its other entries. */
export type ListQuery = z.output<GenericResource['schemas']['listQuery']>;

const TIMESTAMP_FIELDS = new Set<string>(['created_at', 'updated_at']);
const NOT_FILTERS = new Set(['limit', 'cursor', 'sort', 'q', 'count']);

/** The sort a `sort` value asks for: `-title` is title, descending. */
function parseSort(sort: string): ListCriteria['sort'] {
  const direction: SortDirection = sort.startsWith('-') ? 'desc' : 'asc';
  return { field: direction === 'desc' ? sort.slice(1) : sort, direction };
}

/** The criteria a list query asks for, before any cursor is applied. */
export function listCriteria(query: ListQuery): ListCriteria {
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!NOT_FILTERS.has(key) && value !== undefined) filters[key] = value;
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
  const sortedFilters = Object.entries(filters).sort(([a], [b]) => (a < b ? -1 : 1));
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
  if (position === undefined) return undefined;
  if (!TIMESTAMP_FIELDS.has(criteria.sort.field)) return { ...criteria, after: position };
  const time = typeof position.value === 'string' ? new Date(position.value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) return undefined;
  return { ...criteria, after: { value: time, id: position.id } };
}

/** The cursor of the page after one that ended on `row`. */
export function nextCursor(
  row: Record<string, unknown>,
  sortField: string,
  scope: string,
  cursors: CursorCodec,
): string {
  const raw = row[sortField];
  const value = raw instanceof Date ? raw.toISOString() : raw;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new TypeError(`Sort field ${sortField} holds no sortable value`);
  }
  return cursors.encode({ value, id: Number(row.id) }, scope);
}

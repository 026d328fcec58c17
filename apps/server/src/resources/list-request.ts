import type { CursorCodec } from './cursor.js';
import type { ListCriteria, SortDirection } from './resource.repository.js';

/** The list query as the contract parsed it. */
export type ListQuery = {
  limit: number;
  cursor?: string;
  sort: string;
  q?: string;
} & Record<string, unknown>;

const TIMESTAMP_FIELDS = new Set<string>(['created_at', 'updated_at']);
const NOT_FILTERS = new Set(['limit', 'cursor', 'sort', 'q']);

/** The sort a `sort` value asks for: `-title` is title, descending. */
export function parseSort(sort: string): ListCriteria['sort'] {
  const direction: SortDirection = sort.startsWith('-') ? 'desc' : 'asc';
  return { field: direction === 'desc' ? sort.slice(1) : sort, direction };
}

/**
 * What a cursor is bound to: the resource, the owner and every parameter that shapes the list
 * except `limit` (a client may change the page size between pages).
 */
export function cursorScope(resource: string, owner: string, query: ListQuery): string {
  const filters = Object.entries(query)
    .filter(([key, value]) => !NOT_FILTERS.has(key) && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([resource, owner, query.sort, query.q ?? null, filters]);
}

/** The criteria of a list request, or undefined when its cursor does not hold. */
export function listCriteria(
  query: ListQuery,
  scope: string,
  cursors: CursorCodec,
): ListCriteria | undefined {
  const sort = parseSort(query.sort);
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!NOT_FILTERS.has(key) && value !== undefined) filters[key] = value;
  }
  const criteria: ListCriteria = {
    limit: query.limit,
    sort,
    filters,
    ...(query.q === undefined ? {} : { q: query.q }),
  };
  if (query.cursor === undefined) return criteria;
  const position = cursors.decode(query.cursor, scope);
  if (position === undefined) return undefined;
  if (!TIMESTAMP_FIELDS.has(sort.field)) return { ...criteria, after: position };
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

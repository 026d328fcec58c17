/** A query string's parameters: one value per key, or every value of a repeated key. */
export type FlatQuery = Record<string, string | string[]>;

/**
 * Express's query parser (`app.set('query parser', parseFlatQuery)`). Express's default, qs,
 * builds nested objects from `a[b]=1` and silently drops `__proto__` and `constructor`, so a
 * strict schema never sees them. Here every key stays a flat own property, `__proto__`
 * included (the object has no prototype to assign to), and a repeated key becomes an array,
 * which no single-valued schema accepts.
 */
export function parseFlatQuery(search: unknown): FlatQuery {
  const query = Object.create(null) as FlatQuery;
  // Express passes null when the URL has no `?`.
  if (typeof search !== 'string') return query;
  for (const [key, value] of new URLSearchParams(search)) {
    const seen = query[key];
    if (seen === undefined) query[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else query[key] = [seen, value];
  }
  return query;
}

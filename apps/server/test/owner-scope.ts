// Checks that SQL statements over owned tables are confined to one owner, by reading the SQL
// Kysely compiled: a WHERE clause with `"user_id" = $n` as one of its top-level AND terms
// (so no OR can widen it), or an INSERT that sets user_id. A statement made of subqueries
// (`from (select …) as "a"`, `left join lateral (select …)`, `case … then (select …) end`)
// passes when nothing outside them names an owned table, each subquery over an owned table
// passes on its own, and all of them name the same owner value. Anything it
// cannot read that way, such as a join over an owned table, fails: the server has no such
// statement, and one added later should be looked at.

const OWNER_TERM = /^(?:"\w+"\.)?"user_id" = \$(\d+)$/;

/** A statement as the server sent it. */
export interface RecordedStatement {
  sql: string;
  parameters: readonly unknown[];
}

// Splits at parenthesis depth 0 where `separator` (anchored with ^, starting with a space) matches.
function topLevel(sql: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < sql.length; i += 1) {
    const char = sql[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (depth === 0 && char === ' ') {
      const match = separator.exec(sql.slice(i));
      if (match !== null) {
        parts.push(sql.slice(start, i));
        start = i + match[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(sql.slice(start));
  return parts;
}

// Whether the term is one parenthesised group, e.g. `(a and b)` but not `(a) and (b)`.
function wrapped(term: string): boolean {
  if (!term.startsWith('(') || !term.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < term.length - 1; i += 1) {
    if (term[i] === '(') depth += 1;
    else if (term[i] === ')') depth -= 1;
    if (depth === 0) return false;
  }
  return true;
}

// The AND terms of a condition, looking into parenthesised ANDs; undefined if an OR joins
// terms anywhere on that path, as it could widen the match past one owner.
function conjuncts(condition: string): string[] | undefined {
  if (topLevel(condition, /^ or /).length > 1) return undefined;
  const terms: string[] = [];
  for (const term of topLevel(condition, /^ and /)) {
    if (!wrapped(term)) {
      terms.push(term);
      continue;
    }
    const inner = conjuncts(term.slice(1, -1));
    // An OR inside a group is fine as long as the owner term stands beside the group.
    terms.push(...(inner ?? [term]));
  }
  return terms;
}

// The parameter number of the owner term of a statement over one owned table (0 for an
// INSERT, which sets the owner itself), or undefined when it is not confined to one owner.
function ownerParameter(sql: string, tables: readonly string[]): number | undefined {
  const mentions = sql.match(new RegExp(`"(${tables.join('|')})"`, 'g')) ?? [];
  if (mentions.length !== 1) return undefined;
  const insert = /^insert into "\w+" \(([^)]*)\)/.exec(sql);
  if (insert) return insert[1]!.split(', ').includes('"user_id"') ? 0 : undefined;
  const [, afterWhere, ...more] = topLevel(sql, /^ where /);
  if (afterWhere === undefined || more.length > 0) return undefined;
  const [condition = ''] = topLevel(afterWhere, /^ (?:order by|group by|limit|returning) /);
  for (const term of conjuncts(condition) ?? []) {
    const match = OWNER_TERM.exec(term);
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

// The subqueries of a statement (each `(select …)` outside any other), and the statement with
// each of them blanked out.
function subqueries(sql: string): { outer: string; inner: string[] } {
  const inner: string[] = [];
  let outer = '';
  let depth = 0;
  let start = -1;
  for (let i = 0; i < sql.length; i += 1) {
    const char = sql[i];
    if (char === '(') {
      if (depth === 0 && sql.startsWith('select ', i + 1)) start = i;
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
      if (depth === 0 && start >= 0) {
        inner.push(sql.slice(start + 1, i));
        outer += '()';
        start = -1;
        continue;
      }
    }
    if (start < 0) outer += char;
  }
  return { outer, inner };
}

function ownerScoped({ sql, parameters }: RecordedStatement, tables: readonly string[]): boolean {
  if (ownerParameter(sql, tables) !== undefined) return true;
  const owned = new RegExp(`"(${tables.join('|')})"`);
  const { outer, inner } = subqueries(sql);
  if (inner.length === 0 || owned.test(outer)) return false;
  const owners = new Set<unknown>();
  for (const subquery of inner.filter((part) => owned.test(part))) {
    const parameter = ownerParameter(subquery, tables);
    if (parameter === undefined || parameter === 0) return false;
    owners.add(parameters[parameter - 1]);
  }
  return owners.size === 1 && !owners.has(undefined);
}

/** Statements over any of `tables` that are not confined to one owner. */
export function unscopedStatements(
  statements: readonly RecordedStatement[],
  tables: readonly string[],
): string[] {
  const owned = new RegExp(`"(${tables.join('|')})"`);
  return statements
    .map(({ sql, parameters }) => ({ sql: sql.replace(/\s+/g, ' ').trim(), parameters }))
    .filter((statement) => owned.test(statement.sql) && !ownerScoped(statement, tables))
    .map(({ sql }) => sql);
}

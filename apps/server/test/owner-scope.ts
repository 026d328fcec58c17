// Checks that SQL statements over owned tables are confined to one owner, by reading the SQL
// Kysely compiled: a WHERE clause with `"user_id" = $n` as one of its top-level AND terms
// (so no OR can widen it), or an INSERT that sets user_id. Anything it cannot read that way,
// such as a subquery or a join over an owned table, fails: the server has no such statement,
// and one added later should be looked at.

const OWNER_TERM = /^(?:"\w+"\.)?"user_id" = \$\d+$/;

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

function ownerScoped(sql: string, tables: readonly string[]): boolean {
  const mentions = sql.match(new RegExp(`"(${tables.join('|')})"`, 'g')) ?? [];
  if (mentions.length !== 1) return false;
  const insert = /^insert into "\w+" \(([^)]*)\)/.exec(sql);
  if (insert) return insert[1]!.split(', ').includes('"user_id"');
  const [, afterWhere, ...more] = topLevel(sql, /^ where /);
  if (afterWhere === undefined || more.length > 0) return false;
  const [condition = ''] = topLevel(afterWhere, /^ (?:order by|group by|limit|returning) /);
  return conjuncts(condition)?.some((term) => OWNER_TERM.test(term)) ?? false;
}

/** Statements over any of `tables` that are not confined to one owner. */
export function unscopedStatements(
  statements: readonly string[],
  tables: readonly string[],
): string[] {
  const owned = new RegExp(`"(${tables.join('|')})"`);
  return statements
    .map((sql) => sql.replace(/\s+/g, ' ').trim())
    .filter((sql) => owned.test(sql) && !ownerScoped(sql, tables));
}

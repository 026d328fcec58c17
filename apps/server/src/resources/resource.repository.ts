import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { compiledByShape, compiledOnce, type Executor, type Slot } from '../db/compiled-once.js';
import type { Db, OwnedTableName } from '../db/schema.js';
import type { GenericItem, GenericTable, RegisteredResource } from './generic-resource.js';

// Every statement here names the owner in its WHERE clause (or, for an insert, sets it): a
// row of another user is simply not found, in the same statement that reads or writes it (no
// check-then-act, no existence leak), and each statement touches one owner's rows only, which
// is what lets the tables be distributed by owner (docs/scaling.md).

// The repository is written once for every resource, so it names columns that only the
// resource's declaration knows. Kysely is told that every owned table also has the shape
// shared by all of them (a type-only view: the same instance, the same connection).
type GenericTables = Record<OwnedTableName, GenericTable>;
type Tables = Kysely<Database & GenericTables>;
type Database = Db extends Kysely<infer T> ? T : never;
type Where = ExpressionBuilder<Database & GenericTables, OwnedTableName>;

export type SortDirection = 'asc' | 'desc';

/** A page of a list, after the caller turned the query string and cursor into these. */
export interface ListCriteria {
  limit: number;
  sort: { field: string; direction: SortDirection };
  /** Rows strictly after this position in the sort order (from a cursor). */
  after?: { value: unknown; id: number };
  /** Field → value (null: the field is null). */
  filters: Record<string, unknown>;
  q?: string;
  /** Whether to count every match across all pages (the list's `count`). */
  count: boolean;
}

/** `%`, `_` and `\` in a search are the user's characters, not LIKE wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

// The database writes the API's timestamps itself (ISO 8601, UTC, milliseconds, as the
// columns hold them): parsing each into a Date and printing it again cost more JavaScript
// than anything else in a list. Both drivers run the same SQL, so both answer alike.
const isoTime = (column: 'created_at' | 'updated_at', from = '') =>
  sql<string>`to_char(${sql.ref(from + column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(
    column,
  );
const ISO_TIMES = [isoTime('created_at'), isoTime('updated_at')];
// A list's page keeps the stored times, which its index orders; the outer select prints them.
const PAGE_TIMES = [isoTime('created_at', 'page.'), isoTime('updated_at', 'page.')];

const views = new WeakMap<Db, Tables>();
function tables(db: Db): Tables {
  let view = views.get(db);
  if (view === undefined) {
    view = db.withTables<GenericTables>();
    views.set(db, view);
  }
  return view;
}

/** The shape of a list statement: everything but its values (owner, filter values, …). */
interface ListShape {
  field: string;
  direction: SortDirection;
  /** Each filter's field and whether it asks for null, sorted by field. */
  filters: [string, boolean][];
  q: boolean;
  after: boolean;
}

/** A list's statement shape and its values, in the order the statement's slots take them. */
function listStatement(owner: string, criteria: ListCriteria) {
  const filterFields = Object.keys(criteria.filters).sort();
  const values: unknown[] = [owner];
  const filters = filterFields.map((field): [string, boolean] => {
    const value = criteria.filters[field];
    if (value !== null) values.push(value);
    return [field, value === null];
  });
  if (criteria.q !== undefined) values.push(likePattern(criteria.q));
  if (criteria.after !== undefined) values.push(criteria.after.value, criteria.after.id);
  values.push(criteria.limit + 1);
  const shape: ListShape = {
    ...criteria.sort,
    filters,
    q: criteria.q !== undefined,
    after: criteria.after !== undefined,
  };
  return { shape: JSON.stringify(shape), values };
}

/** The fields a write sets, in one order whatever order the client sent them in. */
function writtenFields(values: Record<string, unknown>): string[] {
  // Kysely leaves out a field whose value is undefined; so does the statement's shape.
  return Object.keys(values)
    .filter((field) => values[field] !== undefined)
    .sort();
}

/** The data access of one resource, in its API shape. */
export function resourceRepository(resource: RegisteredResource) {
  const table = resource.name;
  const fieldColumns = Object.keys(resource.fields);
  const pageFieldColumns = fieldColumns.map((column) => `page.${column}` as const);
  const searchable: readonly string[] = resource.list.searchable;
  // Every statement selects exactly the declared columns by name, in the order a client sees
  // them (id, user_id, the fields, the times), so a row as the driver returns it is the item
  // (a counted list's rows also carry the count, and only the item's columns are copied out):
  // no column the contract does not declare can ever be in it.

  // The list's conditions take the first slots: the owner, the filters' values, the search.
  const conditionSlots = (shape: ListShape) =>
    1 + shape.filters.filter(([, isNull]) => !isNull).length + (shape.q ? 1 : 0);
  const matching = (eb: Where, shape: ListShape, slot: Slot) => {
    let index = 0;
    const conditions = [eb('user_id', '=', slot<string>(index++))];
    for (const [field, isNull] of shape.filters) {
      conditions.push(isNull ? eb(field, 'is', null) : eb(field, '=', slot(index++)));
    }
    if (shape.q) {
      const pattern = slot<string>(index);
      conditions.push(eb.or(searchable.map((field) => eb(field, 'ilike', pattern))));
    }
    return eb.and(conditions);
  };

  // A page of rows (one more than the limit), with the times as stored, which the index orders.
  const pageQuery = (db: Tables, shape: ListShape, slot: Slot) => {
    const { field, direction } = shape;
    let index = conditionSlots(shape);
    let page = db
      .selectFrom(table)
      .select(['id', 'user_id', 'version', 'created_at', 'updated_at'])
      .select(fieldColumns)
      .where((eb) => matching(eb, shape, slot));
    if (shape.after) {
      const value = slot(index++);
      const id = slot<number>(index++);
      const beyond = direction === 'asc' ? '>' : '<';
      page = page.where((eb) =>
        field === 'id'
          ? eb('id', beyond, id)
          : eb(eb.refTuple(field, 'id'), beyond, eb.tuple(value, id)),
      );
    }
    if (field !== 'id') page = page.orderBy(field, direction);
    return page.orderBy('id', direction).limit(slot<number>(index)).as('page');
  };

  // An item from a row that also carries the list's count. Copied key by key in one order, so
  // every item gets one shape: a rest copy (`{ total, ...item }`) cost more than the rest of
  // the list's JavaScript together.
  const itemColumns = ['id', 'user_id', ...fieldColumns, 'version', 'created_at', 'updated_at'];
  const withoutTotal = (row: GenericItem & { total: unknown }): GenericItem => {
    const item: Record<string, unknown> = {};
    for (const column of itemColumns) item[column] = row[column];
    return item as GenericItem;
  };

  // How many rows match across all pages: the same slots as the page's conditions.
  const countQuery = (db: Tables, shape: ListShape, slot: Slot) =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where((eb) => matching(eb, shape, slot));

  const countStatements = compiledByShape((db: Tables, slot: Slot, shapeText: string) =>
    countQuery(db, JSON.parse(shapeText) as ListShape, slot),
  );

  // The page's items, as the client sees them, in the order of the page.
  const pageItems = (db: Tables, shape: ListShape, slot: Slot) =>
    db
      .selectFrom(pageQuery(db, shape, slot))
      .select(['page.id', 'page.user_id'])
      .select(pageFieldColumns)
      .select('page.version')
      .select(PAGE_TIMES);

  const pageStatements = compiledByShape((db: Tables, slot: Slot, shapeText: string) => {
    const shape = JSON.parse(shapeText) as ListShape;
    const { field, direction } = shape;
    let query = pageItems(db, shape, slot);
    if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
    return query.orderBy('page.id', direction);
  });

  // The page with the count beside each row, from the same statement, so the same snapshot. A
  // first page that holds every match is its own count: PostgreSQL runs the count only when
  // the page came back full (an uncorrelated subquery runs when first needed, if ever).
  const countedPageStatements = compiledByShape((db: Tables, slot: Slot, shapeText: string) => {
    const shape = JSON.parse(shapeText) as ListShape;
    const { field, direction } = shape;
    const limitSlot = conditionSlots(shape) + (shape.after ? 2 : 0);
    let query = pageItems(db, shape, slot).select((eb) =>
      (shape.after
        ? countQuery(db, shape, slot).$asScalar()
        : eb
            .case()
            .when(eb.fn.countAll<number>().over(), '=', slot<number>(limitSlot))
            .then(countQuery(db, shape, slot).$asScalar())
            .end()
      ).as('total'),
    );
    if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
    return query.orderBy('page.id', direction);
  });

  const findStatement = compiledOnce((db: Tables, slot: Slot) =>
    db
      .selectFrom(table)
      .select(['id', 'user_id'])
      .select(fieldColumns)
      .select(['version', ...ISO_TIMES])
      .where('user_id', '=', slot<string>(0))
      .where('id', '=', slot<number>(1)),
  );

  const versionStatement = compiledOnce((db: Tables, slot: Slot) =>
    db
      .selectFrom(table)
      .select('version')
      .where('user_id', '=', slot<string>(0))
      .where('id', '=', slot<number>(1)),
  );

  // A write's condition: with none, any version; else the item must be at one of them, tested
  // in the statement that writes, so nothing can change the row between the test and the write.
  const atVersion = (eb: Where, versions: number, first: number, slot: Slot) =>
    eb(
      'version',
      'in',
      Array.from({ length: versions }, (_, at) => slot<number>(first + at)),
    );

  // Shaped by how many versions the condition names (0: none).
  const removeStatements = compiledByShape((db: Tables, slot: Slot, shape: string) => {
    const versions = Number(shape);
    let statement = db
      .deleteFrom(table)
      .where('user_id', '=', slot<string>(0))
      .where('id', '=', slot<number>(1));
    if (versions > 0) statement = statement.where((eb) => atVersion(eb, versions, 2, slot));
    return statement;
  });

  // Shaped by the fields written (sorted, comma-joined); their values follow the owner (and id).
  const createStatements = compiledByShape((db: Tables, slot: Slot, shape: string) => {
    const fields = shape === '' ? [] : shape.split(',');
    const values = Object.fromEntries(fields.map((field, at) => [field, slot(at + 1)]));
    return db
      .insertInto(table)
      .values({ ...values, user_id: slot<string>(0) })
      .returning(['id', 'user_id'])
      .returning(fieldColumns)
      .returning(['version', ...ISO_TIMES]);
  });

  // Shaped by the fields written and how many versions the condition names:
  // `title,done|1`. The fields' values follow the owner and id, then the versions.
  const updateStatements = compiledByShape((db: Tables, slot: Slot, shape: string) => {
    const [written = '', versionCount = '0'] = shape.split('|');
    const fields = written === '' ? [] : written.split(',');
    const versions = Number(versionCount);
    const changes = Object.fromEntries(fields.map((field, at) => [field, slot(at + 2)]));
    let statement = db
      .updateTable(table)
      .set({
        ...changes,
        version: sql<number>`${sql.ref('version')} + 1`,
        updated_at: sql<Date>`now()`,
      })
      .where('user_id', '=', slot<string>(0))
      .where('id', '=', slot<number>(1));
    if (versions > 0) {
      statement = statement.where((eb) => atVersion(eb, versions, fields.length + 2, slot));
    }
    return statement
      .returning(['id', 'user_id'])
      .returning(fieldColumns)
      .returning(['version', ...ISO_TIMES]);
  });

  return {
    /**
     * A page of the owner's matching rows (one more than `limit`, to tell if more follow) and
     * how many match across all pages, both from one statement, so from one snapshot: a count
     * that disagrees with its page under concurrent writes would be a lie the client can see.
     * (A page after a cursor that comes back empty has no row to carry the count; that count
     * is asked for on its own.)
     */
    async listPage(
      db: Db,
      owner: string,
      criteria: ListCriteria,
    ): Promise<{ rows: GenericItem[]; total: number | null }> {
      const { shape, values } = listStatement(owner, criteria);
      if (!criteria.count) {
        // The page alone: what it costs does not grow with the owner's other rows.
        const { rows } = await pageStatements(tables(db), shape).run(values);
        return { rows, total: null };
      }
      const { rows: counted } = await countedPageStatements(tables(db), shape).run(values);
      const rows = counted.map(withoutTotal);
      const first = counted[0];
      if (first !== undefined) {
        return { rows, total: first.total === null ? rows.length : Number(first.total) };
      }
      // An empty page: with no cursor nothing matches; after one, the rows before it count.
      if (criteria.after === undefined) return { rows, total: 0 };
      const [matched] = (await countStatements(tables(db), shape).run(values)).rows;
      return { rows, total: Number(matched?.total ?? 0) };
    },

    async find(db: Db, owner: string, id: number): Promise<GenericItem | undefined> {
      const { rows } = await findStatement(tables(db)).run([owner, id]);
      return rows[0];
    },

    /** The item's version, or undefined when the owner has no such item. */
    async versionOf(db: Db, owner: string, id: number): Promise<number | undefined> {
      const { rows } = await versionStatement(tables(db)).run([owner, id]);
      return rows[0]?.version;
    },

    /** Creates an item; inside a transaction of `db` when `executor` is one. */
    async create(
      db: Db,
      owner: string,
      values: Record<string, unknown>,
      executor?: Executor,
    ): Promise<GenericItem> {
      const fields = writtenFields(values);
      const statement = createStatements(tables(db), fields.join(','));
      const parameters = [owner, ...fields.map((field) => values[field])];
      const { rows } = await statement.run(parameters, executor);
      const row = rows[0];
      if (row === undefined) throw new Error(`insert into ${table} returned no row`);
      return row;
    },

    /**
     * Changes the given fields (all of them for PUT) in one atomic statement, and the version;
     * with `versions`, only if the item is at one of them. Undefined when nothing was written:
     * no such item, or (with `versions`) it is at another version.
     */
    async update(
      db: Db,
      owner: string,
      id: number,
      changes: Record<string, unknown>,
      versions: readonly number[] = [],
    ): Promise<GenericItem | undefined> {
      const fields = writtenFields(changes);
      const statement = updateStatements(tables(db), `${fields.join(',')}|${versions.length}`);
      const values = [owner, id, ...fields.map((field) => changes[field]), ...versions];
      const { rows } = await statement.run(values);
      return rows[0];
    },

    /**
     * True when this call deleted the row (with `versions`, only if it was at one of them); of
     * concurrent deletes of one row exactly one wins.
     */
    async remove(
      db: Db,
      owner: string,
      id: number,
      versions: readonly number[] = [],
    ): Promise<boolean> {
      const statement = removeStatements(tables(db), String(versions.length));
      const { numAffectedRows } = await statement.run([owner, id, ...versions]);
      return (numAffectedRows ?? 0n) > 0n;
    },
  };
}

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Newest-first pages by (created_at, id), for every admin list (the comment
 * queue, the moderation log, the articles): Newer and Older go by cursor,
 * never OFFSET, so a page costs the same however deep it is. Only a page
 * jumped to by its number from the page list uses OFFSET.
 */

/** Where a newest-first page starts or ends: a row's exact time (µs, UTC) and id. */
export interface Cursor {
  createdAt: string;
  id: string;
}

export interface PagePosition {
  before: Cursor | null;
  after: Cursor | null;
  /** A numbered page (2 and up) jumped to from the page list. */
  page?: number | null;
}

export interface KeysetPage<Row> {
  rows: Row[];
  older: Cursor | null;
  newer: Cursor | null;
}

const CURSOR_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([1-9]\d{0,17})$/;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.createdAt}_${cursor.id}`;
}

export function decodeCursor(text: string): Cursor | null {
  const match = CURSOR_PATTERN.exec(text);
  if (!match || Number.isNaN(Date.parse(match[1]!))) return null;
  return { createdAt: match[1]!, id: match[2]! };
}

/** The exact time as text, so a cursor survives the trip through JavaScript's millisecond dates. */
export const cursorTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_time`;
export const cursorOf = (row: { cursor_time: string; id: string }): Cursor => ({ createdAt: row.cursor_time, id: String(row.id) });

/** `query` narrowed to the rows newer ('>') or older ('<') than the cursor. */
export const beyondCursor = (query: Knex.QueryBuilder, table: string, cursor: Cursor, operator: '<' | '>') =>
  query.whereRaw(`(${table}.created_at, ${table}.id) ${operator} (?::timestamptz, ?::bigint)`, [cursor.createdAt, cursor.id]);

/**
 * `query` as a statement prepared under a name made from its text, so that
 * PostgreSQL plans it once per connection rather than at every execution
 * (for an admin list's joins and subqueries, planning took longer than
 * running). Only for a query whose text takes few shapes, its values all
 * bound, and whose best plan does not depend on those values.
 */
function preparedByText(query: Knex.QueryBuilder): Knex.QueryBuilder {
  const name = `list_${createHash('sha256').update(query.toSQL().sql).digest('base64url').slice(0, 22)}`;
  return query.options({ name });
}

export interface PageOptions {
  /** Run the page's query as a prepared statement (see preparedByText): not for a text search, whose plan follows the words. */
  prepare?: boolean;
}

/**
 * One page of `query()`'s rows (which select `cursor_time` and `id`), newest
 * first either way; one extra row tells whether more follow. `table` is the
 * name or alias whose created_at and id order the list.
 */
export async function keysetPage<Row extends { cursor_time: string; id: string }>(
  query: () => Knex.QueryBuilder,
  table: string,
  position: PagePosition,
  limit: number,
  options: PageOptions = {},
): Promise<KeysetPage<Row>> {
  const run = (built: Knex.QueryBuilder) => (options.prepare ? preparedByText(built) : built);
  const order = (direction: 'asc' | 'desc') => [
    { column: `${table}.created_at`, order: direction },
    { column: `${table}.id`, order: direction },
  ];
  const anyBeyond = async (cursor: Cursor, operator: '<' | '>') =>
    (await beyondCursor(query(), table, cursor, operator).clearSelect().select(`${table}.id`).first()) !== undefined;

  if (position.after) {
    const found = (await run(
      beyondCursor(query(), table, position.after, '>')
        .orderBy(order('asc'))
        .limit(limit + 1),
    )) as Row[];
    const rows = found.slice(0, limit).reverse();
    const last = rows.at(-1);
    return {
      rows,
      newer: found.length > limit && rows[0] ? cursorOf(rows[0]) : null,
      older: last && (await anyBeyond(cursorOf(last), '<')) ? cursorOf(last) : null,
    };
  }
  const scoped = position.page
    ? query().offset((position.page - 1) * limit)
    : position.before
      ? beyondCursor(query(), table, position.before, '<')
      : query();
  const found = (await run(scoped.orderBy(order('desc')).limit(limit + 1))) as Row[];
  const rows = found.slice(0, limit);
  const first = rows[0];
  const hasNewer = position.page ? true : position.before !== null && first !== undefined && (await anyBeyond(cursorOf(first), '>'));
  return {
    rows,
    older: found.length > limit ? cursorOf(rows.at(-1)!) : null,
    newer: hasNewer && first ? cursorOf(first) : null,
  };
}

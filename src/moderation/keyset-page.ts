import type { Knex } from 'knex';
import type { Cursor } from './queue-address.js';

/** Newest-first pages by (created_at, id), shared by the queue and the moderation log: never OFFSET. */

/** The exact time as text, so a cursor survives the trip through JavaScript's millisecond dates. */
export const cursorTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_time`;
export const cursorOf = (row: { cursor_time: string; id: string }): Cursor => ({ createdAt: row.cursor_time, id: String(row.id) });

/** Rows after or before a cursor, newest first either way; one extra row tells whether more follow. */
export async function keysetPage<Row extends { cursor_time: string; id: string }>(
  query: () => Knex.QueryBuilder,
  table: string,
  position: { before: Cursor | null; after: Cursor | null },
  limit: number,
): Promise<{ rows: Row[]; older: Cursor | null; newer: Cursor | null }> {
  const key = `(${table}.created_at, ${table}.id)`;
  const beyond = (cursor: Cursor, operator: '<' | '>') =>
    query().whereRaw(`${key} ${operator} (?::timestamptz, ?::bigint)`, [cursor.createdAt, cursor.id]);
  const order = (direction: 'asc' | 'desc') => [
    { column: `${table}.created_at`, order: direction },
    { column: `${table}.id`, order: direction },
  ];
  const anyBeyond = async (cursor: Cursor, operator: '<' | '>') =>
    (await beyond(cursor, operator).clearSelect().select(`${table}.id`).first()) !== undefined;

  if (position.after) {
    const found = (await beyond(position.after, '>')
      .orderBy(order('asc'))
      .limit(limit + 1)) as Row[];
    const rows = found.slice(0, limit).reverse();
    const last = rows.at(-1);
    return {
      rows,
      newer: found.length > limit && rows[0] ? cursorOf(rows[0]) : null,
      older: last && (await anyBeyond(cursorOf(last), '<')) ? cursorOf(last) : null,
    };
  }
  const scoped = position.before ? beyond(position.before, '<') : query();
  const found = (await scoped.orderBy(order('desc')).limit(limit + 1)) as Row[];
  const rows = found.slice(0, limit);
  const first = rows[0];
  return {
    rows,
    older: found.length > limit ? cursorOf(rows.at(-1)!) : null,
    newer: position.before && first && (await anyBeyond(cursorOf(first), '>')) ? cursorOf(first) : null,
  };
}

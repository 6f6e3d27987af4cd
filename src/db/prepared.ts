import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from './connection.js';

/**
 * The statements run on every comment post, sent as named prepared
 * statements: each pooled connection parses one once, and then only binds
 * and executes it. The app's connections set plan_cache_mode to
 * force_custom_plan (db/connection.ts), so each execution is still planned
 * for its own values and the table's current size: a generic plan cached
 * while `comments` was small would keep scanning it whole as it grew.
 *
 * The name comes from the text, so a statement whose text varies (a reply
 * or not, with an IP or not) is one prepared statement per variant.
 * Prepared statements live in the database session: behind a connection
 * pooler in transaction mode that needs PgBouncer 1.21 or later.
 */

const names = new Map<string, string>();

function nameFor(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `bs_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;
    // The variants are few; the bound only keeps a mistake from growing without end.
    if (names.size >= 500) names.clear();
    names.set(sql, name);
  }
  return name;
}

/** `sql` with `?` bindings, run as a named prepared statement. */
export function preparedRaw(db: Database, sql: string, bindings: readonly Knex.RawBinding[]): Knex.Raw {
  return db.raw(sql, bindings).options({ name: nameFor(sql) });
}

/** A built query, compiled here once and run as a named prepared statement. */
export function prepared(db: Database, query: Knex.QueryBuilder): Knex.Raw {
  const { sql, bindings } = query.toSQL();
  return preparedRaw(db, sql, bindings);
}

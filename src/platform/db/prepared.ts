import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from './connection.js';

/**
 * The statements run on every comment post, sent as named prepared
 * statements: each pooled connection parses one once, and then only binds
 * and executes it. They run on the posting pool (connection.ts), whose
 * sessions also plan each one once: generic plans, with sequential scans
 * priced out. Generic plans alone were worse than planning every post: a
 * plan cached while `comments` was small kept scanning it whole as it grew
 * (the bench's 12,000 posts grow it faster than autovacuum analyzes it:
 * 369 posts a second instead of 587). With sequential scans priced out the
 * plan uses the indexes whatever the table's size when it was made
 * (tests/integration/posting-pool.test.ts), and PostgreSQL's CPU per post
 * fell by about a third.
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

type Slot = { input: string } | { constant: Knex.RawBinding };

/**
 * A built query compiled by knex once per shape instead of on every call:
 * its text and this call's bindings, to run with preparedRaw.
 * The shape is which inputs are null or empty (the builder branches on
 * those); the others are built as stand-ins, and each call puts its values
 * in the stand-ins' places. Compiling the builder for every comment post was
 * about a sixth of the app's CPU per post.
 *
 * A builder that derives a bound value from an input (a lower-cased copy, a
 * part of it) would bind something that is not a stand-in: the first build
 * of each shape is also compiled with the real values and must bind the same.
 */
export interface CompiledStatement {
  sql: string;
  bindings: Knex.RawBinding[];
}

export function compiledOnce<Inputs extends Record<string, string | null>>(build: (db: Database, inputs: Inputs) => Knex.QueryBuilder) {
  const shapes = new Map<string, { sql: string; slots: Slot[] }>();
  const bind = (slots: Slot[], inputs: Inputs) => slots.map((slot) => ('input' in slot ? inputs[slot.input]! : slot.constant));
  return (db: Database, inputs: Inputs): CompiledStatement => {
    const shapeKey = Object.entries(inputs)
      .map(([name, value]) => (value === null ? `${name}:null` : value === '' ? `${name}:empty` : name))
      .join(',');
    let shape = shapes.get(shapeKey);
    if (!shape) {
      const standIns = new Map<string, string>();
      const built = Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => {
          if (!value) return [name, value];
          const standIn = `\u0000${name}\u0000`;
          standIns.set(standIn, name);
          return [name, standIn];
        }),
      ) as Inputs;
      const { sql, bindings } = build(db, built).toSQL();
      const slots: Slot[] = bindings.map((value) => (typeof value === 'string' && standIns.has(value) ? { input: standIns.get(value)! } : { constant: value }));
      const real = build(db, inputs).toSQL();
      if (real.sql !== sql || JSON.stringify(real.bindings) !== JSON.stringify(bind(slots, inputs))) {
        throw new Error('compiledOnce: the builder binds a value derived from an input; bind the input itself');
      }
      shape = { sql, slots };
      shapes.set(shapeKey, shape);
    }
    return { sql: shape.sql, bindings: bind(shape.slots, inputs) };
  };
}

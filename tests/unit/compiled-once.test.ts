import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import knex from 'knex';
import type { Database } from '../../src/platform/db/connection.js';
import { compiledOnce } from '../../src/platform/db/prepared.js';

// Compiling needs no connection: knex builds PostgreSQL's SQL text offline.
const db = knex({ client: 'pg' }) as unknown as Database;

type Inputs = { name: string; email: string | null; parent: string | null };

function buildQuery(database: Database, inputs: Inputs) {
  const query = database('comments').select('id').where({ author_name: inputs.name }).whereNot({ status: 'trash' }).limit(1);
  if (inputs.email) query.whereRaw('lower(author_email) = lower(?)', [inputs.email]);
  if (inputs.parent === null) query.whereNull('parent_id');
  else query.where({ parent_id: inputs.parent });
  return query;
}

describe('compiledOnce', () => {
  it('binds each call’s values where knex would, for every shape of inputs', () => {
    let builds = 0;
    const statement = compiledOnce((database: Database, inputs: Inputs) => {
      builds += 1;
      return buildQuery(database, inputs);
    });
    const cases: Inputs[] = [
      { name: 'Ada', email: 'ada@example.org', parent: '7' },
      { name: 'Bea', email: 'BEA@example.org', parent: '9' },
      { name: 'Cy', email: null, parent: null },
      { name: '', email: '', parent: null },
      { name: 'Dee', email: null, parent: null },
    ];
    for (const inputs of cases) {
      const { sql, bindings } = statement(db, inputs);
      assert.equal(db.raw(sql, bindings).toString(), buildQuery(db, inputs).toString());
    }
    // Three shapes: all present, email and parent null, everything null or empty; each built twice (stand-ins, then the check).
    assert.equal(builds, 3 * 2);
  });

  it('refuses a builder that binds a value derived from an input', () => {
    const statement = compiledOnce((database: Database, inputs: { email: string }) =>
      database('commenter_blocks').where({ value: inputs.email.split('@').pop() ?? '' }),
    );
    assert.throws(() => statement(db, { email: 'ada@example.org' }), /derived from an input/);
  });
});

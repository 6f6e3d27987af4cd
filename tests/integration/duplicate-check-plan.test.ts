import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import pg from 'pg';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { readPostingChecks } from '../../src/comments/posting-queries.js';
import { DEMO_SLUG, resetDatabase, statementsDuring } from '../helpers/database.js';

/**
 * A performance guard: the reads before each comment post stay a few pages
 * on a busy article whose statistics lag behind its comments, as they do
 * between two ANALYZEs. Without an index on the article and the email
 * together, the planner trusts the old count and reads every comment of the
 * article for each post.
 */

const COMMENTS_SINCE_ANALYZE = 20_000;
/** Pages of the comments table and its indexes one post's checks may read. */
const PAGES_ALLOWED = 60;

let db: Database;
let articleId: string;

interface PlanNode {
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
}

/** Runs the statement as sent ($1… placeholders) under EXPLAIN ANALYZE: it only reads. */
async function pagesRead(statement: Knex.Sql): Promise<number> {
  const explainer = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await explainer.connect();
  try {
    const result = await explainer.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.sql}`,
      statement.bindings as unknown[],
    );
    const plan = result.rows[0]!['QUERY PLAN'][0]!.Plan;
    return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
  } finally {
    await explainer.end();
  }
}

before(async () => {
  db = connectDatabase(process.env.DATABASE_URL!);
  await migrateToLatest(db);
  await resetDatabase(db);
  // This file's database is its own: keep autovacuum from refreshing the statistics mid-test.
  await db.raw('ALTER TABLE comments SET (autovacuum_enabled = false)');
  await db.raw('ANALYZE comments');
  articleId = String((await db('articles').select('id').where({ slug: DEMO_SLUG }).first()).id);
  await db.transaction(async (trx) => {
    // The counts and page versions the row triggers keep play no part here; without them the insert is far cheaper.
    await trx.raw('ALTER TABLE comments DISABLE TRIGGER USER');
    await trx.raw(
      `INSERT INTO comments (article_id, status, author_name, author_email, author_url, body, status_reasons)
       SELECT ?, 'approved', 'Reader ' || n, 'reader' || n || '@example.org', '', 'Comment number ' || n || ' on the summit.', '[]'::jsonb
         FROM generate_series(1, ?) AS n`,
      [articleId, COMMENTS_SINCE_ANALYZE],
    );
    await trx.raw('ALTER TABLE comments ENABLE TRIGGER USER');
  });
});

after(async () => {
  await db?.destroy();
});

describe(`posting on an article with ${COMMENTS_SINCE_ANALYZE.toLocaleString('en-US')} comments the statistics have not seen`, () => {
  const reader = (n: number) => ({
    article_id: '',
    parent_id: null,
    author_name: `Reader ${n}`,
    author_email: `reader${n}@example.org`,
    body: `Comment number ${n} on the summit.`,
  });

  it('finds a duplicate among them', async () => {
    const checks = await readPostingChecks(db, randomUUID(), { ...reader(12_345), article_id: articleId }, '10.0.0.1');
    assert.equal(checks.duplicate, true);
    const fresh = await readPostingChecks(
      db,
      randomUUID(),
      { ...reader(12_345), article_id: articleId, body: 'Something new.' },
      '10.0.0.1',
    );
    assert.equal(fresh.duplicate, false);
  });

  it(`reads at most ${PAGES_ALLOWED} pages for the checks of one post`, async () => {
    const statements = await statementsDuring(db, () =>
      readPostingChecks(db, randomUUID(), { ...reader(0), article_id: articleId, author_email: 'someone.new@example.org' }, '10.0.0.2'),
    );
    assert.equal(statements.length, 1, 'the checks are one statement');
    const pages = await pagesRead(statements[0]!);
    assert.ok(pages <= PAGES_ALLOWED, `the checks read ${pages} pages`);
  });
});

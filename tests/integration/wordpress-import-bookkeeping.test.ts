import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as bookkeepingPerStatement from '../../migrations/20261207_35_comment_bookkeeping_per_statement.js';
import type { Database } from '../../src/platform/db/connection.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import { insertArticle } from '../helpers/rows.js';

const testDb = useTestDatabase();

type Status = 'approved' | 'pending' | 'spam' | 'trash';

/** Comments on one article in one statement, as the import inserts them. */
async function insertMany(db: Database, articleId: string, statuses: Status[]): Promise<string[]> {
  const rows = statuses.map((status, n) => ({
    article_id: articleId,
    status,
    author_name: `Reader ${n}`,
    author_email: `reader${n}@example.net`,
    body: `Comment ${n}.`,
  }));
  return (await db('comments').insert(rows).returning<Array<{ id: string }>>('id')).map((row) => String(row.id));
}

/** A transaction whose comment inserts are counted once per statement. */
function perStatement(work: (trx: Database) => Promise<unknown>): Promise<void> {
  return testDb.db.transaction(async (trx) => {
    await trx.raw("SELECT set_config('broadsheet.comment_bookkeeping', 'per-statement', true)");
    await work(trx);
  });
}

async function keptCounts(db: Database, articleId: string): Promise<Record<string, number>> {
  const rows = await db('comment_counts').where({ article_id: articleId }).where('count', '<>', 0).select('status', 'count');
  return Object.fromEntries(rows.map((row: { status: string; count: string }) => [row.status, Number(row.count)]));
}

async function versionOf(db: Database, articleId: string): Promise<string> {
  return String((await db('articles').where({ id: articleId }).first<{ cache_version: string }>('cache_version')).cache_version);
}

describe('migration 35: comment bookkeeping once per statement', () => {
  it('counts a statement’s comments exactly and gives the article one new version only for approved ones', async () => {
    const articleId = await insertArticle(testDb.db, { slug: 'counted-per-statement' });
    const first = await versionOf(testDb.db, articleId);

    await perStatement((trx) => insertMany(trx, articleId, ['approved', 'approved', 'pending', 'spam']));
    assert.deepEqual(await keptCounts(testDb.db, articleId), { approved: 2, pending: 1, spam: 1 });
    const second = await versionOf(testDb.db, articleId);
    assert.notEqual(second, first);

    await perStatement((trx) => insertMany(trx, articleId, ['pending', 'trash']));
    assert.deepEqual(await keptCounts(testDb.db, articleId), { approved: 2, pending: 2, spam: 1, trash: 1 });
    assert.equal(await versionOf(testDb.db, articleId), second, 'no approved comment: the page did not change');
  });

  it('leaves other inserts, and every update and delete, to the per-row triggers, in the same transaction too', async () => {
    const articleId = await insertArticle(testDb.db, { slug: 'counted-per-row' });
    const [approved] = await insertMany(testDb.db, articleId, ['approved', 'pending']);
    assert.deepEqual(await keptCounts(testDb.db, articleId), { approved: 1, pending: 1 });

    await perStatement(async (trx) => {
      await insertMany(trx, articleId, ['approved']);
      await trx('comments').where({ id: approved }).update({ status: 'spam' });
      await trx('comments').where({ article_id: articleId, status: 'pending' }).delete();
    });
    assert.deepEqual(await keptCounts(testDb.db, articleId), { approved: 1, spam: 1 });
    const stored: Array<{ status: string; n: string }> = await testDb
      .db('comments')
      .where({ article_id: articleId })
      .groupBy('status')
      .select('status')
      .count({ n: '*' });
    assert.deepEqual(Object.fromEntries(stored.map((row) => [row.status, Number(row.n)])), { approved: 1, spam: 1 });
  });

  it('has a down that counts every insert per row again, and an up that brings the statement trigger back', async () => {
    const articleId = await insertArticle(testDb.db, { slug: 'counted-across-down-and-up' });
    await inRolledBackTransaction(testDb.db, async (trx) => {
      // The per-row triggers run at commit, which never comes here: have them run at each change instead.
      await trx.raw('SET CONSTRAINTS ALL IMMEDIATE');
      await trx.raw("SELECT set_config('broadsheet.comment_bookkeeping', 'per-statement', true)");
      await bookkeepingPerStatement.down(trx);
      await insertMany(trx, articleId, ['approved', 'pending']);
      assert.deepEqual(await keptCounts(trx, articleId), { approved: 1, pending: 1 });
      await bookkeepingPerStatement.up(trx);
      await insertMany(trx, articleId, ['approved', 'pending']);
      assert.deepEqual(await keptCounts(trx, articleId), { approved: 2, pending: 2 });
    });
  });
});

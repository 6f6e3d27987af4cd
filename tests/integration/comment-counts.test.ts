import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as shardCommentCounts from '../../migrations/20261204_15_shard_comment_counts.js';
import type { Database } from '../../src/platform/db/connection.js';
import { countCommentsByStatus } from '../../src/comments/comment-queries.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import { articleIdOf, insertArticle, insertComment, type TestCommentStatus } from '../helpers/rows.js';

/**
 * The status counts the moderation queue shows come from comment_counts,
 * kept by deferred triggers in shards (one per database session) so that
 * concurrent commits do not queue on one row. Whatever the sessions, the
 * sums must equal counting the comments themselves.
 */

const database = useTestDatabase();

async function countedByHand(db: Database, articleId: string): Promise<Record<TestCommentStatus, number>> {
  const counts = { pending: 0, approved: 0, spam: 0, trash: 0 };
  const rows = await db('comments').select('status').count<Array<{ status: TestCommentStatus; count: string }>>({ count: '*' }).where({ article_id: articleId }).groupBy('status');
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

const STATUSES: TestCommentStatus[] = ['pending', 'approved', 'spam', 'trash'];

/** Adds comments and moves some of them, in `sessions` transactions open at the same time. */
async function changeFromManySessions(db: Database, sessions: number) {
  await Promise.all(
    Array.from({ length: sessions }, (_, session) =>
      db.transaction(async (trx) => {
        const ids = [];
        for (let n = 0; n < 6; n += 1) ids.push(await insertComment(trx as unknown as Database, { status: STATUSES[(session + n) % 4]! }));
        await trx('comments').whereIn('id', ids.slice(0, 2)).update({ status: 'trash' });
        await trx('comments').whereIn('id', ids.slice(2, 3)).delete();
        // Hold the transaction open a moment, so the sessions overlap.
        await trx.raw('SELECT pg_sleep(0.02)');
      }),
    ),
  );
}

describe('comment counts kept in shards', () => {
  it('stay exact when comments are added, moved and deleted from many sessions at once', async () => {
    const articleId = await articleIdOf(database.db);
    await changeFromManySessions(database.db, 6);
    // Moves made later, in other sessions, of comments counted in the first ones.
    await database.db('comments').where({ article_id: articleId, status: 'pending' }).update({ status: 'approved' });
    await changeFromManySessions(database.db, 4);

    assert.deepEqual(await countCommentsByStatus(database.db, articleId), await countedByHand(database.db, articleId));
    assert.deepEqual(await countCommentsByStatus(database.db), await countedByHand(database.db, articleId), 'one article holds every comment');
    const shards = await database.db('comment_counts').distinct('shard').where({ article_id: articleId });
    assert.ok(shards.length > 1, 'concurrent sessions count in rows of their own');
  });

  it('lets an article with comments be deleted, its counts with it, and leaves the counts of the other articles alone', async () => {
    const demoId = await articleIdOf(database.db);
    const otherId = await insertArticle(database.db, { slug: 'to-be-deleted' });
    await changeFromManySessions(database.db, 2);
    for (const status of STATUSES) await insertComment(database.db, { article_id: otherId, status });
    await database.db('articles').where({ id: otherId }).delete();
    assert.deepEqual(await database.db('comment_counts').where({ article_id: otherId }), []);
    assert.deepEqual(await countCommentsByStatus(database.db), await countedByHand(database.db, demoId));
  });

  it('has a down that folds the shards into one row per article and status, and an up that shards again', async () => {
    const articleId = await articleIdOf(database.db);
    await changeFromManySessions(database.db, 4);
    const expected = await countedByHand(database.db, articleId);
    await inRolledBackTransaction(database.db, async (trx) => {
      // The counting triggers run at commit, which never comes here: have them run at each change instead.
      await trx.raw('SET CONSTRAINTS ALL IMMEDIATE');
      await shardCommentCounts.down(trx);
      assert.ok(!Object.keys(await trx('comment_counts').columnInfo()).includes('shard'));
      assert.deepEqual(await countCommentsByStatus(trx, articleId), expected);
      await insertComment(trx, { status: 'spam' });
      await shardCommentCounts.up(trx);
      await insertComment(trx, { status: 'spam' });
      assert.deepEqual(await countCommentsByStatus(trx, articleId), { ...expected, spam: expected.spam + 2 });
    });
  });
});

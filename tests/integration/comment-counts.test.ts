import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as unshardCommentCounts from '../../migrations/20261207_21_unshard_comment_counts.js';
import type { Database } from '../../src/platform/db/connection.js';
import { countCommentsByStatus } from '../../src/comments/comment-queries.js';
import { moderateComments } from '../../src/moderation/moderation-queries.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import { articleIdOf, insertArticle, insertComment, type TestCommentStatus } from '../helpers/rows.js';

/**
 * The status counts the moderation queue shows come from comment_counts:
 * one row per article and status, kept by triggers that run at commit.
 * Whatever the sessions, each row must equal counting the comments themselves.
 */

const database = useTestDatabase();

async function countedByHand(db: Database, articleId: string): Promise<Record<TestCommentStatus, number>> {
  const counts = { pending: 0, approved: 0, spam: 0, trash: 0 };
  const rows = await db('comments')
    .select('status')
    .count<Array<{ status: TestCommentStatus; count: string }>>({ count: '*' })
    .where({ article_id: articleId })
    .groupBy('status');
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** The kept rows of one article, as status → count, with no status counted twice. */
async function keptRows(db: Database, articleId: string): Promise<Record<string, number>> {
  const rows = await db('comment_counts')
    .select<Array<{ status: string; count: string }>>('status', 'count')
    .where({ article_id: articleId });
  assert.equal(new Set(rows.map((row) => row.status)).size, rows.length, 'one row per article and status');
  return Object.fromEntries(rows.filter((row) => Number(row.count) !== 0).map((row) => [row.status, Number(row.count)]));
}

const STATUSES: TestCommentStatus[] = ['pending', 'approved', 'spam', 'trash'];

/**
 * Changes comments as the app does, one comment per transaction, from
 * `sessions` sessions at once: posts, moves both ways between two statuses,
 * and deletions. Each transaction is held open a moment, so they overlap.
 */
async function changeFromManySessions(db: Database, sessions: number) {
  const ids = [];
  for (let n = 0; n < sessions; n += 1) ids.push(await insertComment(db, { status: STATUSES[n % 4]! }));
  const changes = ids.flatMap((id, n) => [
    (trx: Database) => insertComment(trx, { status: STATUSES[(n + 1) % 4]! }),
    (trx: Database) =>
      n % 3 === 2
        ? trx('comments').where({ id }).delete()
        : trx('comments')
            .where({ id })
            .update({ status: n % 2 ? 'pending' : 'approved' }),
  ]);
  await Promise.all(
    changes.map((change) =>
      db.transaction(async (trx) => {
        await change(trx);
        await trx.raw('SELECT pg_sleep(0.02)');
      }),
    ),
  );
}

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== 0));

describe('comment counts', () => {
  it('stay exact when comments are added, moved and deleted from many sessions at once', async () => {
    const articleId = await articleIdOf(database.db);
    await changeFromManySessions(database.db, 6);
    // Moves made later, in other sessions, of comments counted in the first ones.
    await database.db('comments').where({ article_id: articleId, status: 'pending' }).update({ status: 'approved' });
    await changeFromManySessions(database.db, 4);

    const expected = await countedByHand(database.db, articleId);
    assert.deepEqual(await countCommentsByStatus(database.db, articleId), expected);
    assert.deepEqual(await countCommentsByStatus(database.db), expected, 'one article holds every comment');
    assert.deepEqual(await keptRows(database.db, articleId), nonZero(expected));
  });

  it('stay exact when 50 comments are posted to one article at once', async () => {
    const harness = commentingApp(database.db);
    const posts = 50;
    const forms = [];
    for (let n = 0; n < posts; n += 1) {
      const browser = harness.browser();
      forms.push({ browser, fields: (await loadForm(browser)).fields });
    }
    harness.advanceSeconds(5);
    const answers = await Promise.all(
      forms.map(({ browser, fields }, n) =>
        postPairs(
          browser,
          typed(fields, { author: `Reader ${n}`, email: `reader${n}@example.org`, comment: `Point number ${n} about the talks.` }),
          {
            ip: `198.51.100.${n + 1}`,
          },
        ),
      ),
    );
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array<number>(posts).fill(303),
    );

    const articleId = await articleIdOf(database.db);
    const expected = await countedByHand(database.db, articleId);
    assert.equal(
      Object.values(expected).reduce((sum, count) => sum + count, 0),
      posts,
      'every post stored',
    );
    assert.deepEqual(await countCommentsByStatus(database.db, articleId), expected);
    assert.deepEqual(await keptRows(database.db, articleId), nonZero(expected));
  });

  it('are taken up front, in one order, by a moderator’s move, so two moves of one article cannot deadlock at commit', async () => {
    const articleId = await articleIdOf(database.db);
    const user = await createAdmin(database.db, 'counter', 'a long enough test password 1');
    const actor = { id: String(user.id), name: 'Counter' };
    await insertComment(database.db, { status: 'spam' });
    const pending = await insertComment(database.db, { status: 'pending' });
    const holder = await database.db.transaction();
    try {
      // Another transaction holds the spam row: a move from pending to approved does not count in it,
      // but it must still wait for it, because it takes every count row of the article first.
      await holder.raw(`SELECT 1 FROM comment_counts WHERE article_id = ? AND status = 'spam' FOR UPDATE`, [articleId]);
      const moving = moderateComments(database.db, [pending], actor, new Date(), () => ({ kind: 'status', to: 'approved' }));
      let waiting = false;
      for (let poll = 0; poll < 100 && !waiting; poll += 1) {
        const found = await database.db.raw<{ rows: unknown[] }>(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%comment_counts%'`,
        );
        waiting = found.rows.length > 0;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await holder.commit();
      await moving;
      assert.ok(waiting, 'the move waited for the count rows before changing anything');
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }
    assert.deepEqual(await keptRows(database.db, articleId), nonZero(await countedByHand(database.db, articleId)));
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

  it('has a down that counts in shards again, and an up that sums the shards into one row per article and status', async () => {
    const articleId = await articleIdOf(database.db);
    await changeFromManySessions(database.db, 4);
    const expected = await countedByHand(database.db, articleId);
    await inRolledBackTransaction(database.db, async (trx) => {
      // The counting triggers run at commit, which never comes here: have them run at each change instead.
      await trx.raw('SET CONSTRAINTS ALL IMMEDIATE');
      await unshardCommentCounts.down(trx);
      assert.ok(Object.keys(await trx('comment_counts').columnInfo()).includes('shard'));
      await insertComment(trx, { status: 'spam' });
      await trx('comments').where({ article_id: articleId, status: 'pending' }).update({ status: 'trash' });
      // As sessions counted: a comment added in one shard and moved away in another leaves a -1 there.
      await trx('comment_counts').insert([
        { article_id: articleId, status: 'approved', shard: 14, count: 1 },
        { article_id: articleId, status: 'approved', shard: 15, count: -1 },
      ]);
      const moved = { ...expected, spam: expected.spam + 1, pending: 0, trash: expected.trash + expected.pending };
      assert.deepEqual(await countCommentsByStatus(trx, articleId), moved);
      await unshardCommentCounts.up(trx);
      assert.ok(!Object.keys(await trx('comment_counts').columnInfo()).includes('shard'));
      assert.deepEqual(await keptRows(trx, articleId), nonZero(moved));
      await insertComment(trx, { status: 'spam' });
      assert.deepEqual(await countCommentsByStatus(trx, articleId), { ...moved, spam: moved.spam + 1 });
    });
  });
});

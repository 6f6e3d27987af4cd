import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCommentsByStatus } from '../../src/queries/comments.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertArticle, insertComment } from '../helpers/rows.js';

const context = useTestDatabase();

async function countedTheSlowWay(articleId?: string) {
  const query = context.db('comments').select('status').count<{ status: string; count: string }[]>({ count: '*' }).groupBy('status');
  if (articleId) query.where({ article_id: articleId });
  const counts: Record<string, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
  for (const row of await query) counts[row.status] = Number(row.count);
  return counts;
}

describe('comment counts kept by the database', () => {
  it('stay exact through inserts, status changes, moves and deletes', async () => {
    const other = await insertArticle(context.db, { slug: 'another-article' });
    const ids: string[] = [];
    for (const status of ['pending', 'pending', 'approved', 'spam', 'trash', 'approved'] as const) {
      ids.push(await insertComment(context.db, { status, body: `A ${status} comment ${ids.length}` }));
    }
    await insertComment(context.db, { status: 'pending', article_id: other, body: 'Elsewhere' });
    assert.deepEqual(await countCommentsByStatus(context.db), await countedTheSlowWay());

    await context.db('comments').whereIn('id', ids.slice(0, 2)).update({ status: 'approved' });
    await context.db('comments').where({ id: ids[3] }).update({ status: 'trash', body: 'edited too' });
    await context.db('comments').where({ id: ids[5] }).update({ article_id: other });
    await context.db('comments').where({ id: ids[4] }).delete();
    await context.db('comments').where({ id: ids[2] }).update({ body: 'only the text changes' });

    assert.deepEqual(await countCommentsByStatus(context.db), await countedTheSlowWay());
    assert.deepEqual(await countCommentsByStatus(context.db, other), await countedTheSlowWay(other));
    assert.deepEqual(await countCommentsByStatus(context.db), { pending: 1, approved: 4, spam: 0, trash: 1 });
  });

  it('roll back with the change that failed', async () => {
    await insertComment(context.db, { status: 'pending', body: 'Counted once' });
    await assert.rejects(
      context.db.transaction(async (trx) => {
        await trx('comments').update({ status: 'approved' });
        throw new Error('changed my mind');
      }),
    );
    assert.deepEqual(await countCommentsByStatus(context.db), { pending: 1, approved: 0, spam: 0, trash: 0 });
  });
});

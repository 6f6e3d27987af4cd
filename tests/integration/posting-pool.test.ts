import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import knex from 'knex';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { readPostingFacts, storePostedComment } from '../../src/comments/posting-queries.js';
import { createFloodControl } from '../../src/comments/flood-control.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import { articleIdOf } from '../helpers/rows.js';

/**
 * The posting pool's sessions ('posting' in db/connection.ts) plan the two
 * statements of a comment post once and keep that plan for the session. A
 * plan made while `comments` was nearly empty must still use its indexes
 * once the table is large; a generic plan with sequential scans allowed
 * keeps scanning the whole table.
 */

const database = useTestDatabase();
let posting: Database;
let genericOnly: Database;

before(() => {
  posting = connectDatabase(process.env.DATABASE_URL!, 1, 'posting');
  genericOnly = knex({ client: 'pg', connection: { connectionString: process.env.DATABASE_URL!, options: '-c plan_cache_mode=force_generic_plan' }, pool: { min: 0, max: 1 } });
});
after(async () => {
  await posting.destroy();
  await genericOnly.destroy();
});

async function post(db: Database, articleId: string, n: number) {
  const comment = { article_id: articleId, parent_id: null, author_name: `Poster ${n}`, author_email: `poster${n}@example.org`, body: `Posted words ${n}.` };
  const ip = `192.0.2.${n}`;
  const facts = await readPostingFacts(db, { submissionId: randomUUID(), comment, ip });
  const stored = await storePostedComment(db, {
    comment: { ...comment, author_url: '', id: facts.newId, status: 'pending', status_reasons: [], ip, user_agent: 'test', submission_id: randomUUID() },
    flood: createFloodControl().countingFor(ip, comment.author_email),
    staffMail: [],
    commenterMail: [],
  });
  assert.equal(stored.storedId, facts.newId);
}

const wholeTableReadsOfComments = async (db: Database) =>
  Number((await db('pg_stat_xact_user_tables').where({ relname: 'comments' }).first<{ seq_scan: string }>('seq_scan'))?.seq_scan ?? 0);

/** Posts once with `comments` small (the plans are made then), grows it to 20,000 rows, posts again: that post's whole-table reads. */
async function wholeTableReadsAfterGrowth(db: Database): Promise<number> {
  let reads = Number.NaN;
  await inRolledBackTransaction(db, async (trx) => {
    const articleId = await articleIdOf(trx);
    const addComments = (from: number, to: number) =>
      trx.raw(
        `INSERT INTO comments (article_id, status, author_name, author_email, author_url, body, ip, user_agent, created_at)
         SELECT ?, 'approved', 'Reader ' || n, 'reader' || n || '@example.org', '', 'Words ' || n, '192.0.2.200', 'seed', now()
           FROM generate_series(?::int, ?::int) AS n`,
        [articleId, from, to],
      );
    // A new site's few comments, as the planner's statistics know them.
    await addComments(1, 100);
    await trx.raw('ANALYZE comments');
    await post(trx, articleId, 1);
    await addComments(101, 20_000);
    const before = await wholeTableReadsOfComments(trx);
    await post(trx, articleId, 2);
    reads = (await wholeTableReadsOfComments(trx)) - before;
  });
  return reads;
}

describe('the posting pool', () => {
  it('keeps using the indexes of comments after the table grows under a plan made while it was small', async () => {
    assert.equal(await wholeTableReadsAfterGrowth(posting), 0);
  });

  it('is needed: a generic plan alone goes on reading the whole table', async () => {
    assert.ok((await wholeTableReadsAfterGrowth(genericOnly)) > 0);
  });
});

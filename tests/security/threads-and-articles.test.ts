import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { squash } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';
import { acceptedId, assertRefused, attackHarness, rowCounts, storedComment, type AttackHarness } from '../helpers/security.js';

/**
 * Where a comment may go: a reply only under a published comment of the same
 * article, and a comment only on a published article that is open for them.
 */

const database = useTestDatabase();
let harness: AttackHarness;

beforeEach(() => {
  harness = attackHarness(database.db);
});

describe('parent_id tricks are refused with 422 and store nothing', () => {
  const tricks: Record<string, () => Promise<string>> = {
    'a comment on another article': async () => {
      const other = await insertArticle(database.db, { slug: 'another-article' });
      return insertComment(database.db, { article_id: other });
    },
    'a pending comment': () => insertComment(database.db, { status: 'pending' }),
    'a spam comment': () => insertComment(database.db, { status: 'spam' }),
    'a trashed comment': () => insertComment(database.db, { status: 'trash' }),
    'an id that does not exist': () => Promise.resolve('424242'),
    'a word': () => Promise.resolve('abc'),
    'a negative number': () => Promise.resolve('-1'),
    'a number with a sign': () => Promise.resolve('+1'),
    'a decimal': () => Promise.resolve('1.5'),
    'an exponent': () => Promise.resolve('1e3'),
    hexadecimal: () => Promise.resolve('0x10'),
    'padded with spaces': () => Promise.resolve(' 1 '),
    'Arabic-Indic digits': () => Promise.resolve('١'),
    'a number beyond bigint': () => Promise.resolve('99999999999999999999999'),
    'the largest bigint plus one': () => Promise.resolve('9223372036854775808'),
    SQL: () => Promise.resolve('1 OR 1=1'),
    'SQL in quotes': () => Promise.resolve("1'; DELETE FROM comments; --"),
  };
  for (const [name, parent] of Object.entries(tricks)) {
    it(name, async () => {
      const parentId = await parent();
      const before = await rowCounts(database.db);
      const page = await assertRefused(database.db, before, await harness.post({ parent_id: parentId }), 422);
      assert.match(squash(page('.error-summary').text()), /replying to could not be found|reply to a comment that has been published/);
    });
  }

  it('a published comment of the same article is a good parent (the control case)', async () => {
    const parent = await insertComment(database.db);
    const row = await storedComment(
      database.db,
      acceptedId(await harness.post({ parent_id: parent }, { pagePath: `${DEMO_PATH}?replytocom=${parent}` })),
    );
    assert.equal(String(row.parent_id), parent);
  });
});

describe('comments where none may be posted', () => {
  // The form comes from the open demo article, as an attacker would take it; it is posted to the closed one.
  it('an article closed to comments: 403, nothing stored', async () => {
    await insertArticle(database.db, { slug: 'closed-one', comments_open: false });
    const before = await rowCounts(database.db);
    const page = await assertRefused(database.db, before, await harness.post({}, { path: '/articles/closed-one/comments' }), 403);
    assert.match(squash(page('main').text()), /Comments are closed/);
  });

  it('an article closed by age (close comments after 14 days): 403, nothing stored', async () => {
    await saveDiscussionSettings(
      database.db,
      { ...(await loadDiscussionSettings(database.db)), closeOldArticles: true, closeAfterDays: 14 },
      null,
    );
    await database.db('articles').update({ published_at: new Date(Date.now() - 86400_000) });
    await insertArticle(database.db, { slug: 'old-one', published_at: new Date(Date.now() - 30 * 86400_000) });
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({}, { path: '/articles/old-one/comments' }), 403);
  });

  it('a draft: 404, nothing stored', async () => {
    await insertArticle(database.db, { slug: 'a-draft', status: 'draft', published_at: null });
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({}, { path: '/articles/a-draft/comments' }), 404);
  });

  it('an article scheduled for tomorrow: 404, nothing stored', async () => {
    await insertArticle(database.db, { slug: 'tomorrow', published_at: new Date(Date.now() + 86400_000) });
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({}, { path: '/articles/tomorrow/comments' }), 404);
  });

  it('an unknown article, and slugs that try to be paths or SQL: 404, nothing stored', async () => {
    for (const slug of ['no-such-article', '..%2F..%2Fadmin', '%2e%2e', encodeURIComponent("x' OR '1'='1"), 'A'.repeat(5000)]) {
      const before = await rowCounts(database.db);
      await assertRefused(database.db, before, await harness.post({}, { path: `/articles/${slug}/comments` }), 404);
    }
  });

  it('a slug with a NUL byte: 404 for the page, its feed and its comments, never a 500', async () => {
    for (const path of ['/articles/a%00b', '/articles/a%00b/comments/feed.xml', '/articles/%00/comment-page-2']) {
      assert.equal((await harness.browser().get(path)).status, 404, path);
    }
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({}, { path: '/articles/a%00b/comments' }), 404);
  });

  it('a reply to a comment on a closed article, posted to the open one: 422 (the parent belongs elsewhere)', async () => {
    const closed = await insertArticle(database.db, { slug: 'closed-one', comments_open: false });
    const parent = await insertComment(database.db, { article_id: closed });
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({ parent_id: parent }), 422);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';
import { articleIdOf } from '../helpers/rows.js';

const database = useTestDatabase();

describe('comment paging by default', () => {
  it('is on, at 200 top-level comments a page, so a long discussion is never one huge page', () => {
    assert.equal(DEFAULT_DISCUSSION_SETTINGS.paginateComments, true);
    assert.equal(DEFAULT_DISCUSSION_SETTINGS.commentsPerPage, 200);
    assert.equal(DEFAULT_DISCUSSION_SETTINGS.firstPageShown, 'newest');
  });

  it('shows an article with 450 comments as pages of 200, the newest page at the article’s address', async () => {
    const articleId = await articleIdOf(database.db);
    const rows = Array.from({ length: 450 }, (_unused, index) => ({
      article_id: articleId,
      status: 'approved',
      author_name: `Reader ${index + 1}`,
      author_email: `reader${index + 1}@example.net`,
      author_url: '',
      body: `Comment number ${index + 1}.`,
      ip: '192.0.2.10',
      user_agent: 'Seeded/1.0',
      created_at: new Date(Date.UTC(2023, 0, 3) + index * 60_000),
    }));
    await database.db.batchInsert('comments', rows, 150);
    const app = buildTestApp(database.db);
    const newest = parsePage((await request(app).get(DEMO_PATH).expect(200)).text);
    const shown = newest('li[id^="comment-"]');
    assert.equal(shown.length, 50, 'the newest page: comments 401 to 450');
    assert.match(newest('li[id^="comment-"]').last().text(), /Comment number 450\./);
    const first = parsePage((await request(app).get(`${DEMO_PATH}/comment-page-1/`).expect(200)).text);
    assert.equal(first('li[id^="comment-"]').length, 200);
    assert.match(first('li[id^="comment-"]').first().text(), /Comment number 1\./);
  });

  it('keeps a discussion of up to 200 threads on the article page itself', async () => {
    const articleId = await articleIdOf(database.db);
    await database.db('comments').insert({
      article_id: articleId,
      status: 'approved',
      author_name: 'Ada',
      author_email: 'ada@example.net',
      author_url: '',
      body: 'Alone.',
      ip: '192.0.2.10',
      user_agent: 'Seeded/1.0',
    });
    const response = await request(buildTestApp(database.db)).get(`${DEMO_PATH}/comment-page-1/`);
    assert.equal(response.status, 200);
    assert.equal(parsePage(response.text)('link[rel="canonical"]').attr('href')?.endsWith(DEMO_PATH), true, 'the one page is the article');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import type { ArticleStatus } from '../../src/articles/article-queries.js';
import { buildTestApp, untilListening } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';

const database = useTestDatabase();

/** An article now at /articles/new-name that was at /articles/old-name. */
async function renamedArticle(status: ArticleStatus = 'published') {
  const article = await insertArticle(database.db, {
    slug: 'new-name',
    status,
    published_at: status === 'scheduled' ? new Date(Date.now() + 3_600_000) : new Date('2024-01-01T00:00:00Z'),
  });
  await database.db('article_former_slugs').insert({ slug: 'old-name', article_id: article.id });
  return article;
}

describe('an article’s former slug', () => {
  it('answers 301 to the current address, for the article, its comment pages and its comments feed', async () => {
    await renamedArticle();
    const app = buildTestApp(database.db);
    await request(app).get('/articles/old-name').expect(301).expect('Location', '/articles/new-name');
    await request(app).get('/articles/old-name?replytocom=12').expect(301).expect('Location', '/articles/new-name?replytocom=12');
    await request(app).get('/articles/old-name/comment-page-2').expect(301).expect('Location', '/articles/new-name/comment-page-2');
    await request(app).get('/articles/old-name/comments/feed.xml').expect(301).expect('Location', '/articles/new-name/comments/feed.xml');
    await request(app).get('/articles/new-name').expect(200);
  });

  it('keeps answering 301 when asked again, through the page cache', async () => {
    await renamedArticle();
    const app = buildTestApp(database.db);
    await untilListening(database.db);
    for (let time = 0; time < 3; time += 1) {
      await request(app).get('/articles/old-name').expect(301).expect('Location', '/articles/new-name');
    }
  });

  it('follows the article when its slug changes again', async () => {
    const article = await renamedArticle();
    const app = buildTestApp(database.db);
    await untilListening(database.db);
    await request(app).get('/articles/old-name').expect(301).expect('Location', '/articles/new-name');
    await database.db('articles').where({ id: article.id }).update({ slug: 'newest-name' });
    await database.db('article_former_slugs').insert({ slug: 'new-name', article_id: article.id });
    await request(app).get('/articles/old-name').expect(301).expect('Location', '/articles/newest-name');
    await request(app).get('/articles/new-name').expect(301).expect('Location', '/articles/newest-name');
  });

  for (const status of ['draft', 'scheduled', 'trash'] as const) {
    it(`is 404, like the article itself, when the article is ${status}`, async () => {
      await renamedArticle(status);
      const app = buildTestApp(database.db);
      await request(app).get('/articles/old-name').expect(404);
      await request(app).get('/articles/old-name/comment-page-2').expect(404);
      await request(app).get('/articles/old-name/comments/feed.xml').expect(404);
      await request(app).get('/articles/new-name').expect(404);
    });
  }

  it('gives way to an article that has that slug now', async () => {
    await renamedArticle();
    await insertArticle(database.db, { slug: 'old-name', title: 'The Article Called Old Name Now' });
    const response = await request(buildTestApp(database.db)).get('/articles/old-name').expect(200);
    assert.match(response.text, /The Article Called Old Name Now/);
  });

  it('leaves an unknown slug a 404', async () => {
    await request(buildTestApp(database.db)).get('/articles/never-was').expect(404);
  });
});

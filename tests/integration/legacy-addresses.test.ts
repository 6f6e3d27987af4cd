import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { importWordpress } from '../../src/moving/wordpress-import.js';
import { buildTestApp } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, textAt } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();
const THEME_UNIT_TEST = path.join(projectRoot, 'tests/fixtures/wxr/theme-unit-test-data.xml');
const SITE = 'https://wpthemetestdata.wordpress.com';
let app: Express;

beforeEach(() => {
  app = buildTestApp(testDb.db);
});

/** An article as an import leaves it: its WordPress id and the paths WordPress served it at. */
async function importedArticle(slug: string, sourceId: string, paths: string[], status: 'published' | 'draft' | 'scheduled' = 'published') {
  const article = await insertArticle(testDb.db, {
    slug,
    status,
    published_at: status === 'draft' ? null : status === 'scheduled' ? new Date(Date.now() + 86_400_000) : new Date('2013-01-10T09:00:00Z'),
  });
  await testDb.db('articles').where({ id: article.id }).update({ source_site: SITE, source_id: sourceId, source_kind: 'post' });
  for (const path of paths) await testDb.db('article_legacy_paths').insert({ path, article_id: article.id });
  return article;
}

const get = (path: string) => request(app).get(path);

async function expectMoved(path: string, location: string) {
  const response = await get(path);
  assert.equal(response.status, 301, `${path} answered ${response.status}`);
  assert.equal(response.headers.location, location, path);
}

async function expectNotFound(path: string) {
  const response = await get(path);
  assert.equal(response.status, 404, `${path} answered ${response.status}`);
  assert.match(textAt(parsePage(response.text), 'main'), /nothing at this address|no comment at this address/i);
}

describe('old WordPress addresses', () => {
  it('send /?p=ID and /?page_id=ID to the imported article', async () => {
    await importedArticle('hello-world', '1', []);
    await importedArticle('about', '2', []);
    await expectMoved('/?p=1', '/articles/hello-world');
    await expectMoved('/?page_id=2', '/articles/about');
    await expectMoved('/?p=1&page=3', '/articles/hello-world');
  });

  it('answer an unknown, unpublished or malformed ?p with the 404 page, and never cache it as the home page', async () => {
    await importedArticle('not-yet', '7', [], 'draft');
    await importedArticle('later', '8', [], 'scheduled');
    for (const path of ['/?p=999', '/?p=7', '/?page_id=8', '/?p=abc', '/?p=', '/?p=1&p=2']) await expectNotFound(path);
    // The home page itself is still the home page, before and after.
    await get('/').expect(200);
    await expectNotFound('/?p=999');
    await get('/?page=1').expect(200);
  });

  it('send the date and slug paths WordPress served, with or without the slash, to the article', async () => {
    const paths = ['/2013/01/10/hello-world/', '/2013/01/hello-world/', '/hello-world/', '/parent-page/child-page/', '/日本語/'];
    await importedArticle('hello-world', '1', paths);
    for (const path of paths) {
      await expectMoved(encodeURI(path), '/articles/hello-world');
      await expectMoved(encodeURI(path.replace(/\/$/, '')), '/articles/hello-world');
    }
    await expectMoved('/2013/01/10/hello-world/?utm_source=feed', '/articles/hello-world');
    const head = await request(app).head('/hello-world/');
    assert.equal(head.status, 301);
  });

  it('answer unknown paths, and paths of unpublished articles, with the normal 404 page', async () => {
    await importedArticle('draft-one', '3', ['/draft-one/'], 'draft');
    await importedArticle('scheduled-one', '4', ['/scheduled-one/'], 'scheduled');
    for (const path of ['/draft-one/', '/scheduled-one/', '/no-such-thing/', '/2099/01/01/nothing/', '/%E0%A4%A/'])
      await expectNotFound(path);
    // Another method on an unknown path is still a 404, not a 405.
    assert.equal((await request(app).post('/no-such-thing/')).status, 404);
  });

  it('never shadow a route of the site', async () => {
    await importedArticle('sneaky', '5', ['/admin/', '/feed.xml/', '/privacy/', '/articles/sneaky/', '/healthz/']);
    const admin = await get('/admin/');
    assert.equal(admin.status, 303);
    assert.match(admin.headers.location ?? '', /^\/admin\/login/);
    const feed = await get('/feed.xml').expect(200);
    assert.match(feed.headers['content-type'] ?? '', /atom|xml/);
    await get('/healthz').expect(200);
    await get('/articles/sneaky').expect(200);
    const privacy = await get('/privacy');
    assert.notEqual(privacy.status, 301, '/privacy stays the privacy notice');
  });

  it('send /comments/wp/ID to the imported comment’s permalink while it is public', async () => {
    const article = await importedArticle('with-comments', '6', []);
    const approved = await insertComment(testDb.db, { article_id: article.id });
    const pending = await insertComment(testDb.db, { article_id: article.id, status: 'pending' });
    await testDb.db('comments').where({ id: approved }).update({ source_site: SITE, source_id: '31', imported_from: 'wordpress' });
    await testDb.db('comments').where({ id: pending }).update({ source_site: SITE, source_id: '32', imported_from: 'wordpress' });
    await expectMoved('/comments/wp/31', `/comments/${approved}`);
    const permalink = await get(`/comments/${approved}`);
    assert.equal(permalink.status, 302);
    for (const path of ['/comments/wp/32', '/comments/wp/33', '/comments/wp/abc']) await expectNotFound(path);
  });
});

describe('old addresses of an imported WordPress export', () => {
  it('redirect the Theme Unit Test data’s permalinks to their articles', async () => {
    const summary = await importWordpress(testDb.db, THEME_UNIT_TEST, {
      dryRun: false,
      skipPages: false,
      withPingbacks: false,
      mapAuthor: {},
    });
    assert.ok((summary.counts.articles ?? 0) > 50);
    const sticky = await testDb.db('articles').where({ source_id: '1241' }).first();
    assert.ok(sticky, 'post 1241 is imported');
    await expectMoved('/?p=1241', `/articles/${sticky.slug}`);
    const legacy = await testDb
      .db('article_legacy_paths as l')
      .join('articles as a', 'a.id', 'l.article_id')
      .where('a.source_id', '1241')
      .pluck('l.path');
    assert.ok(legacy.length > 0, 'the import kept post 1241’s old paths');
    assert.ok(legacy.includes('/2012/01/07/template-sticky/'), 'its permalink is among them');
    for (const path of legacy) await expectMoved(encodeURI(path), `/articles/${sticky.slug}`);
    // A nested page: /parent/child/ goes to the child's own article.
    const child = await testDb
      .db('article_legacy_paths as l')
      .join('articles as a', 'a.id', 'l.article_id')
      .where('a.source_kind', 'page')
      .where('a.status', 'published')
      .whereRaw("l.path ~ '^/[^/]+/[^/]+/$'")
      .whereRaw("l.path !~ '^/[0-9]{4}/'")
      .select('l.path', 'a.slug')
      .first();
    assert.ok(child, 'a nested page kept its /parent/child/ path');
    await expectMoved(encodeURI(child.path), `/articles/${child.slug}`);
    // The draft post stays private at its old address too.
    const draft = await testDb.db('articles').where({ status: 'draft' }).whereNotNull('source_id').first();
    await expectNotFound(`/?p=${draft.source_id}`);
    // And an imported comment by its WordPress id.
    const comment = await testDb
      .db('comments as c')
      .join('articles as a', 'a.id', 'c.article_id')
      .where({ 'c.imported_from': 'wordpress', 'c.status': 'approved', 'a.status': 'published' })
      .select('c.id', 'c.source_id')
      .first();
    await expectMoved(`/comments/wp/${comment.source_id}`, `/comments/${comment.id}`);
  });
});

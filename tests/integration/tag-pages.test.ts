import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';

const database = useTestDatabase();
const BASE = 'http://127.0.0.1:3000';
const app = () => buildTestApp(database.db);

const titlesOf = (page: Page) =>
  page('.post-summary__title')
    .map((_index, element) => squash(page(element).text()))
    .get();

async function tagPage(path: string): Promise<Page> {
  return parsePage((await request(app()).get(path).expect(200)).text);
}

/** The JSON-LD of a page, parsed. */
function structuredDataOf(page: Page): Record<string, unknown> {
  return JSON.parse(page('script[type="application/ld+json"]').text()) as Record<string, unknown>;
}

describe('GET /tags/:slug', () => {
  it('lists the published articles with that tag, newest first, and nothing else', async () => {
    await insertArticle(database.db, { title: 'Older Asia', tags: ['Asia'], published_at: new Date('2024-01-01T00:00:00Z') });
    await insertArticle(database.db, { title: 'Newer Asia', tags: ['Asia', 'Trade'], published_at: new Date('2024-02-01T00:00:00Z') });
    await insertArticle(database.db, { title: 'Only Trade', tags: ['Trade'] });
    await insertArticle(database.db, { title: 'Draft Asia', tags: ['Asia'], status: 'draft' });
    await insertArticle(database.db, { title: 'Binned Asia', tags: ['Asia'], status: 'trash' });
    const page = await tagPage('/tags/asia');
    assert.equal(textAt(page, 'h1'), 'Tagged “Asia”');
    assert.deepEqual(titlesOf(page), ['Newer Asia', 'Older Asia']);
    assert.match(textAt(page, 'title'), /Articles tagged “Asia”/);
    assert.equal(page('head link[rel="canonical"]').attr('href'), `${BASE}/tags/asia`);
    assert.equal(page('head link[rel="alternate"][href$="/tags/asia/feed.xml"]').attr('href'), `${BASE}/tags/asia/feed.xml`);
    assert.equal(page('main a[href="/tags/asia/feed.xml"]').length, 1, 'the feed is linked where a reader sees it');
  });

  it('pages ten at a time with visible and <head> links, and 404s past the last page', async () => {
    for (let day = 1; day <= 12; day += 1) {
      await insertArticle(database.db, { title: `Day ${day}`, tags: ['Daily'], published_at: new Date(Date.UTC(2024, 0, day)) });
    }
    const first = await tagPage('/tags/daily');
    assert.equal(first('.post-summary').length, 10);
    assert.equal(titlesOf(first)[0], 'Day 12');
    assert.equal(first('.pagination a[rel="next"]').attr('href'), '/tags/daily?page=2');
    assert.equal(first('head link[rel="next"]').attr('href'), `${BASE}/tags/daily?page=2`);
    const second = await tagPage('/tags/daily?page=2');
    assert.deepEqual(titlesOf(second), ['Day 2', 'Day 1']);
    assert.equal(second('.pagination a[rel="prev"]').attr('href'), '/tags/daily');
    assert.equal(second('head link[rel="prev"]').attr('href'), `${BASE}/tags/daily`);
    assert.equal(second('head link[rel="canonical"]').attr('href'), `${BASE}/tags/daily?page=2`);
    await request(app()).get('/tags/daily?page=3').expect(404);
    await request(app()).get('/tags/daily?page=0').expect(404);
    await request(app()).get('/tags/daily?page=x').expect(404);
  });

  it('answers 404 for an unknown tag, a malformed one, and a tag no published article carries', async () => {
    await insertArticle(database.db, { tags: ['Unreleased'], status: 'draft' });
    await insertArticle(database.db, { tags: ['Unreleased'], status: 'scheduled', published_at: new Date(Date.now() + 3_600_000) });
    await database.db('tags').insert({ slug: 'empty', name: 'Empty' });
    for (const path of ['/tags/no-such-tag', '/tags/Not_A_Slug', '/tags/unreleased', '/tags/empty']) {
      const response = await request(app()).get(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.text, /Unreleased|Test article/, `${path} names nothing unpublished`);
    }
  });
});

describe('GET /tags/:slug/feed.xml', () => {
  it('is an Atom feed of the published articles with that tag', async () => {
    await insertArticle(database.db, { slug: 'in-feed', title: 'In The Feed', tags: ['Economy'] });
    await insertArticle(database.db, { slug: 'untagged', title: 'Not Tagged' });
    await insertArticle(database.db, { slug: 'hidden', title: 'Hidden Draft', tags: ['Economy'], status: 'draft' });
    const response = await request(app()).get('/tags/economy/feed.xml').expect(200);
    assert.match(String(response.headers['content-type']), /^application\/atom\+xml/);
    const feed = parsePage(response.text);
    const links = feed('entry link')
      .map((_index, element) => feed(element).attr('href'))
      .get();
    assert.deepEqual(links, [`${BASE}/articles/in-feed`]);
    assert.match(response.text, /<title>Broadsheet » Economy<\/title>/);
    assert.match(response.text, new RegExp(`<link rel="self" href="${BASE}/tags/economy/feed.xml"`));
    await request(app()).get('/tags/nothing/feed.xml').expect(404);
  });
});

describe('tag pages in the sitemap', () => {
  it('lists the page of every tag a published article carries, and no other', async () => {
    await insertArticle(database.db, { tags: ['Shown'], published_at: new Date('2024-02-03T04:05:06Z') });
    await insertArticle(database.db, { tags: ['Shown'], published_at: new Date('2024-01-01T00:00:00Z') });
    await insertArticle(database.db, { tags: ['Only Drafts'], status: 'draft' });
    const sitemap = parsePage((await request(app()).get('/sitemap.xml').expect(200)).text);
    const tagUrls = sitemap('url')
      .map((_index, url) => ({ loc: sitemap(url).children('loc').text(), lastmod: sitemap(url).children('lastmod').text() }))
      .get()
      .filter(({ loc }) => loc.includes('/tags/'));
    assert.deepEqual(
      tagUrls.map(({ loc }) => loc),
      [`${BASE}/tags/shown`],
    );
    assert.ok(new Date(tagUrls[0]!.lastmod) >= new Date('2024-02-03T04:05:06Z'), 'changed when its newest article did');
  });
});

describe('tags on the article page', () => {
  it('lists them, linking to their pages, and names them as keywords in the JSON-LD', async () => {
    await insertArticle(database.db, { slug: 'with-tags', tags: ['Diplomacy', 'China'] });
    const page = parsePage((await request(app()).get('/articles/with-tags').expect(200)).text);
    const links = page('article .tag-links a')
      .map((_index, element) => [[squash(page(element).text()), page(element).attr('href')]])
      .get();
    assert.deepEqual(links, [
      ['China', '/tags/china'],
      ['Diplomacy', '/tags/diplomacy'],
    ]);
    assert.deepEqual(structuredDataOf(page).keywords, ['China', 'Diplomacy']);
  });

  it('shows no tag list and no keywords for an article without tags', async () => {
    const page = parsePage((await request(app()).get(DEMO_PATH).expect(200)).text);
    assert.equal(page('.tag-links').length, 0);
    assert.equal('keywords' in structuredDataOf(page), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import * as cheerio from 'cheerio';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { createThroughEditor } from '../helpers/editor.js';
import { assertNoInjectedMarkup, parsePage } from '../helpers/html.js';
import { HOSTILE_BODIES, assertInert } from '../helpers/hostile-markdown.js';

/**
 * The hostile corpus saved the way staff save it (the editor's form) and
 * published, then read back wherever an article's text or title is shown:
 * the public page, the preview, the site feed, the home page and the admin
 * list. The renderer's own test proves each body inert; this proves no
 * surface shows anything but what the renderer made.
 */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;
let articles: Array<{ id: string; name: string; slug: string }> = [];

/** PostgreSQL stores no NUL: the editor refuses such a body (its own test), so it never reaches a page. */
const SAVABLE_BODIES = HOSTILE_BODIES.filter((body) => !body.source.includes('\0'));

/** A title carrying markup too: every surface must show it as text. */
const hostileTitle = (index: number) => `Hostile ${index} <script>alert(${index})</script><img src=x onerror=alert(${index})>`;

/** The database is emptied before each test, so the one test below writes the corpus first. */
async function publishTheCorpus(): Promise<void> {
  ({ app, admin } = await adminApp(testDb.db));
  articles = [];
  for (const [index, { name, source }] of SAVABLE_BODIES.entries()) {
    const slug = `hostile-${index}`;
    const id = await createThroughEditor(admin, { title: hostileTitle(index), slug, body: source, excerpt: '' }, 'publish');
    articles.push({ id, name, slug });
  }
}

/** The rendered body on a page, checked as the renderer's test checks it, and the page as a whole. */
function assertArticlePageInert(html: string, label: string): void {
  const page = parsePage(html);
  assertNoInjectedMarkup(page);
  assertInert(page('.entry-content').html() ?? '', label);
  assert.match(page('h1').text(), /^Hostile \d+ <script>/, `${label}: the title shows as typed text`);
}

describe('hostile article bodies and titles, saved through the editor and published', () => {
  it('are inert on the public page, the preview, the feed, the home page and the admin list', async () => {
    await publishTheCorpus();
    assert.equal(articles.length, SAVABLE_BODIES.length);
    assert.ok(articles.length >= 30, `${articles.length} bodies`);
    await onEachPublicPage();
    await inEachPreview();
    await inTheSiteFeed();
    await onEveryHomePage();
    await onEveryAdminListPage();
  });
});

async function onEachPublicPage() {
  for (const { slug, name } of articles) {
    const response = await request(app).get(`/articles/${slug}`).expect(200);
    assertArticlePageInert(response.text, `${name} on its page`);
  }
}

async function inEachPreview() {
  for (const { id, name } of articles) {
    const response = await admin.agent.get(`/admin/articles/${id}/preview`).expect(200);
    assertArticlePageInert(response.text, `${name} in the preview`);
  }
}

/** As a feed reader renders the entries' HTML content. */
async function inTheSiteFeed() {
  const xml = (await request(app).get('/feed.xml').expect(200)).text;
  const feed = cheerio.load(xml, { xml: true });
  assert.equal(feed('entry script, entry img[onerror], entry iframe').length, 0, 'no markup smuggled into the XML itself');
  const entries = feed('entry');
  assert.ok(entries.length >= 20, `${entries.length} entries`);
  entries.each((_index, entry) => {
    const label = feed(entry).find('link').attr('href') ?? 'an entry';
    assertInert(feed(entry).find('content').text(), `${label} in the feed`);
    const title = parsePage(`<p>${feed(entry).find('title').text()}</p>`);
    assert.equal(title('script, img').length, 0, `${label}: the feed's title is text`);
  });
}

/** Excerpts included. */
async function onEveryHomePage() {
  for (let page = 1; page <= Math.ceil((articles.length + 1) / 10); page++) {
    const response = await request(app)
      .get(page === 1 ? '/' : `/?page=${page}`)
      .expect(200);
    const html = parsePage(response.text);
    assertNoInjectedMarkup(html);
    assert.equal(html('main img[src="x"], main script').length, 0);
  }
}

async function onEveryAdminListPage() {
  let next: string | undefined = '/admin/articles';
  let rows = 0;
  while (next) {
    const page = parsePage((await admin.agent.get(next).expect(200)).text);
    assertNoInjectedMarkup(page);
    rows += page('tr[id^="article-"]').length;
    for (const { id } of articles) {
      const row = page(`#article-${id}`);
      if (row.length === 0) continue;
      assert.match(row.text(), /Hostile \d+ <script>alert\(\d+\)<\/script><img src=x/, 'the title shows as typed');
    }
    next = page('a[rel="next"]').attr('href');
  }
  assert.equal(rows, articles.length + 1, 'every article listed once, the demo article too');
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import request from 'supertest';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { avatarHash } from '../../src/comments/identicon.js';
import { buildTestApp, TEST_COOKIE_SECRET } from '../helpers/app.js';
import { APP_ORIGIN, DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, parsePage, type Page } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';

const database = useTestDatabase();
const app = () => buildTestApp(database.db);
const TITLE = 'Xi Ducks Putin’s Push for Expanded Military Ties';
const ARTICLE_URL = `${APP_ORIGIN}${DEMO_PATH}`;

async function articlePage(): Promise<Page> {
  const response = await request(app()).get(DEMO_PATH).expect(200);
  return parsePage(response.text);
}

interface PersonLd {
  '@type': string;
  name: string;
}

interface CommentLd {
  '@type': string;
  url: string;
  author: PersonLd;
  dateCreated: string;
  datePublished: string;
  text: string;
}

/** The parts of an article's JSON-LD these tests read. */
interface ArticleLd {
  '@context': string;
  '@type': string;
  headline: string;
  author: PersonLd;
  datePublished: string;
  dateModified: string;
  mainEntityOfPage: { '@type': string; '@id': string };
  commentCount: number;
  comment: CommentLd[];
  image?: string;
}

function jsonLd(page: Page): ArticleLd {
  const scripts = page('head script[type="application/ld+json"]');
  assert.equal(scripts.length, 1);
  return JSON.parse(scripts.text()) as ArticleLd;
}

describe('GET /robots.txt and /sitemap.xml', () => {
  it('lets crawlers in everywhere but the admin, and names the sitemap', async () => {
    const response = await request(app()).get('/robots.txt').expect(200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const lines = response.text.trim().split('\n');
    assert.equal(lines[0], 'User-agent: *');
    assert.ok(lines.includes('Disallow: /admin'));
    assert.ok(lines.includes('Allow: /'));
    assert.ok(lines.includes(`Sitemap: ${APP_ORIGIN}/sitemap.xml`));
  });

  it('lists the home page and every published article with when it last changed', async () => {
    await insertArticle(database.db, { slug: 'a-draft', status: 'draft' });
    await insertArticle(database.db, { slug: 'the-future', published_at: new Date(Date.now() + 86_400_000) });
    await insertArticle(database.db, { slug: 'newer-piece', published_at: new Date('2023-03-01T00:00:00Z') });
    await database
      .db('articles')
      .where({ slug: 'newer-piece' })
      .update({ updated_at: new Date('2023-04-05T06:07:08Z') });
    const response = await request(app()).get('/sitemap.xml').expect(200);
    assert.equal(response.headers['content-type'], 'application/xml; charset=utf-8');
    const sitemap = cheerio.load(response.text, { xml: true });
    assert.equal(sitemap('urlset').attr('xmlns'), 'http://www.sitemaps.org/schemas/sitemap/0.9');
    const urls = sitemap('url')
      .map((_index, url) => ({ loc: sitemap(url).children('loc').text(), lastmod: sitemap(url).children('lastmod').text() }))
      .get();
    assert.deepEqual(
      urls.map((url) => url.loc),
      [`${APP_ORIGIN}/`, `${APP_ORIGIN}/articles/newer-piece`, ARTICLE_URL],
    );
    assert.equal(urls[1]!.lastmod, '2023-04-05T06:07:08.000Z');
    assert.equal(
      urls[0]!.lastmod,
      urls
        .map((url) => url.lastmod)
        .sort()
        .at(-1),
      'the home page changed with its newest article',
    );
    for (const url of urls) assert.match(url.lastmod, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('the article page’s head', () => {
  it('has a canonical link, OpenGraph and Twitter card tags', async () => {
    const page = await articlePage();
    const property = (name: string) => page(`head meta[property="${name}"]`).attr('content');
    const named = (name: string) => page(`head meta[name="${name}"]`).attr('content');
    assert.equal(page('head link[rel="canonical"]').attr('href'), ARTICLE_URL);
    assert.equal(property('og:type'), 'article');
    assert.equal(property('og:title'), TITLE);
    assert.match(property('og:description') ?? '', /^China’s President Xi Jiinping met/);
    assert.equal(property('og:url'), ARTICLE_URL);
    assert.equal(property('og:site_name'), 'Broadsheet');
    assert.equal(property('article:published_time'), '2023-01-02T09:00:00.000Z');
    assert.equal(property('article:author'), 'Kareem Salem');
    assert.equal(named('twitter:card'), 'summary');
    assert.equal(named('twitter:title'), TITLE);
    assert.equal(named('twitter:description'), property('og:description'));
  });

  it('describes the article in JSON-LD, with its approved comments and nothing else', async () => {
    const approved = await insertComment(database.db, { author_name: 'Ada', body: 'Well argued.' });
    await insertComment(database.db, { status: 'pending', body: 'Held back.' });
    await insertComment(database.db, { status: 'spam', body: 'Buy now.' });
    const data = jsonLd(await articlePage());
    assert.equal(data['@context'], 'https://schema.org');
    assert.equal(data['@type'], 'Article');
    assert.equal(data.headline, TITLE);
    assert.deepEqual(data.author, { '@type': 'Person', name: 'Kareem Salem' });
    assert.equal(data.datePublished, '2023-01-02T09:00:00.000Z');
    assert.match(data.dateModified, /^\d{4}-/);
    assert.deepEqual(data.mainEntityOfPage, { '@type': 'WebPage', '@id': ARTICLE_URL });
    assert.equal(data.commentCount, 1);
    assert.equal(data.comment.length, 1);
    const comment = data.comment[0]!;
    assert.deepEqual(comment, {
      '@type': 'Comment',
      url: `${ARTICLE_URL}#comment-${approved}`,
      author: { '@type': 'Person', name: 'Ada' },
      dateCreated: comment.dateCreated,
      datePublished: comment.datePublished,
      text: 'Well argued.',
    });
    assert.match(comment.datePublished, /^2023-01-03T/);
    assert.match(comment.dateCreated, /^2023-01-03T/);
  });

  it('keeps a comment that tries to close the script element inside it', async () => {
    const body = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(1)>';
    await insertComment(database.db, { author_name: '</SCRIPT>', body });
    const response = await request(app()).get(DEMO_PATH).expect(200);
    const page = parsePage(response.text);
    assertNoInjectedMarkup(page);
    const data = jsonLd(page);
    assert.equal(data.comment[0]?.text, body);
    assert.equal(data.comment[0]?.author.name, '</SCRIPT>');
    assert.equal(page('script:not([src]):not([type="application/ld+json"])').length, 0);
  });

  it('gives the article’s figure as its image, absolute, in OpenGraph and JSON-LD', async () => {
    const page = await articlePage();
    // The page shows the fingerprinted copy; previews get the plain path, which stays the same across releases.
    assert.match(page('figure img').attr('src') ?? '', /^\/images\/video-call\.[0-9a-f]+\.svg$/);
    const figure = '/images/video-call.svg';
    assert.equal(page('head meta[property="og:image"]').length, 1);
    assert.equal(page('head meta[property="og:image"]').attr('content'), `${APP_ORIGIN}${figure}`);
    assert.equal(jsonLd(page).image, `${APP_ORIGIN}${figure}`);
  });

  it('has an og:image on every page, the site’s picture where the page has none of its own', async () => {
    await insertArticle(database.db, { slug: 'no-figure', title: 'No figure' });
    for (const [path, status] of [
      ['/', 200],
      ['/?page=1', 200],
      ['/articles/no-figure', 200],
      ['/no-such-page', 404],
      ['/articles/nope', 404],
    ] as const) {
      const response = await request(app()).get(path).expect(status);
      const images = parsePage(response.text)('head meta[property="og:image"]');
      assert.equal(images.length, 1, path);
      assert.equal(images.attr('content'), `${APP_ORIGIN}/images/video-call.svg`, path);
    }
    const image = await request(app()).get('/images/video-call.svg').expect(200);
    assert.match(image.headers['content-type'] ?? '', /^image\//);
  });

  it('gives the home page website tags and no article data', async () => {
    const page = parsePage((await request(app()).get('/')).text);
    assert.equal(page('head meta[property="og:type"]').attr('content'), 'website');
    assert.equal(page('head meta[property="og:url"]').attr('content'), `${APP_ORIGIN}/`);
    assert.equal(page('head script[type="application/ld+json"]').length, 0);
  });
});

describe('comment avatars', () => {
  it('shows a local identicon beside each comment, named by a keyed hash of the comment and its email', async () => {
    const id = await insertComment(database.db, { author_email: 'Ada@Example.org ' });
    const page = await articlePage();
    const avatar = page(`#comment-${id} img.avatar`);
    assert.equal(avatar.length, 1);
    const hash = avatarHash(TEST_COOKIE_SECRET, 'ada@example.org', id);
    assert.equal(avatar.attr('src'), `/avatars/${hash}.svg`);
    assert.equal(avatar.attr('alt'), '');
    assert.equal(avatar.attr('width'), '48');
    assert.equal(avatar.attr('height'), '48');
    assert.equal(avatar.attr('loading'), 'lazy');
    const bare = createHash('sha256').update('ada@example.org').digest('hex');
    assert.ok(!page.html().includes(bare.slice(0, 32)), 'no bare hash of the email on the page');
    assert.ok(!page.html().toLowerCase().includes('ada@example.org'), 'no email on the page');
  });

  it('shows none when avatars are turned off', async () => {
    await saveDiscussionSettings(database.db, { ...DEFAULT_DISCUSSION_SETTINGS, showAvatars: false }, null);
    const id = await insertComment(database.db);
    const page = await articlePage();
    assert.equal(page(`#comment-${id}`).length, 1);
    assert.equal(page('img.avatar').length, 0);
  });

  it('serves the identicon as an SVG kept for a year', async () => {
    const hash = avatarHash(TEST_COOKIE_SECRET, 'ada@example.org', '1');
    const response = await request(app()).get(`/avatars/${hash}.svg`).expect(200);
    assert.match(String(response.headers['content-type']), /^image\/svg\+xml/);
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    const svg = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : response.text;
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const bad of ['ABCDEF0123456789abcdef0123456789', 'abc', `${hash}0`, 'ada@example.org']) {
      await request(app())
        .get(`/avatars/${encodeURIComponent(bad)}.svg`)
        .expect(404);
    }
  });

  it('makes the article page ask nothing of another site', async () => {
    await insertComment(database.db, { author_url: 'https://ada.example.org/' });
    const page = await articlePage();
    const fetched = [
      ...page('img[src], script[src], iframe[src], source[src], video[src], audio[src]')
        .map((_i, element) => page(element).attr('src'))
        .get(),
      ...page('link[rel="stylesheet"], link[rel="preload"], link[rel="icon"]')
        .map((_i, element) => page(element).attr('href'))
        .get(),
    ];
    assert.ok(fetched.length > 0);
    for (const url of fetched) assert.ok(url.startsWith('/') && !url.startsWith('//'), `${url} is on this site`);
    assert.doesNotMatch(page.html(), /gravatar/i);
  });
});

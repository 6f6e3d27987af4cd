import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { assetPath } from '../../src/platform/http/static-assets.js';
import { buildTestApp } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

const database = useTestDatabase();
const BASE = 'http://127.0.0.1:3000';

async function home(path = '/'): Promise<Page> {
  return parsePage((await request(buildTestApp(database.db)).get(path).expect(200)).text);
}

/** The summary whose title links to `path`. */
const summaryOf = (page: Page, path: string) => page(`.post-summary:has(.post-summary__title a[href="${path}"])`);

describe('GET / — each article’s summary', () => {
  it('shows the stored summary as the excerpt: the excerpt typed, else the first paragraph', async () => {
    await insertArticle(database.db, {
      slug: 'typed-excerpt',
      body: 'The opening paragraph.\n\nMore.',
      excerpt: 'A line written for lists.',
    });
    await insertArticle(database.db, { slug: 'no-excerpt', body: 'Only the *first* paragraph.\n\nNot this one.' });
    const page = await home();
    assert.equal(squash(summaryOf(page, '/articles/typed-excerpt').find('.post-summary__excerpt').text()), 'A line written for lists.');
    assert.equal(squash(summaryOf(page, '/articles/no-excerpt').find('.post-summary__excerpt').text()), 'Only the first paragraph.');
  });

  it('shows title link, author, date, reading time, approved comments and tags linking to their pages', async () => {
    const article = await insertArticle(database.db, {
      slug: 'tagged-piece',
      title: 'A Tagged Piece',
      author_name: 'Ada Reporter',
      published_at: new Date('2024-03-05T12:00:00Z'),
      tags: ['Foreign Policy', 'Asia'],
    });
    await insertComment(database.db, { article_id: article.id, status: 'approved' });
    await insertComment(database.db, { article_id: article.id, status: 'pending' });
    const summary = summaryOf(await home(), '/articles/tagged-piece');
    assert.equal(squash(summary.find('.post-summary__title').text()), 'A Tagged Piece');
    const meta = squash(summary.find('.entry-meta').text());
    assert.match(meta, /By Ada Reporter/);
    assert.match(meta, /March 5, 2024/);
    assert.match(meta, /1 min read/);
    assert.match(meta, /1 comment/);
    const tags = summary.find('.tag-links a');
    assert.deepEqual(tags.map((_index, element) => [[squash(summary.find(element).text()), summary.find(element).attr('href')]]).get(), [
      ['Asia', '/tags/asia'],
      ['Foreign Policy', '/tags/foreign-policy'],
    ]);
  });

  it('shows a bundled figure image by its hashed name with its size, and an upload by its own address', async () => {
    await insertArticle(database.db, {
      slug: 'uploaded-figure',
      figure_image: '/media/0123456789abcdef0123456789abcdef.jpg',
      figure_alt: 'A harbour at dawn',
      published_at: new Date('2022-06-01T00:00:00Z'),
    });
    await insertArticle(database.db, { slug: 'no-figure', figure_image: null });
    const page = await home();
    const demo = page(`.post-summary:has(a[href="${DEMO_PATH}"]) .post-summary__figure img`);
    assert.equal(demo.attr('src'), assetPath('images/video-call.svg'));
    assert.equal(demo.attr('width'), '1200');
    assert.equal(demo.attr('height'), '675');
    assert.match(demo.attr('alt') ?? '', /two leaders/);

    const upload = summaryOf(page, '/articles/uploaded-figure').find('.post-summary__figure img');
    assert.equal(upload.attr('src'), '/media/0123456789abcdef0123456789abcdef.jpg');
    assert.equal(upload.attr('alt'), 'A harbour at dawn');
    assert.equal(upload.attr('loading'), 'lazy', 'below the first summary, images wait until scrolled to');
    assert.equal(upload.attr('width'), undefined, 'no size is made up for an upload the media library does not know');
    assert.equal(summaryOf(page, '/articles/no-figure').find('.post-summary__figure').length, 0);
  });
});

describe('GET / — pages of the list', () => {
  it('links the pages both visibly and with <link rel="prev"/"next">; page 1’s canonical address is /', async () => {
    for (let day = 1; day <= 20; day += 1) {
      await insertArticle(database.db, { slug: `day-${day}`, published_at: new Date(Date.UTC(2024, 4, day)) });
    }
    const first = await home('/');
    assert.equal(first('head link[rel="canonical"]').attr('href'), `${BASE}/`);
    assert.equal(first('head link[rel="next"]').attr('href'), `${BASE}/?page=2`);
    assert.equal(first('head link[rel="prev"]').length, 0);
    assert.equal(textAt(first, '.pagination .pagination__older'), 'Older articles');
    assert.equal(first('.pagination .pagination__newer').length, 0);
    assert.equal(first('.post-summary').length, 10);

    const second = await home('/?page=2');
    assert.equal(second('head link[rel="canonical"]').attr('href'), `${BASE}/?page=2`);
    assert.equal(second('head link[rel="prev"]').attr('href'), `${BASE}/`);
    assert.equal(second('head link[rel="next"]').attr('href'), `${BASE}/?page=3`);
    assert.equal(second('.pagination a.pagination__newer').attr('href'), '/');
    assert.equal(second('.pagination a.pagination__older').attr('href'), '/?page=3');

    const last = await home('/?page=3');
    assert.equal(last('.post-summary').length, 1, 'twenty articles and the demo: one on the third page');
    assert.equal(last('head link[rel="next"]').length, 0);
    assert.equal(last('head link[rel="prev"]').attr('href'), `${BASE}/?page=2`);
    assert.equal(textAt(last, '.pagination__page'), 'Page 3 of 3');
  });

  it('shows none of the rel links on a list of one page', async () => {
    const page = await home();
    assert.equal(page('head link[rel="prev"], head link[rel="next"]').length, 0);
    assert.equal(page('.pagination').length, 0);
  });
});

/** An upload stored as the media library stores one: the full size and a narrower copy. */
async function storeUpload(hash: string): Promise<string> {
  const [media] = await database
    .db('media')
    .insert({ hash, source_hash: hash.repeat(2), ext: 'jpg', width: 1600, height: 900, byte_size: 1000, original_name: 'harbour.jpg' })
    .returning<Array<{ id: string }>>('id');
  await database.db('media_variants').insert([
    { media_id: media!.id, width: 1600, height: 900, bytes: Buffer.from('full') },
    { media_id: media!.id, width: 800, height: 450, bytes: Buffer.from('half') },
  ]);
  return `/media/${hash}.jpg`;
}

describe('an uploaded figure image, with the size and widths the media library knows', () => {
  it('has width, height and srcset on the home page and on the article page', async () => {
    const hash = 'abcdef0123456789abcdef0123456789';
    const image = await storeUpload(hash);
    await insertArticle(database.db, {
      slug: 'harbour',
      body: 'One.\n\nTwo.',
      figure_image: image,
      figure_alt: 'A harbour at dawn',
      figure_caption: 'The harbour',
    });
    const srcset = `/media/${hash}.jpg 1600w, /media/${hash}-800.jpg 800w`;
    const onHome = summaryOf(await home(), '/articles/harbour').find('.post-summary__figure img');
    const article = parsePage((await request(buildTestApp(database.db)).get('/articles/harbour').expect(200)).text);
    const onArticle = article('article figure img');
    for (const img of [onHome, onArticle]) {
      assert.equal(img.attr('src'), image);
      assert.equal(img.attr('width'), '1600');
      assert.equal(img.attr('height'), '900');
      assert.equal(img.attr('srcset')?.split(', ').sort().join(', '), srcset.split(', ').sort().join(', '));
      assert.ok(img.attr('sizes'), 'srcset comes with sizes');
      assert.equal(img.attr('alt'), 'A harbour at dawn');
    }
    assert.equal(squash(article('article figure figcaption').text()), 'The harbour');
  });
});

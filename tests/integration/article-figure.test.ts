import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import request from 'supertest';
import * as addArticleFigureImage from '../../migrations/20261129_11_add_article_figure_image.js';
import type { Database } from '../../src/platform/db/connection.js';
import { demoArticleFile, seedDemoArticle } from '../../src/platform/db/seed-demo.js';
import { assetPath } from '../../src/platform/http/static-assets.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { DEMO_SLUG, inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, type Page } from '../helpers/html.js';
import { insertArticle } from '../helpers/rows.js';

const database = useTestDatabase();
const DEMO_ALT = 'Illustration: two leaders facing each other across a split-screen video call';

async function articlePage(path = DEMO_PATH): Promise<Page> {
  const response = await request(buildTestApp(database.db)).get(path).expect(200);
  return parsePage(response.text);
}

async function figureOf(slug: string) {
  return database.db('articles').select('figure_image', 'figure_alt', 'figure_caption').where({ slug }).first();
}

/** The demo article's front matter with some fields changed, as a file of its own. */
async function demoArticleWith(change: (frontMatter: string) => string): Promise<{ file: string; cleanUp: () => Promise<void> }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'seed-'));
  const file = path.join(folder, 'article.md');
  const source = await readFile(demoArticleFile, 'utf8');
  const end = source.indexOf('\n---', 4);
  await writeFile(file, change(source.slice(0, end)) + source.slice(end));
  return { file, cleanUp: () => rm(folder, { recursive: true, force: true }) };
}

describe('the article figure, per article', () => {
  it('is read from the demo article’s front matter', async () => {
    assert.deepEqual(await figureOf(DEMO_SLUG), {
      figure_image: '/images/video-call.svg',
      figure_alt: DEMO_ALT,
      figure_caption: 'Source: seungyeon kim',
    });
  });

  it('shows the article’s own image by its hashed name, with its size and alt text, and the caption', async () => {
    const page = await articlePage();
    const figure = page('article .entry-content > figure');
    assert.equal(figure.length, 1);
    const image = figure.find('img');
    assert.equal(image.attr('src'), assetPath('images/video-call.svg'));
    assert.match(image.attr('src') ?? '', /^\/images\/video-call\.[0-9a-f]{8}\.svg$/);
    assert.equal(image.attr('alt'), DEMO_ALT);
    assert.equal(image.attr('width'), '1200');
    assert.equal(image.attr('height'), '675');
    assert.equal(squash(figure.find('figcaption').text()), 'Source: seungyeon kim');
  });

  it('shows another article’s image and alt text, not the demo’s', async () => {
    await insertArticle(database.db, { slug: 'with-a-picture', body: 'One.\n\nTwo.\n\nThree.' });
    await database.db('articles').where({ slug: 'with-a-picture' }).update({
      figure_image: '/images/favicon-sized.png',
      figure_alt: 'A chart of export volumes',
      figure_caption: null,
      figure_after_paragraph: 2,
    });
    const page = await articlePage('/articles/with-a-picture');
    const blocks = page('article .entry-content')
      .children()
      .map((_index, element) => element.tagName)
      .get();
    assert.deepEqual(blocks, ['p', 'p', 'figure', 'p']);
    const image = page('article figure img');
    assert.equal(image.attr('src'), '/images/favicon-sized.png', 'a file public/ does not hold keeps its plain path');
    assert.equal(image.attr('alt'), 'A chart of export volumes');
    assert.equal(image.attr('width'), undefined, 'no size is made up for an image the site cannot read');
    assert.equal(page('article figcaption').length, 0, 'no empty caption');
  });

  it('shows a caption alone as a figure, an empty alt as a decorative image, and nothing when there is neither', async () => {
    await insertArticle(database.db, { slug: 'caption-only' });
    await database.db('articles').where({ slug: 'caption-only' }).update({ figure_caption: 'Photo: agency' });
    let page = await articlePage('/articles/caption-only');
    assert.equal(page('article figure img').length, 0);
    assert.equal(squash(page('article figure figcaption').text()), 'Photo: agency');

    await database.db('articles').where({ slug: 'caption-only' }).update({ figure_image: '/images/video-call.svg', figure_alt: '' });
    page = await articlePage('/articles/caption-only');
    assert.equal(page('article figure img').attr('alt'), '', 'decorative: an empty alt, not a missing one');

    await insertArticle(database.db, { slug: 'no-figure' });
    page = await articlePage('/articles/no-figure');
    assert.equal(page('article figure').length, 0);
  });

  it('is refused by the database unless it is a path under /images/ with alt text', async () => {
    for (const image of [
      '/etc/passwd',
      'images/x.svg',
      '/images/../package.json',
      '/images/.env',
      '/images/a/../b.svg',
      'https://example.com/x.png',
      '/images/',
    ]) {
      await assert.rejects(
        database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: image }),
        /articles_figure_image_check/,
        image,
      );
    }
    await assert.rejects(
      database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: '/images/x.svg', figure_alt: null }),
      /articles_figure_alt_check/,
    );
    await assert.rejects(
      database
        .db('articles')
        .where({ slug: DEMO_SLUG })
        .update({ figure_alt: 'x'.repeat(1001) }),
      /articles_figure_alt_length_check/,
    );
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: '/images/charts/2023-exports.v2.png' });
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: null, figure_alt: null });
  });
});

describe('the figure migration and the seed', () => {
  it('has a down that removes both columns and an up that brings them back', async () => {
    const columns = async (db: Database) => Object.keys(await db('articles').columnInfo());
    await inRolledBackTransaction(database.db, async (trx) => {
      await addArticleFigureImage.down(trx);
      const after = await columns(trx);
      assert.ok(!after.includes('figure_image') && !after.includes('figure_alt'), after.join(', '));
      await addArticleFigureImage.up(trx);
      const again = await columns(trx);
      assert.ok(again.includes('figure_image') && again.includes('figure_alt'));
    });
    assert.ok((await columns(database.db)).includes('figure_image'));
  });

  it('gives a demo article stored before figures had images its image, once, and never overwrites one that has it', async () => {
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: null, figure_alt: null });
    assert.equal(await seedDemoArticle(database.db), false, 'the article is not inserted again');
    assert.deepEqual(await figureOf(DEMO_SLUG), {
      figure_image: '/images/video-call.svg',
      figure_alt: DEMO_ALT,
      figure_caption: 'Source: seungyeon kim',
    });
    const page = await articlePage();
    assert.equal(page('article figure img').attr('src'), assetPath('images/video-call.svg'));

    await database.db('articles').where({ slug: DEMO_SLUG }).update({ figure_image: '/images/other.svg', figure_alt: 'Another picture' });
    await seedDemoArticle(database.db);
    assert.equal((await figureOf(DEMO_SLUG)).figure_image, '/images/other.svg');
  });

  it('refuses front matter with an image outside /images/, or an image without alt text, naming the field', async () => {
    const outside = await demoArticleWith((front) =>
      front.replace('figure_image: /images/video-call.svg', 'figure_image: ../package.json'),
    );
    await assert.rejects(seedDemoArticle(database.db, outside.file), /figure_image must be a path under \/images\//);
    await outside.cleanUp();
    const noAlt = await demoArticleWith((front) => front.replace(/^figure_alt:.*\n/m, ''));
    await assert.rejects(seedDemoArticle(database.db, noAlt.file), /figure_image needs figure_alt/);
    await noAlt.cleanUp();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { publishDueArticles } from '../../src/articles/article-queries.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { ImportRefused, importWordpress, type WordpressImportOptions } from '../../src/moving/wordpress-import.js';
import { buildTestApp, untilListening } from '../helpers/app.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';
import * as wordpressOrigins from '../../migrations/20261207_32_wordpress_origins.js';
import { parsePage, squash } from '../helpers/html.js';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();
const fixture = (name: string) => path.join(projectRoot, 'tests/fixtures/wxr', name);
const THEME_DATA = fixture('theme-unit-test-data.xml');
const SITE = 'https://wpthemetestdata.wordpress.com';
const folder = mkdtempSync(path.join(tmpdir(), 'wordpress-import-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const options = (overrides: Partial<WordpressImportOptions> = {}): WordpressImportOptions => ({
  dryRun: false,
  skipPages: false,
  withPingbacks: false,
  mapAuthor: {},
  ...overrides,
});

/** The export cut after its first `items` items and closed again: a run interrupted after them. */
function firstItemsOf(items: number): string {
  const text = readFileSync(THEME_DATA, 'utf8');
  let at = 0;
  for (let n = 0; n < items; n++) at = text.indexOf('</item>', at) + '</item>'.length;
  const file = path.join(folder, `first-${items}.xml`);
  writeFileSync(file, `${text.slice(0, at)}\n</channel>\n</rss>\n`);
  return file;
}

/** What the import stored, to compare runs. */
async function snapshot() {
  const db = testDb.db;
  const articles = await db('articles').whereNotNull('source_site').orderBy('source_id').select('source_id', 'slug', 'status', 'title');
  const comments = await db('comments as c')
    .leftJoin('comments as p', 'p.id', 'c.parent_id')
    .whereNotNull('c.source_site')
    .orderBy('c.source_id')
    .select('c.source_id', 'c.status', 'p.source_id as parent', 'c.body');
  const paths = await db('article_legacy_paths').count<Array<{ n: string }>>({ n: '*' });
  const tags = await db('article_tags').count<Array<{ n: string }>>({ n: '*' });
  return { articles, comments, paths: Number(paths[0]!.n), tags: Number(tags[0]!.n) };
}

const countBy = async (table: string, column: string) => {
  const rows: Array<Record<string, string>> = await testDb
    .db(table)
    .whereNotNull('source_site')
    .groupBy(column)
    .select(column)
    .count({ n: '*' });
  return Object.fromEntries(rows.map((row) => [row[column], Number(row.n)]));
};

describe('importing the Theme Unit Test export', () => {
  it('brings in posts, pages and comments, counted per kind and status', async () => {
    const summary = await importWordpress(testDb.db, THEME_DATA, options());
    assert.deepEqual(summary.lines, [
      '79 articles',
      '58 posts: 55 published, 1 scheduled, 2 drafts',
      '21 pages: 21 published',
      '1 password-protected post imported as a draft (never public)',
      '29 comments: 26 approved, 3 pending',
      '10 replies in threads',
      '4 pingbacks skipped',
      '37 attachments skipped',
      '70 menu items skipped',
      '146 images still loaded from other sites (never fetched)',
      '2 problems (listed below)',
    ]);
    assert.deepEqual(summary.skipped, []);
    assert.deepEqual(await countBy('articles', 'status'), { published: 76, scheduled: 1, draft: 2 });
    assert.deepEqual(await countBy('articles', 'source_kind'), { post: 58, page: 21 });
    assert.deepEqual(await countBy('comments', 'status'), { approved: 26, pending: 3 });
    const counts: Array<{ status: string; n: string }> = await testDb
      .db('comment_counts as k')
      .join('articles as a', 'a.id', 'k.article_id')
      .whereNotNull('a.source_site')
      .groupBy('k.status')
      .select('k.status')
      .sum({ n: 'k.count' });
    assert.deepEqual(Object.fromEntries(counts.map((row) => [row.status, Number(row.n)])), { approved: 26, pending: 3 });
    const imported = await testDb.db('comments').whereNotNull('source_site').first('imported_from', 'source_site');
    assert.deepEqual(imported, { imported_from: 'wordpress', source_site: SITE });
  });

  it('keeps WordPress dates, authors, excerpts, comment status, tags and old paths', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const db = testDb.db;
    const post = await db('articles').where({ source_site: SITE, source_id: '1148' }).first();
    assert.equal(post.slug, 'template-comments');
    assert.equal(post.published_at.toISOString(), '2012-01-03T17:11:37.000Z');
    assert.equal(post.author_name, 'Theme Buster');
    assert.equal(post.body_format, 'html');
    assert.equal(post.comments_open, true);
    const closed = await db('articles').where({ source_site: SITE, source_id: '1150' }).first('comments_open');
    assert.equal(closed.comments_open, false);
    const excerpt = await db('articles').where({ source_site: SITE, source_id: '993' }).first('excerpt', 'summary');
    assert.match(excerpt.excerpt, /^This is a user-defined post excerpt/);
    const paths = await db('article_legacy_paths').where({ article_id: post.id }).orderBy('path').pluck('path');
    assert.deepEqual(paths, ['/2012/01/03/template-comments/', '/2012/01/template-comments/', '/template-comments/']);
    const greek = await db('articles').where({ source_site: SITE, source_id: '1813' }).first('id', 'slug');
    assert.equal(greek.slug, 'epipedo-3');
    assert.ok((await db('article_legacy_paths').where({ article_id: greek.id }).pluck('path')).includes('/greek/επίπεδο-2/επίπεδο-3/'));
    const manyTags = await db('article_tags as at')
      .join('articles as a', 'a.id', 'at.article_id')
      .where('a.source_id', '1151')
      .count({ n: '*' });
    assert.equal(Number(manyTags[0]!.n), 30);
  });

  it('shows a reply under its parent, the site’s own reply marked, and no commenter’s e-mail anywhere public', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const db = testDb.db;
    const idOf = async (sourceId: string) =>
      (await db('comments').where({ source_site: SITE, source_id: sourceId }).first('id')).id as string;
    const [parent, reply] = [await idOf('904'), await idOf('905')];
    assert.equal((await db('comments').where({ id: reply }).first('parent_id')).parent_id, parent);
    const app = buildTestApp(db);
    const page = parsePage((await request(app).get('/articles/template-comments').expect(200)).text);
    assert.equal(page(`#comment-${parent} #comment-${reply}`).length, 1);
    const emails = await db('comments').whereNotNull('source_site').whereNot('author_email', '').distinct().pluck('author_email');
    assert.ok(emails.length > 5);
    const slugs = await db('articles').whereNotNull('source_site').whereIn('id', db('comments').select('article_id')).pluck('slug');
    for (const address of [
      '/',
      '/feed.xml',
      ...slugs.flatMap((slug: string) => [`/articles/${slug}`, `/articles/${slug}/comments/feed.xml`]),
    ]) {
      const response = await request(app).get(address);
      for (const email of emails) assert.ok(!response.text.includes(email), `${email} on ${address}`);
    }
  });

  it('keeps the scheduled post, the draft and the password-protected post out of public view', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const app = buildTestApp(testDb.db);
    await request(app).get('/articles/draft').expect(404);
    await request(app).get('/articles/template-password-protected').expect(404);
    await request(app).get('/articles/scheduled').expect(404);
    // Its time comes: the scheduler publishes it.
    await testDb
      .db('articles')
      .where({ slug: 'scheduled' })
      .update({ published_at: new Date(Date.now() - 1000) });
    await publishDueArticles(testDb.db);
    const page = parsePage((await request(app).get('/articles/scheduled').expect(200)).text);
    assert.match(squash(page('main').text()), /This post is scheduled to be published in the future/);
  });

  it('keeps a CDATA-heavy body intact', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const app = buildTestApp(testDb.db);
    const page = parsePage((await request(app).get('/articles/markup-html-tags-and-formatting').expect(200)).text);
    const text = squash(page('main').text());
    assert.match(text, /Headings/);
    assert.ok(page('main blockquote').length > 0);
    assert.ok(page('main pre').length > 0);
    assert.ok(page('main table').length === 0 || page('main table td').length > 0);
  });
});

describe('running an import again', () => {
  it('adds nothing the second time', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const first = await snapshot();
    const summary = await importWordpress(testDb.db, THEME_DATA, options());
    assert.deepEqual(await snapshot(), first);
    assert.deepEqual(summary.lines.slice(0, 2), ['0 articles', '0 comments']);
    assert.ok(summary.lines.includes('79 articles already imported'));
    assert.ok(summary.lines.includes('29 comments already imported'));
  });

  it('completes an interrupted run without duplicates or holes', async () => {
    await importWordpress(testDb.db, THEME_DATA, options());
    const whole = await snapshot();
    await testDb.db('articles').whereNotNull('source_site').delete();
    await testDb.db('tags').delete();
    await importWordpress(testDb.db, firstItemsOf(60), options());
    const partial = await snapshot();
    assert.ok(partial.articles.length > 0 && partial.articles.length < whole.articles.length);
    await importWordpress(testDb.db, THEME_DATA, options());
    const resumed = await snapshot();
    assert.deepEqual(
      resumed.articles.map((article) => article.source_id),
      whole.articles.map((article) => article.source_id),
    );
    assert.deepEqual(resumed.comments, whole.comments);
    assert.equal(resumed.paths, whole.paths);
  });

  it('changes nothing in a dry run, and reports the same counts', async () => {
    const before = await snapshot();
    const dry = await importWordpress(testDb.db, THEME_DATA, options({ dryRun: true }));
    assert.deepEqual(await snapshot(), before);
    const real = await importWordpress(testDb.db, THEME_DATA, options());
    assert.deepEqual(dry.lines.slice(1), real.lines.slice(1));
    assert.equal(dry.lines[0], '79 articles would be imported');
    assert.deepEqual(dry.problems, real.problems);
  });
});

describe('import options', () => {
  it('skips pages with skipPages, brings pingbacks with withPingbacks', async () => {
    const summary = await importWordpress(testDb.db, THEME_DATA, options({ skipPages: true, withPingbacks: true }));
    assert.ok(summary.lines.includes('21 pages skipped'));
    assert.ok(summary.lines.includes('4 pingbacks and trackbacks imported as comments'));
    assert.deepEqual(await countBy('articles', 'source_kind'), { post: 58 });
    // The 24 comments on posts (5 more are on pages) and the 4 pingbacks and trackbacks.
    assert.equal(
      await testDb
        .db('comments')
        .whereNotNull('source_site')
        .count({ n: '*' })
        .then((rows) => Number(rows[0]!.n)),
      28,
    );
  });

  it('credits a mapped author to an existing account, and refuses a mapping to nobody', async () => {
    const account = await createAdmin(testDb.db, 'buster', 'a long enough password 123', { displayName: 'Buster Here' });
    await importWordpress(testDb.db, THEME_DATA, options({ mapAuthor: { themedemos: 'buster' } }));
    const post = await testDb.db('articles').where({ source_site: SITE, source_id: '1148' }).first('author_id', 'author_name');
    assert.deepEqual(post, { author_id: account.id, author_name: 'Buster Here' });
    await assert.rejects(importWordpress(testDb.db, THEME_DATA, options({ mapAuthor: { themedemos: 'nobody' } })), ImportRefused);
  });
});

describe('a small export with its namespaces under other prefixes', () => {
  it('imports it, threads what it can and skips the bad item with its reason', async () => {
    await saveDiscussionSettings(testDb.db, { ...(await loadDiscussionSettings(testDb.db)), timeZone: 'Europe/London' }, null);
    const summary = await importWordpress(testDb.db, fixture('prefix-rebound.xml'), options());
    assert.deepEqual(summary.skipped, [{ item: 'post 11 “Odd Status” (line 112)', reason: 'unknown status “sideways”' }]);
    assert.ok(summary.problems.some((problem) => /its parent 77 is not in the export/.test(problem)));
    const site = 'https://small.example';
    const post = await testDb.db('articles').where({ source_site: site, source_id: '10' }).first();
    assert.deepEqual([post.slug, post.comments_open, post.excerpt], ['cafe-notes', false, 'The excerpt.']);
    assert.match(post.body_html, /array\[a\[i\]\]&gt; and x &lt; y &amp; z\./);
    const tags = await testDb
      .db('tags as t')
      .join('article_tags as at', 'at.tag_id', 't.id')
      .where('at.article_id', post.id)
      .orderBy('t.slug')
      .pluck('t.name');
    assert.deepEqual(tags, ['Café', 'Notes']);
    const privatePost = await testDb.db('articles').where({ source_site: site, source_id: '12' }).first('status', 'published_at', 'slug');
    // Without a GMT date, the local date in the site's time zone (summer time in London).
    assert.deepEqual(privatePost, { status: 'draft', published_at: new Date('2014-07-01T09:30:00Z'), slug: 'private-thoughts' });
    const page = await testDb.db('articles').where({ source_site: site, source_id: '13' }).first('id', 'body', 'source_kind');
    assert.deepEqual([page.body, page.source_kind], ['<p>A block paragraph.</p>', 'page']);
    assert.ok((await testDb.db('article_legacy_paths').where({ article_id: page.id }).pluck('path')).includes('/parent-page/child-page/'));
    const comments = await testDb
      .db('comments')
      .where({ source_site: site })
      .orderBy('source_id')
      .select('source_id', 'status', 'parent_id', 'is_site_reply', 'author_email', 'author_url', 'ip', 'body');
    assert.deepEqual(
      comments.map((c) => [c.source_id, c.status, c.parent_id !== null, c.is_site_reply, c.author_email, c.author_url, c.ip]),
      [
        ['1', 'approved', false, false, 'grace@reader.example', 'https://grace.example/', '192.0.2.10'],
        ['3', 'approved', true, true, 'ada@small.example', '', '2001:db8::1'],
        ['4', 'spam', false, false, '', '', null],
      ],
    );
    assert.equal(comments[0].body, 'Lovely & clear.\n\nSee my post (https://grace.example/post).');
  });
});

describe('the page cache', () => {
  it('shows imported articles and comments on pages it already holds', async () => {
    const app = buildTestApp(testDb.db);
    await untilListening(testDb.db);
    for (let time = 0; time < 2; time += 1) {
      assert.doesNotMatch((await request(app).get('/').expect(200)).text, /Split CDATA/);
    }
    await importWordpress(testDb.db, fixture('prefix-rebound.xml'), options());
    assert.match(squash(parsePage((await request(app).get('/').expect(200)).text)('main').text()), /Brackets & Split CDATA/);
    for (let time = 0; time < 2; time += 1) {
      assert.doesNotMatch((await request(app).get('/articles/cafe-notes').expect(200)).text, /Another Blog/);
    }
    // Run again with pingbacks: the one new comment joins the article already there.
    await importWordpress(testDb.db, fixture('prefix-rebound.xml'), options({ withPingbacks: true }));
    assert.match((await request(app).get('/articles/cafe-notes').expect(200)).text, /Another Blog/);
  });
});

describe('refused files', () => {
  for (const [name, message] of [
    ['entities.xml', /declares entities/],
    ['unknown-version.xml', /unknown WXR version/],
    ['not-wxr.xml', /not a WordPress export/],
    ['not-xml.txt', /not well-formed XML at line/],
    ['truncated.xml', /truncated/],
  ] as const) {
    it(`refuses ${name} and imports nothing`, async () => {
      const before = await snapshot();
      await assert.rejects(importWordpress(testDb.db, fixture(name), options()), (error: unknown) => {
        assert.ok(error instanceof ImportRefused);
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(await snapshot(), before);
      assert.equal(before.articles.length, 0);
    });
  }
});

describe('migration 32: WordPress origins', () => {
  it('adds the source columns and the legacy paths table, and its down removes them', async () => {
    const columns = async (trx: typeof testDb.db) =>
      (
        await trx('information_schema.columns')
          .whereIn('column_name', ['source_site', 'source_id', 'source_kind', 'imported_from'])
          .pluck('table_name')
      ).sort();
    const legacyPaths = async (trx: typeof testDb.db) => (await trx('pg_tables').where({ tablename: 'article_legacy_paths' })).length;
    assert.deepEqual(await columns(testDb.db), ['articles', 'articles', 'articles', 'comments', 'comments', 'comments']);
    await inRolledBackTransaction(testDb.db, async (trx) => {
      await wordpressOrigins.down(trx);
      assert.deepEqual([await columns(trx), await legacyPaths(trx)], [[], 0]);
      await wordpressOrigins.up(trx);
      assert.deepEqual([(await columns(trx)).length, await legacyPaths(trx)], [6, 1]);
    });
  });
});

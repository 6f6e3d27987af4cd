import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { SaxesParser } from 'saxes';
import { writeWordpressExport } from '../../src/moving/wordpress-export.js';
import { adminApp, signInAdmin } from '../helpers/admin.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, textAt } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { seedSite } from '../helpers/moving-seed.js';
import { projectProgram } from '../helpers/project-program.js';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();
const BASE_URL = 'https://blog.example.org';

/** Fails unless `xml` is well-formed (saxes is a strict, namespace-aware parser). */
function assertWellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  let failure: Error | null = null;
  parser.on('error', (error) => (failure ??= error));
  parser.write(xml).close();
  assert.equal(failure, null, `the export is not well-formed XML: ${String(failure)}`);
}

const readXml = (xml: string) => cheerio.load(xml, { xml: true });

/** tools/export.ts …, as `npm run export -- …` runs it (from the code the tests run from, rather than through tsx), against the test database. */
function runExportCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', BASE_URL };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, projectProgram('tools/export.ts', ...args), {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The export written by the library into memory. */
async function exportToString(options: { baseUrl?: string; timeZone?: string } = {}): Promise<string> {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  await writeWordpressExport(testDb.db, out, {
    baseUrl: options.baseUrl ?? BASE_URL,
    siteName: 'Broadsheet',
    timeZone: options.timeZone ?? 'UTC',
    now: new Date('2026-12-07T10:00:00Z'),
  });
  return chunks.join('');
}

describe('npm run export -- wordpress', () => {
  it('writes a WXR 1.2 file of every article and comment to standard output', async () => {
    const site = await seedSite(testDb.db);
    const result = await runExportCli(['wordpress']);
    assert.equal(result.code, 0, result.stderr);
    assertWellFormed(result.stdout);
    const $ = readXml(result.stdout);
    assert.equal($('channel > wp\\:wxr_version').text(), '1.2');
    assert.equal($('channel > wp\\:base_site_url').text(), BASE_URL);
    assert.equal($('channel > wp\\:base_blog_url').text(), BASE_URL);
    // The demo article and the five seeded ones, drafts, scheduled and trash included.
    assert.equal($('item').length, 6);
    assert.equal($('wp\\:comment').length, 7);
    const statuses = $('item')
      .map((_i, item) => $(item).children('wp\\:status').text())
      .get()
      .sort();
    assert.deepEqual(statuses, ['draft', 'future', 'publish', 'publish', 'publish', 'trash']);
    const markdown = $('item').filter((_i, item) => $(item).children('wp\\:post_id').text() === site.articles.markdown);
    assert.equal(markdown.children('link').text(), `${BASE_URL}/articles/the-markdown-one`);
    assert.match(result.stderr, /Exported 6 articles and 7 comments/);
  });

  it('refuses anything but `wordpress` with the usage', async () => {
    const result = await runExportCli(['joomla']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Usage: npm run export -- wordpress/);
  });
});

describe('the WXR file', () => {
  it('carries each article as WordPress lays out a post', async () => {
    const site = await seedSite(testDb.db);
    const $ = readXml(await exportToString({ timeZone: 'Europe/Paris' }));
    const item = $('item').filter((_i, node) => $(node).children('wp\\:post_id').text() === site.articles.markdown);
    const field = (name: string) => item.children(name.replace(':', '\\:')).text();
    assert.equal(field('title'), 'The Markdown one: <tags> & “quotes”');
    assert.equal(field('dc:creator'), 'ada');
    assert.equal(field('pubDate'), 'Sun, 10 Mar 2024 08:30:15 +0000');
    assert.equal(field('wp:post_date_gmt'), '2024-03-10 08:30:15');
    assert.equal(field('wp:post_date'), '2024-03-10 09:30:15');
    assert.equal(field('wp:post_name'), 'the-markdown-one');
    assert.equal(field('wp:status'), 'publish');
    assert.equal(field('wp:post_type'), 'post');
    assert.equal(field('wp:comment_status'), 'open');
    assert.equal(field('excerpt:encoded'), 'A hand-written excerpt.');
    const stored = await testDb.db('articles').where({ id: site.articles.markdown }).first();
    assert.equal(field('content:encoded'), stored.body_html);
    assert.match(field('content:encoded'), /<code>\]\]&gt;<\/code>/);
    const tags = item
      .children('category')
      .map((_i, node) => `${$(node).attr('domain')} ${$(node).attr('nicename')} ${$(node).text()}`)
      .get();
    assert.deepEqual(tags, ['post_tag asia Asia', 'post_tag foreign-policy Foreign Policy']);
    const meta = Object.fromEntries(
      item
        .children('wp\\:postmeta')
        .map((_i, node) => [[$(node).children('wp\\:meta_key').text(), $(node).children('wp\\:meta_value').text()]])
        .get() as Array<[string, string]>,
    );
    assert.deepEqual(meta, {
      _broadsheet_format: 'markdown',
      _broadsheet_markdown: stored.body,
      _broadsheet_figure_image: '/images/seed-figure.jpg',
      _broadsheet_figure_alt: 'A duck on a pond',
      _broadsheet_figure_caption: 'Source: a pond',
      _broadsheet_figure_after_paragraph: '2',
    });
    const html = $('item').filter((_i, node) => $(node).children('wp\\:post_id').text() === site.articles.html);
    assert.equal(html.children('dc\\:creator').text(), 'guest-writer');
    assert.equal(html.children('wp\\:comment_status').text(), 'closed');
    assert.equal(html.children('wp\\:postmeta').length, 1, 'an HTML article says its format, and has no Markdown');
    const draft = $('item').filter((_i, node) => $(node).children('wp\\:post_id').text() === site.articles.draft);
    assert.equal(draft.children('wp\\:post_date_gmt').text(), '0000-00-00 00:00:00');
    // Every author an item names is in the channel's wp:author list.
    const logins = $('channel > wp\\:author > wp\\:author_login')
      .map((_i, node) => $(node).text())
      .get();
    for (const creator of $('item > dc\\:creator')
      .map((_i, node) => $(node).text())
      .get())
      assert.ok(logins.includes(creator), creator);
    const guest = $('channel > wp\\:author').filter((_i, node) => $(node).children('wp\\:author_login').text() === 'guest-writer');
    assert.equal(guest.children('wp\\:author_display_name').text(), 'Guest Writer');
  });

  it('carries every comment with its status, parent, address and the site’s own replies', async () => {
    const site = await seedSite(testDb.db);
    const $ = readXml(await exportToString());
    const comment = (id: string) => {
      const node = $('wp\\:comment').filter((_i, element) => $(element).children('wp\\:comment_id').text() === id);
      assert.equal(node.length, 1, `comment ${id} is in the file once`);
      return (name: string) => node.children(`wp\\:${name}`).text();
    };
    const top = comment(site.comments.top);
    assert.equal(top('comment_author'), 'Grace Hopper');
    assert.equal(top('comment_author_email'), 'grace@example.net');
    assert.equal(top('comment_author_url'), 'https://grace.example.net/');
    assert.equal(top('comment_author_IP'), '198.51.100.7');
    assert.equal(top('comment_date_gmt'), '2024-03-11 09:01:07');
    assert.equal(top('comment_approved'), '1');
    assert.equal(top('comment_parent'), '0');
    assert.equal(top('comment_user_id'), '0');
    assert.equal(
      top('comment_content'),
      'First paragraph of a comment.\n\nSecond one, with &lt;b&gt;not a tag&lt;/b&gt; &amp; an ampersand, and ]]&gt; too.',
    );
    const reply = comment(site.comments.siteReply);
    assert.equal(reply('comment_parent'), site.comments.top);
    const ada = await testDb.db('users').where({ username: 'ada' }).first();
    assert.equal(reply('comment_user_id'), String(ada.id));
    assert.equal(comment(site.comments.deepReply)('comment_parent'), site.comments.siteReply);
    assert.equal(comment(site.comments.deepReply)('comment_author_IP'), '2001:db8::7');
    assert.equal(comment(site.comments.pending)('comment_approved'), '0');
    assert.equal(comment(site.comments.spam)('comment_approved'), 'spam');
    assert.equal(comment(site.comments.trashed)('comment_approved'), 'trash');
    // Each comment sits in its own article's item.
    const onHtml = $('wp\\:comment').filter((_i, element) => $(element).children('wp\\:comment_id').text() === site.comments.onHtml);
    assert.equal(onHtml.parent().children('wp\\:post_id').text(), site.articles.html);
  });

  it('drops characters XML cannot carry and splits CDATA ends, staying well-formed', async () => {
    const article = await insertArticle(testDb.db, { title: 'Bell\u0007 and ]]> end', body: 'Text with a \u0001 control.' });
    await insertComment(testDb.db, { article_id: article.id, body: 'A form feed\u000c here ]]> and a \uffff non-character.' });
    const xml = await exportToString();
    assertWellFormed(xml);
    const $ = readXml(xml);
    const item = $('item').filter((_i, node) => $(node).children('wp\\:post_id').text() === article.id);
    assert.equal(item.children('title').text(), 'Bell and ]]> end');
    assert.equal(item.find('wp\\:comment_content').text(), 'A form feed here ]]&gt; and a  non-character.');
  });

  it('streams thousands of comments article by article, each once, under backpressure', async () => {
    const first = await insertArticle(testDb.db, { slug: 'many-first' });
    const second = await insertArticle(testDb.db, { slug: 'many-second' });
    // More than one page of the cursor, crossing from one article to the next inside a page.
    for (const [article, count] of [
      [first.id, 1500],
      [second.id, 1200],
    ] as const) {
      await testDb.db.raw(
        `INSERT INTO comments (article_id, status, author_name, author_email, body, created_at)
         SELECT ?, 'approved', 'Reader ' || n, 'r' || n || '@example.net', 'Comment ' || n, now() FROM generate_series(1, ?) AS n`,
        [article, count],
      );
    }
    const chunks: string[] = [];
    let mostBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        setImmediate(callback);
      },
    });
    const largestChunk = () => Math.max(...chunks.map((chunk) => Buffer.byteLength(chunk)), 0);
    const watch = setInterval(() => (mostBuffered = Math.max(mostBuffered, slow.writableLength)), 0);
    const written = await writeWordpressExport(testDb.db, slow, {
      baseUrl: BASE_URL,
      siteName: 'Broadsheet',
      timeZone: 'UTC',
      now: new Date(),
    });
    clearInterval(watch);
    assert.deepEqual(written, { articles: 3, comments: 2700 });
    // The writer waits for 'drain': never more than the buffer's mark plus the chunk that crossed it.
    assert.ok(mostBuffered <= 16 * 1024 + largestChunk(), `buffered ${mostBuffered} bytes`);
    const $ = readXml(chunks.join(''));
    const countIn = (id: string) =>
      $('item')
        .filter((_i, node) => $(node).children('wp\\:post_id').text() === id)
        .find('wp\\:comment').length;
    assert.equal(countIn(first.id), 1500);
    assert.equal(countIn(second.id), 1200);
    const ids = $('wp\\:comment_id')
      .map((_i, node) => $(node).text())
      .get();
    assert.equal(new Set(ids).size, 2700);
  });
});

describe('GET /admin/export', () => {
  it('shows administrators the download, which is a streamed WXR attachment', async () => {
    await seedSite(testDb.db);
    const { admin } = await adminApp(testDb.db, 'root');
    const page = parsePage((await admin.agent.get('/admin/export').expect(200)).text);
    assert.equal(textAt(page, 'h1'), 'Export');
    assert.match(textAt(page, 'main'), /Media files are not in the file/);
    const link = page('a[href="/admin/export/download"]');
    assert.equal(link.length, 1);
    const response = await admin.agent
      .get('/admin/export/download')
      .buffer(true)
      .parse((res, callback) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => callback(null, body));
      });
    assert.equal(response.status, 200);
    assert.match(response.headers['content-type'] ?? '', /^application\/xml/);
    assert.match(response.headers['content-disposition'] ?? '', /^attachment; filename="broadsheet-\d{4}-\d{2}-\d{2}\.xml"$/);
    // Streamed: sent in chunks as it is written, with no length known ahead.
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(response.headers['content-length'], undefined);
    assert.equal(response.headers['cache-control'], 'no-store');
    const xml = response.body as string;
    assertWellFormed(xml);
    assert.equal(readXml(xml)('item').length, 6);
  });

  it('answers 403 to an editor, for the page and the file', async () => {
    const { app } = await adminApp(testDb.db, 'root');
    const editor = await signInAdmin(app, testDb.db, 'eddie');
    await testDb.db('users').where({ id: editor.user.id }).update({ role: 'editor' });
    await editor.agent.get('/admin/export').expect(403);
    const refused = await editor.agent.get('/admin/export/download').expect(403);
    assert.doesNotMatch(refused.text, /<rss/);
  });

  it('sends a signed-out visitor to the sign-in page', async () => {
    const { app } = await adminApp(testDb.db, 'root');
    const { default: request } = await import('supertest');
    const response = await request(app).get('/admin/export/download');
    assert.equal(response.status, 303);
    assert.match(response.headers.location ?? '', /^\/admin\/login/);
  });
});

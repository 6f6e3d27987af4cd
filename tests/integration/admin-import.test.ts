import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import { adminApp, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * The admin's import page: who may use it, the token before the file, the
 * upload streamed to a temporary file that is always removed, the import run
 * in a child process and followed to its summary or its fatal message.
 */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;
/** Uploads go to os.tmpdir(): a folder of this file's own, so what is left there can be checked. */
let uploadDir: string;
const previousTmpdir = process.env.TMPDIR;

before(async () => {
  uploadDir = await mkdtemp(path.join(tmpdir(), 'admin-import-test-'));
  process.env.TMPDIR = uploadDir;
});

after(async () => {
  process.env.TMPDIR = previousTmpdir;
  await rm(uploadDir, { recursive: true, force: true });
});

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db, 'chief'));
  await testDb.db('users').where({ id: admin.user.id }).update({ role: 'administrator' });
});

const SMALL_WXR = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old Blog</title>
  <link>https://old.example.com</link>
  <description>An old blog</description>
  <language>en-US</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example.com</wp:base_site_url>
  <wp:base_blog_url>https://old.example.com</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[oldwriter]]></wp:author_login><wp:author_email><![CDATA[writer@old.example.com]]></wp:author_email><wp:author_display_name><![CDATA[Old Writer]]></wp:author_display_name></wp:author>
  <item>
    <title><![CDATA[Moving day]]></title>
    <link>https://old.example.com/2019/05/04/moving-day/</link>
    <pubDate>Sat, 04 May 2019 10:00:00 +0000</pubDate>
    <dc:creator><![CDATA[oldwriter]]></dc:creator>
    <guid isPermaLink="false">https://old.example.com/?p=11</guid>
    <description></description>
    <content:encoded><![CDATA[<p>We are moving the blog.</p>]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>11</wp:post_id>
    <wp:post_date><![CDATA[2019-05-04 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2019-05-04 10:00:00]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[open]]></wp:comment_status>
    <wp:ping_status><![CDATA[open]]></wp:ping_status>
    <wp:post_name><![CDATA[moving-day]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
    <category domain="post_tag" nicename="news"><![CDATA[News]]></category>
    <wp:comment>
      <wp:comment_id>21</wp:comment_id>
      <wp:comment_author><![CDATA[Reader One]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[one@example.net]]></wp:comment_author_email>
      <wp:comment_author_url>https://one.example.net</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.1]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2019-05-04 11:00:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[2019-05-04 11:00:00]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Good luck with the move!]]></wp:comment_content>
      <wp:comment_approved><![CDATA[1]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>22</wp:comment_id>
      <wp:comment_author><![CDATA[Reader Two]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[two@example.net]]></wp:comment_author_email>
      <wp:comment_author_url></wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.2]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2019-05-04 12:00:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[2019-05-04 12:00:00]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[Seconded.]]></wp:comment_content>
      <wp:comment_approved><![CDATA[1]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>21</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
  </item>
</channel>
</rss>
`;

interface UploadOptions {
  token?: 'field' | 'header' | 'none' | 'after-file';
  fields?: Record<string, string>;
  fileName?: string;
  source?: string;
}

/** The form as a browser sends it: the token and options first, then the file. */
function upload(
  client: AdminClient,
  bytes: Buffer | null,
  { token = 'field', fields = {}, fileName = 'export.xml', source = 'wordpress' }: UploadOptions = {},
) {
  const post = client.agent.post('/admin/import');
  if (token === 'header') post.set('X-CSRF-Token', client.csrf);
  if (token === 'field') post.field('_csrf', client.csrf);
  post.field('source', source);
  for (const [name, value] of Object.entries(fields)) post.field(name, value);
  if (bytes) post.attach('file', bytes, { filename: fileName, contentType: 'text/xml' });
  if (token === 'after-file') post.field('_csrf', client.csrf);
  return post;
}

/** Follows the import's page until it stops reloading itself; returns the last page. */
async function finishedJobPage(client: AdminClient, jobPath: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await client.agent.get(jobPath).expect(200);
    if (response.headers.refresh === undefined) return response.text;
    assert.equal(response.headers.refresh, '2', 'a running import reloads its page every 2 s');
    assert.ok(Date.now() < deadline, `the import at ${jobPath} did not end within a minute:\n${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const leftInUploadDir = async () => (await readdir(uploadDir)).filter((name) => name.startsWith('broadsheet-import-'));

async function articleSlugs(): Promise<string[]> {
  const rows = await testDb.db('articles').select<{ slug: string }[]>('slug').orderBy('slug');
  return rows.map((row) => row.slug);
}

describe('GET /admin/import', () => {
  it('shows an administrator the upload form: source, options, mappings and the file field after the token', async () => {
    const response = await admin.agent.get('/admin/import').expect(200);
    const page = parsePage(response.text);
    const form = page('form[enctype="multipart/form-data"][action="/admin/import"]');
    assert.equal(form.length, 1);
    const names = form
      .find('[name]')
      .map((_, element) => page(element).attr('name'))
      .get();
    assert.deepEqual(names, ['_csrf', 'source', 'skip_pages', 'with_pingbacks', 'map_author', 'map_domain', 'dry_run', 'file']);
    assert.deepEqual(
      page('#source option')
        .map((_, option) => page(option).attr('value'))
        .get(),
      ['wordpress', 'disqus'],
    );
    assert.equal(page('nav.admin-nav a[aria-current="page"]').text(), 'Import');
  });

  for (const role of ['editor', 'author', 'moderator']) {
    it(`answers 403 to an ${role}, and the upload too, storing nothing`, async () => {
      const other = await signInAdmin(app, testDb.db, `someone-${role}`);
      await testDb.db('users').where({ id: other.user.id }).update({ role });
      const refused = await other.agent.get('/admin/import').expect(403);
      assert.match(squash(refused.text), /This needs the Administrator role/);
      await upload(other, Buffer.from(SMALL_WXR)).expect(403);
      assert.deepEqual(await leftInUploadDir(), []);
      assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
    });
  }
});

describe('POST /admin/import: refusals', () => {
  for (const token of ['none', 'after-file'] as const) {
    it(`refuses an upload with ${token === 'none' ? 'no token' : 'the token after the file'} (403) and writes nothing`, async () => {
      const response = await upload(admin, Buffer.from(SMALL_WXR), { token }).expect(403);
      assert.match(squash(response.text), /This form has expired or did not come from this site/);
      assert.deepEqual(await leftInUploadDir(), []);
      assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
    });
  }

  it('answers 413 past the size limit, naming it, with the options kept and the partial file removed', async () => {
    app.locals.importMaxBytes = 1024;
    const response = await upload(admin, Buffer.from(SMALL_WXR), { fields: { skip_pages: '1' } }).expect(413);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#file-error'), /larger than this site imports through the browser \(0\.1 MB\)/);
    assert.equal(page('#skip_pages').attr('checked'), 'checked');
    assert.deepEqual(await leftInUploadDir(), []);
    assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
  });

  it('answers 422 without a file, and for an author mapped to an account that does not exist, keeping what was typed', async () => {
    const noFile = parsePage((await upload(admin, null).expect(422)).text);
    assert.equal(textAt(noFile, '#file-error'), 'Error: Choose the export file to import.');

    const mapping = 'oldwriter=nobody-here';
    const response = await upload(admin, Buffer.from(SMALL_WXR), { fields: { map_author: mapping } }).expect(422);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#map_author-error'), /There is no account named “nobody-here” here/);
    assert.equal(page('#map_author').text(), mapping);
    assert.match(textAt(page, '#file-description'), /choose it again/);
    assert.deepEqual(await leftInUploadDir(), []);
    assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
  });
});

describe('POST /admin/import: an import run in a child process', () => {
  it('imports a small WordPress export and shows the summary with its counts; the upload is removed', async () => {
    const response = await upload(admin, Buffer.from(SMALL_WXR), { token: 'header', fileName: 'old-blog.xml' }).expect(303);
    const jobPath = response.headers.location!;
    assert.match(jobPath, /^\/admin\/import\/[A-Za-z0-9_-]{22}$/);

    const page = parsePage(await finishedJobPage(admin, jobPath));
    assert.equal(textAt(page, 'h1'), 'Import finished');
    assert.match(textAt(page, '.flash__message'), /^Imported old-blog\.xml, a WordPress export, finished /);
    const lines = page('.import-summary li')
      .map((_, line) => squash(page(line).text()))
      .get();
    assert.ok(lines.includes('1 article'), `the summary names the article: ${lines.join(' | ')}`);
    assert.ok(
      lines.some((line) => /^2 comments\b/.test(line)),
      `the summary names the comments: ${lines.join(' | ')}`,
    );

    const article = await testDb
      .db('articles')
      .where({ source_site: 'https://old.example.com', source_id: '11' })
      .first<{ id: string; title: string }>();
    assert.equal(article?.title, 'Moving day');
    const comments = await testDb
      .db('comments')
      .where({ article_id: article.id })
      .orderBy('source_id')
      .select('source_id', 'parent_id', 'author_name');
    assert.deepEqual(
      comments.map((comment: { source_id: string; author_name: string }) => [comment.source_id, comment.author_name]),
      [
        ['21', 'Reader One'],
        ['22', 'Reader Two'],
      ],
    );
    assert.deepEqual(await leftInUploadDir(), [], 'the temporary upload is removed once the import has ended');

    const stranger = await signInAdmin(app, testDb.db, 'another-admin');
    await testDb.db('users').where({ id: stranger.user.id }).update({ role: 'administrator' });
    await stranger.agent.get(jobPath).expect(404);
  });

  it('a dry run reports the counts and changes nothing', async () => {
    const response = await upload(admin, Buffer.from(SMALL_WXR), { fields: { dry_run: '1' } }).expect(303);
    const page = parsePage(await finishedJobPage(admin, response.headers.location!));
    assert.equal(textAt(page, 'h1'), 'Dry run finished: nothing was changed');
    assert.ok(page('.import-summary li').length > 0);
    assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
    assert.equal(Number((await testDb.db('comments').count<{ count: string }[]>({ count: '*' }))[0]!.count), 0);
  });

  it('a Disqus export runs the Disqus importer, its options passed on, and its summary lists the threads it skipped', async () => {
    const disqus = await readFile(path.join(projectRoot, 'tests/fixtures/disqus/export.xml'));
    const fields = { dry_run: '1', map_domain: 'old.example.com=new.example.com' };
    const response = await upload(admin, disqus, { source: 'disqus', fields, fileName: 'disqus.xml' }).expect(303);
    const page = parsePage(await finishedJobPage(admin, response.headers.location!));
    assert.equal(textAt(page, 'h1'), 'Dry run finished: nothing was changed');
    assert.match(textAt(page, '.flash__message'), /^Checked disqus\.xml, a Disqus export, finished /);
    assert.ok(page('.import-summary li').length > 0);
    assert.equal(Number((await testDb.db('comments').count<{ count: string }[]>({ count: '*' }))[0]!.count), 0);
  });

  it('a malformed file ends with the fatal message, and nothing is imported', async () => {
    const truncated = SMALL_WXR.slice(0, SMALL_WXR.indexOf('<wp:comment>') + 40);
    const response = await upload(admin, Buffer.from(truncated), { fileName: 'broken.xml' }).expect(303);
    const page = parsePage(await finishedJobPage(admin, response.headers.location!));
    assert.equal(textAt(page, 'h1'), 'The file could not be imported');
    assert.ok(textAt(page, '.flash__message').length > 0, 'the importer’s message is shown');
    assert.match(squash(page('main').text()), /broken\.xml, a WordPress export: nothing was imported\./);
    assert.deepEqual(await articleSlugs(), [DEMO_SLUG]);
    assert.equal(Number((await testDb.db('comments').count<{ count: string }[]>({ count: '*' }))[0]!.count), 0);
    assert.deepEqual(await leftInUploadDir(), []);
  });
});

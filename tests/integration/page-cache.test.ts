import assert from 'node:assert/strict';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import { pageCacheOf } from '../../src/app.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { articleTag } from '../../src/platform/page-cache/page-cache.js';
import { adminApp } from '../helpers/admin.js';
import { buildTestApp, untilListening } from '../helpers/app.js';
import { DEMO_SLUG, queriesDuring, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';
import { articleIdOf, insertComment } from '../helpers/rows.js';
import { capturedLog } from '../helpers/security.js';

const context = useTestDatabase();
const PATH = `/articles/${DEMO_SLUG}`;
/** The remember-me cookies as the site sets them: all three, the website possibly empty. */
const REMEMBERED = 'comment_author=Ada; comment_author_email=ada%40example.org; comment_author_url=';
const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'a-production-session-secret-of-forty-chars!' };

before(() => untilListening(context.db));

/** The page with its per-response values taken out, so two responses can be compared. */
function withoutFormTokens(html: string): string {
  const fields = formFields(parsePage(html));
  return html.replace(fields.submission_id!, '').replace(fields.rendered_at!, '');
}

/** A GET over a real socket, the body exactly as sent (supertest and fetch would decompress it). */
async function rawGet(app: Express, path: string, headers: Record<string, string> = {}) {
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

/** Every header helmet sets, read from a response that went through it. */
function helmetHeaders(headers: Record<string, string>): Record<string, string> {
  const names = [
    'content-security-policy',
    'cross-origin-opener-policy',
    'cross-origin-resource-policy',
    'origin-agent-cluster',
    'referrer-policy',
    'strict-transport-security',
    'x-content-type-options',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-frame-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ];
  return Object.fromEntries(names.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]!]));
}

describe('cached pages for anonymous readers', () => {
  it('serves the second view from the cache without a single query, with its own submission id and stamp', async () => {
    const app = buildTestApp(context.db);
    const first = await request(app).get(PATH).set('Accept-Encoding', 'identity').expect(200);
    let second!: request.Response;
    const queries = await queriesDuring(context.db, async () => {
      second = await request(app).get(PATH).set('Accept-Encoding', 'identity').expect(200);
    });
    assert.deepEqual(queries, []);
    assert.deepEqual([first.headers['x-page-cache'], second.headers['x-page-cache']], ['miss', 'hit']);
    const [a, b] = [formFields(parsePage(first.text)), formFields(parsePage(second.text))];
    assert.notEqual(a.submission_id, b.submission_id, 'every response carries a fresh submission id');
    assert.match(b.submission_id!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(b.rendered_at!, /^\d+\.[\w-]+$/);
    assert.equal(withoutFormTokens(second.text), withoutFormTokens(first.text));
    assert.equal(second.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Number(second.headers['content-length']), Buffer.byteLength(second.text));
  });

  it('hands a page too large for the cache to the readers who waited for its render, instead of rendering it for each', async () => {
    const app = buildTestApp(context.db, {}, { pageCacheBytes: 1000 });
    // Holding the comments keeps the first render from finishing until all three readers are in.
    const lock = await context.db.transaction();
    let responses: request.Response[];
    try {
      await lock.raw('LOCK TABLE comments IN ACCESS EXCLUSIVE MODE');
      const readers = [1, 2, 3].map(() =>
        request(app)
          .get(PATH)
          .set('Accept-Encoding', 'identity')
          .then((response) => response),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lock.rollback();
      responses = await Promise.all(readers);
    } finally {
      if (!lock.isCompleted()) await lock.rollback();
    }
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200],
    );
    assert.deepEqual(responses.map((response) => response.headers['x-page-cache']).sort(), ['miss', 'shared', 'shared']);
    assert.equal(
      new Set(responses.map((response) => formFields(parsePage(response.text)).submission_id)).size,
      3,
      'fresh form tokens each',
    );
    assert.equal(new Set(responses.map((response) => withoutFormTokens(response.text))).size, 1);
    assert.equal(pageCacheOf(app).size, 0, 'nothing kept');

    const later = await request(app).get(PATH).expect(200);
    assert.equal(later.headers['x-page-cache'], 'miss', 'with no render under way, a reader renders it again');
  });

  it('renders again for those who waited when the page changed during the render', async () => {
    const app = buildTestApp(context.db, {}, { pageCacheBytes: 1000 });
    const articleId = await articleIdOf(context.db, DEMO_SLUG);
    const lock = await context.db.transaction();
    let responses: request.Response[];
    try {
      await lock.raw('LOCK TABLE comments IN ACCESS EXCLUSIVE MODE');
      const first = request(app)
        .get(PATH)
        .then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 150));
      // The change is heard while the first render waits; the second reader arrives after it.
      pageCacheOf(app).invalidate(articleTag(articleId));
      const second = request(app)
        .get(PATH)
        .then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await lock.rollback();
      responses = await Promise.all([first, second]);
    } finally {
      if (!lock.isCompleted()) await lock.rollback();
    }
    assert.deepEqual(
      responses.map((response) => response.headers['x-page-cache']),
      ['miss', 'miss'],
      'the first render began before the change',
    );
  });

  it('caches the home page per page number, the same for commenters, without a query on a hit', async () => {
    const app = buildTestApp(context.db);
    const first = await request(app).get('/').expect(200);
    let hits: request.Response[] = [];
    const queries = await queriesDuring(context.db, async () => {
      hits = [
        await request(app).get('/').expect(200),
        await request(app).get('/?page=1').expect(200),
        await request(app).get('/').set('Cookie', REMEMBERED).expect(200),
        await request(app).get('/?page=1&utm_source=x').expect(200),
      ];
    });
    assert.deepEqual(queries, []);
    assert.equal(first.headers['x-page-cache'], 'miss');
    for (const hit of hits) {
      assert.equal(hit.headers['x-page-cache'], 'hit');
      assert.equal(hit.text, first.text);
    }
    await request(app).get('/?page=2').expect(404);
  });

  it('answers HEAD from the cache: the same headers, no body', async () => {
    const app = buildTestApp(context.db);
    const full = await request(app).get(PATH).set('Accept-Encoding', 'identity').expect(200);
    const head = await request(app).head(PATH).set('Accept-Encoding', 'identity').expect(200);
    assert.equal(head.headers['x-page-cache'], 'hit');
    assert.equal(head.headers['content-length'], full.headers['content-length']);
    assert.equal(head.headers.etag, full.headers.etag);
    assert.equal(head.text, undefined);
  });

  it('keeps every security header helmet sets, and gives each response its own request id', async () => {
    for (const environment of [{}, PRODUCTION]) {
      const app = buildTestApp(context.db, environment);
      const personal = await request(app).get(PATH).set('Cookie', REMEMBERED).expect(200);
      const expected = helmetHeaders(personal.headers);
      assert.ok(Object.keys(expected).length >= 11, 'the reference response went through helmet');
      await request(app).get(PATH).expect(200);
      const hit = await request(app).get(PATH).expect(200);
      const notModified = await request(app).get(PATH).set('If-None-Match', hit.headers.etag!).expect(304);
      for (const response of [hit, notModified]) {
        assert.equal(response.headers['x-page-cache'], 'hit');
        assert.deepEqual(helmetHeaders(response.headers), expected);
        assert.match(response.headers['x-request-id']!, /^[0-9a-f-]{36}$/);
      }
      assert.notEqual(hit.headers['x-request-id'], notModified.headers['x-request-id']);
    }
  });

  it('logs a hit as the request log logs a miss: one line with its request id, path, status and time', async () => {
    const log = capturedLog();
    const app = buildTestApp(context.db, {}, { logger: log.logger });
    const miss = await request(app).get(PATH).expect(200);
    const hit = await request(app).get(PATH).expect(200);
    const notModified = await request(app).get(PATH).set('If-None-Match', hit.headers.etag!).expect(304);
    const lines = log.lines().filter((line) => line.msg === 'request completed');
    assert.deepEqual(
      lines.map((line) => [line.level, line.req, line.res]),
      [miss, hit, notModified].map((response) => [
        30,
        { id: response.headers['x-request-id'], method: 'GET', path: PATH },
        { status: response.status },
      ]),
    );
    assert.ok(lines.every((line) => typeof line.responseTime === 'number'));
  });

  it('never serves the shared cache to a commenter, and marks their page private', async () => {
    const app = buildTestApp(context.db);
    await request(app).get(PATH).expect(200);
    const remembered = await request(app).get(PATH).set('Cookie', REMEMBERED).expect(200);
    assert.equal(remembered.headers['x-page-cache'], undefined);
    assert.equal(remembered.headers['cache-control'], 'private, no-cache');
    assert.equal(remembered.headers.etag, undefined);
    assert.match(remembered.text, /value="Ada"/);
  });

  it('serves requests with unknown query parameters or junk commenter cookies from the cache, without a query', async () => {
    const app = buildTestApp(context.db);
    const first = await request(app).get(PATH).expect(200);
    assert.equal(first.headers['x-page-cache'], 'miss');
    const junk = [
      { query: '?utm_source=newsletter&fbclid=abc', cookie: '' },
      { query: `?nocache=${'9'.repeat(40)}`, cookie: '' },
      { query: '?replytocom=not-an-id', cookie: '' },
      { query: '', cookie: 'broadsheet_pending=s%3A12.forged-signature' },
      { query: '', cookie: 'broadsheet_pending=12' },
      { query: '', cookie: 'comment_author=Mallory' },
      { query: '?x=1', cookie: 'comment_author=Mallory; comment_author_email=nope; comment_author_url=' },
    ];
    let responses: request.Response[] = [];
    const queries = await queriesDuring(context.db, async () => {
      responses = [];
      for (const { query, cookie } of junk) {
        const test = request(app).get(`${PATH}${query}`);
        responses.push(await (cookie ? test.set('Cookie', cookie) : test).expect(200));
      }
    });
    assert.deepEqual(queries, [], 'no request rendered or asked the database');
    for (const [index, response] of responses.entries()) {
      assert.equal(response.headers['x-page-cache'], 'hit', JSON.stringify(junk[index]));
      assert.equal(withoutFormTokens(response.text), withoutFormTokens(first.text));
      assert.doesNotMatch(response.text, /Mallory/, 'a junk cookie prefills nothing');
    }
  });

  it('keys the article page by the parameter its route declares: replytocom', async () => {
    const app = buildTestApp(context.db);
    const comment = await insertComment(context.db, { author_name: 'Grace' });
    const plain = await request(app).get(PATH).expect(200);
    const replying = await request(app).get(`${PATH}?replytocom=${comment}&utm_source=x`).expect(200);
    assert.equal(replying.headers['x-page-cache'], 'miss', 'a reply form is a page of its own');
    assert.match(parsePage(replying.text)('#reply-title').text(), /Reply to Grace/);
    assert.doesNotMatch(parsePage(plain.text)('#reply-title').text(), /Grace/);
    const again = await request(app).get(`${PATH}?utm_medium=y&replytocom=${comment}`).expect(200);
    assert.equal(again.headers['x-page-cache'], 'hit');
    assert.equal(withoutFormTokens(again.text), withoutFormTokens(replying.text));
    assert.equal(formFields(parsePage(again.text)).parent_id, comment);
    assert.equal((await request(app).get(PATH).expect(200)).headers['x-page-cache'], 'hit');
  });

  it('renders a page once for many readers arriving together', async () => {
    const app = buildTestApp(context.db);
    await insertComment(context.db, { body: 'Rendered once.' });
    let responses: request.Response[] = [];
    const queries = await queriesDuring(context.db, async () => {
      responses = await Promise.all(Array.from({ length: 8 }, () => request(app).get(PATH)));
    });
    assert.ok(responses.every((response) => response.status === 200 && response.text.includes('Rendered once.')));
    // The text of the comments (a paged discussion reads their outline first, then the page's comments).
    const commentReads = queries.filter((sql) => /from "comments"/.test(sql) && /"status" = /.test(sql) && /"body"/.test(sql));
    assert.equal(commentReads.length, 1, `one render read the comments, not ${commentReads.length}`);
  });
});

describe('conditional requests', () => {
  it('answers If-None-Match with 304 while the page is the same, and 200 once it changed', async () => {
    const app = buildTestApp(context.db);
    const first = await request(app).get(PATH).expect(200);
    const etag = first.headers.etag!;
    assert.match(etag, /^W\/"[\w-]+"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    for (const condition of [etag, etag.slice(2), `"other", ${etag}`, '*']) {
      const response = await request(app).get(PATH).set('If-None-Match', condition).expect(304);
      assert.equal(response.text, '');
      assert.equal(response.headers.etag, etag);
      assert.equal(response.headers['content-length'], undefined);
    }
    await request(app).get(PATH).set('If-None-Match', '"other"').expect(200);

    await insertComment(context.db, { body: 'A change.' });
    const changed = await request(app).get(PATH).set('If-None-Match', etag).expect(200);
    assert.notEqual(changed.headers.etag, etag);
    assert.match(changed.text, /A change\./);
  });

  it('answers If-Modified-Since with 304 for a copy as new as the page, when no ETag is asked about', async () => {
    let now = Date.now();
    const app = buildTestApp(context.db, {}, { now: () => now });
    // Hears the tables emptied before this test, then reads the page in a later
    // second: one read in the same second as a change cannot vouch for older copies.
    await request(app).get('/').expect(200);
    now += 2000;
    const first = await request(app).get(PATH).expect(200);
    const lastModified = first.headers['last-modified']!;
    assert.equal(Date.parse(lastModified), Math.floor(now / 1000) * 1000);
    await request(app).get(PATH).set('If-Modified-Since', lastModified).expect(304);
    await request(app)
      .get(PATH)
      .set('If-Modified-Since', new Date(now + 60_000).toUTCString())
      .expect(304);
    await request(app)
      .get(PATH)
      .set('If-Modified-Since', new Date(Date.parse(lastModified) - 1000).toUTCString())
      .expect(200);
    await request(app).get(PATH).set('If-Modified-Since', 'yesterday').expect(200);
    await request(app).get(PATH).set('If-Modified-Since', lastModified).set('If-None-Match', '"other"').expect(200);

    await insertComment(context.db, { body: 'Changed within the second.' });
    const changed = await request(app).get(PATH).set('If-Modified-Since', lastModified).expect(200);
    assert.match(changed.text, /Changed within the second\./);
    const again = await request(app).get(PATH).set('If-Modified-Since', changed.headers['last-modified']!).expect(200);
    assert.equal(again.headers['x-page-cache'], 'hit', 'a hit, but its date cannot tell copies of this second apart');
  });
});

describe('compression', () => {
  it('sends the article page gzipped, decompressing to the same page with fresh values each time', async () => {
    const app = buildTestApp(context.db);
    await insertComment(context.db, { body: 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.' });
    const plain = await rawGet(app, PATH);
    const pages: string[] = [];
    for (const acceptEncoding of ['gzip, deflate, br, zstd', 'gzip', 'gzip, deflate, br, zstd']) {
      const zipped = await rawGet(app, PATH, { 'Accept-Encoding': acceptEncoding });
      assert.equal(zipped.headers['content-encoding'], 'gzip', 'brotli cannot carry per-response values');
      assert.equal(zipped.headers.vary, 'Accept-Encoding');
      assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
      assert.ok(zipped.body.length < plain.body.length / 3, `${zipped.body.length} bytes for ${plain.body.length}`);
      pages.push(zlib.gunzipSync(zipped.body).toString());
    }
    for (const page of pages) assert.equal(withoutFormTokens(page), withoutFormTokens(plain.body.toString()));
    assert.equal(new Set(pages.map((page) => formFields(parsePage(page)).submission_id)).size, 3);
    const identity = await rawGet(app, PATH, { 'Accept-Encoding': 'br' });
    assert.equal(identity.headers['content-encoding'], undefined);
    assert.equal(identity.headers.vary, 'Accept-Encoding');
  });

  it('sends the home page as brotli or gzip, both decompressing to the very bytes', async () => {
    const app = buildTestApp(context.db);
    const plain = await rawGet(app, '/');
    const brotli = await rawGet(app, '/', { 'Accept-Encoding': 'gzip, deflate, br' });
    const gzip = await rawGet(app, '/', { 'Accept-Encoding': 'gzip;q=1, br;q=0.5' });
    assert.deepEqual([brotli.headers['content-encoding'], gzip.headers['content-encoding']], ['br', 'gzip']);
    assert.deepEqual(zlib.brotliDecompressSync(brotli.body), plain.body);
    assert.deepEqual(zlib.gunzipSync(gzip.body), plain.body);
    assert.equal(brotli.headers.etag, plain.headers.etag);
  });
});

describe('every change a reader could see empties the cache at once', () => {
  async function primed(app: Express, path = PATH) {
    await request(app).get(path).expect(200);
    assert.equal((await request(app).get(path).expect(200)).headers['x-page-cache'], 'hit');
  }

  async function afterChange(app: Express, path = PATH): Promise<string> {
    const response = await request(app).get(path).expect(200);
    assert.equal(response.headers['x-page-cache'], 'miss', `${path} was not rendered again`);
    return response.text;
  }

  const shows = (html: string, id: string) => new RegExp(`id="comment-${id}"`).test(html);

  it('approve, unapprove, spam and trash in the queue', async () => {
    const reader = buildTestApp(context.db);
    const { admin } = await adminApp(context.db);
    const id = await insertComment(context.db, { status: 'pending', body: 'Moderate me.' });
    for (const [status, visible] of [
      ['approved', true],
      ['pending', false],
      ['approved', true],
      ['spam', false],
      ['approved', true],
      ['trash', false],
    ] as const) {
      await primed(reader);
      await primed(reader, '/');
      await admin.post(`/admin/comments/${id}/status`, { status }).expect(303);
      assert.equal(shows(await afterChange(reader), id), visible, `after ${status}`);
      assert.match(await afterChange(reader, '/'), visible ? /1 comment</ : /No comments</, 'the count on the home page');
    }
  });

  it('an edit and a reply by a moderator', async () => {
    const reader = buildTestApp(context.db);
    const { admin } = await adminApp(context.db);
    const id = await insertComment(context.db, { body: 'Words as first written.' });
    await primed(reader);
    await admin
      .post(`/admin/comments/${id}/edit`, { comment: 'Words as edited.', author: 'Reader', email: 'reader@example.net', url: '' })
      .expect(303);
    assert.match(await afterChange(reader), /Words as edited\./);
    await primed(reader);
    await admin.post(`/admin/comments/${id}/reply`, { comment: 'Thanks, from the site.' }).expect(303);
    assert.match(await afterChange(reader), /Thanks, from the site\./);
  });

  it('a settings change', async () => {
    const reader = buildTestApp(context.db);
    await insertComment(context.db, { body: 'With an avatar.' });
    await primed(reader);
    assert.match((await request(reader).get(PATH)).text, /\/avatars\//);
    await saveDiscussionSettings(context.db, { ...DEFAULT_DISCUSSION_SETTINGS, showAvatars: false }, null);
    assert.doesNotMatch(await afterChange(reader), /\/avatars\//);
  });

  it('an article edited, closed, published and unpublished', async () => {
    const reader = buildTestApp(context.db);
    const articleId = await articleIdOf(context.db);
    await primed(reader);
    await primed(reader, '/');
    await context.db('articles').where({ id: articleId }).update({ title: 'A Retitled Article' });
    assert.match(await afterChange(reader), /<h1[^>]*>A Retitled Article<\/h1>/);
    assert.match(await afterChange(reader, '/'), /A Retitled Article/);

    await primed(reader);
    await context.db('articles').where({ id: articleId }).update({ comments_open: false });
    assert.doesNotMatch(await afterChange(reader), /id="commentform"/);

    await context.db('articles').insert({
      slug: 'a-second-article',
      title: 'A Second Article',
      author_name: 'Kareem Salem',
      body: 'Drafted.',
      status: 'draft',
    });
    await primed(reader, '/');
    await request(reader).get('/articles/a-second-article').expect(404);
    await context
      .db('articles')
      .where({ slug: 'a-second-article' })
      .update({ status: 'published', published_at: new Date(Date.now() - 60_000) });
    assert.match(await afterChange(reader, '/'), /A Second Article/);
    await primed(reader, '/articles/a-second-article');
    await context.db('articles').where({ slug: 'a-second-article' }).update({ status: 'draft' });
    await request(reader).get('/articles/a-second-article').expect(404);
    assert.doesNotMatch(await afterChange(reader, '/'), /A Second Article/);
  });
});

describe('pages that go stale with no write at all', () => {
  it('an article scheduled to appear shows on the home page when its time comes', async () => {
    const app = buildTestApp(context.db);
    await context.db('articles').insert({
      slug: 'scheduled',
      title: 'Scheduled To Appear',
      author_name: 'Kareem Salem',
      body: 'Soon.',
      status: 'published',
      published_at: new Date(Date.now() + 1200),
    });
    await request(app).get('/').expect(200);
    assert.doesNotMatch((await request(app).get('/').expect(200)).text, /Scheduled To Appear/);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const later = await request(app).get('/').expect(200);
    assert.equal(later.headers['x-page-cache'], 'miss');
    assert.match(later.text, /Scheduled To Appear/);
  });

  it('an article page shows its comments closed once the article is old enough', async () => {
    let now = Date.now();
    const app = buildTestApp(context.db, {}, { now: () => now });
    await saveDiscussionSettings(context.db, { ...DEFAULT_DISCUSSION_SETTINGS, closeOldArticles: true, closeAfterDays: 1 }, null);
    await context.db('articles').update({ published_at: new Date(now - 24 * 60 * 60 * 1000 + 60_000) });
    await request(app).get(PATH).expect(200);
    assert.match((await request(app).get(PATH).expect(200)).text, /id="commentform"/);
    now += 61_000;
    const closed = await request(app).get(PATH).expect(200);
    assert.equal(closed.headers['x-page-cache'], 'miss');
    assert.doesNotMatch(closed.text, /id="commentform"/);
    assert.match(closed.text, /Comments are closed\./);
  });
});

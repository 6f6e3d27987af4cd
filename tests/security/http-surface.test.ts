import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../src/platform/db/connection.js';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { APP_ORIGIN, COMMENTS_PATH, DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';
import {
  appWith,
  assertSecurityHeaders,
  attackHarness,
  databaseWithoutTables,
  listening,
  rawExchange,
  sendBytes,
} from '../helpers/security.js';

/**
 * The site as a web server: what a path can reach under public/, which
 * methods each address takes (and that nothing lets a request pretend to be
 * another method), and the security headers on every kind of response.
 */

const database = useTestDatabase();
let app: Express;

beforeEach(() => {
  app = buildTestApp(database.db);
});

/** Sent byte for byte: supertest would resolve `..` before sending. */
const getRaw = (path: string, target = app) => sendBytes(target, { method: 'GET', path });

describe('path traversal and dotfiles under public/ are 404', () => {
  const paths = [
    '/css/../../package.json',
    '/css/../../.gitignore',
    '/css/..%2f..%2fpackage.json',
    '/css/..%2F..%2F.ci%2Frun',
    '/css/%2e%2e/%2e%2e/package.json',
    '/css/%2e%2e%2f%2e%2e%2fpackage.json',
    '/css/%252e%252e/%252e%252e/package.json',
    '/css/..%5c..%5cpackage.json',
    '/css/..\\..\\package.json',
    '/css/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
    '/css/....//....//package.json',
    '/js/../../src/config.ts',
    '/images/..%00/..%00/package.json',
    '/css/site.css%00.txt',
    '/css/.hidden',
    '/css/.htaccess',
    '/.env',
    '/.git/config',
    '/js/%2e%67it/config',
    '/package.json',
    '/src/config.ts',
    '/data/secrets.json',
    '/views/articles/article.ejs',
    '/node_modules/express/package.json',
  ];
  for (const path of paths) {
    it(path, async () => {
      const response = await getRaw(path);
      assert.ok([400, 404].includes(response.status), `${path}: ${response.status}`);
      assert.doesNotMatch(response.text, /"name": "broadsheet"|\[core\]|process\.env|SESSION_SECRET/, 'no file content leaked');
      assertSecurityHeaders(response.headers, path);
    });
  }

  it('the real stylesheet is served (the control case), with the security headers', async () => {
    const response = await request(app).get('/css/site.css').expect(200);
    assert.match(response.headers['content-type'] ?? '', /^text\/css/);
    assertSecurityHeaders(response.headers, '/css/site.css');
  });
});

describe('method override has no effect', () => {
  let admin: AdminClient;
  let comment: string;

  beforeEach(async () => {
    admin = await signInAdmin(app, database.db);
    comment = await insertComment(database.db, { status: 'spam' });
  });

  const current = async () => database.db('comments').where({ id: comment }).first<{ status: string } | undefined>();

  it('_method=DELETE in a form is an unknown field: refused, the comment stays', async () => {
    const response = await admin.post(`/admin/comments/${comment}/status`, { status: 'spam', _method: 'DELETE' });
    assert.equal(response.status, 400);
    assert.equal((await current())?.status, 'spam');
  });

  it('_method=POST in a GET query string does not run a POST route', async () => {
    const response = await admin.agent.get(`/admin/comments/${comment}/delete?_method=POST&_csrf=${encodeURIComponent(admin.csrf)}`);
    assert.equal(response.status, 405);
    assert.equal(response.headers.allow, 'POST');
    assert.equal((await current())?.status, 'spam');
  });

  for (const header of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
    it(`${header} is ignored in both directions`, async () => {
      const asGet = await request(app).get(DEMO_PATH).set(header, 'DELETE');
      assert.equal(asGet.status, 200);
      const asDelete = await admin.agent.get(`/admin/comments/${comment}/delete`).set(header, 'POST');
      assert.equal(asDelete.status, 405);
      const post = await admin.post(`/admin/comments/${comment}/status`, { status: 'trash' }).set(header, 'GET');
      assert.equal(post.status, 303, 'a POST is handled as the POST it is');
      assert.equal((await current())?.status, 'trash');
      await admin.post(`/admin/comments/${comment}/status`, { status: 'spam' }).expect(303);
    });
  }
});

describe('unknown and unexpected methods get 405 with Allow', () => {
  const cases: Array<[string, string, string]> = [
    ['PROPFIND', DEMO_PATH, 'GET, HEAD'],
    ['PATCH', DEMO_PATH, 'GET, HEAD'],
    ['PUT', COMMENTS_PATH, 'POST'],
    ['DELETE', '/comments/1', 'GET, HEAD'],
    ['PROPPATCH', '/admin/comments/1/status', 'POST'],
    ['MKCOL', '/feed.xml', 'GET, HEAD'],
    ['LOCK', '/admin/login', 'GET, HEAD, POST'],
    ['TRACE', '/', 'GET, HEAD'],
    ['SEARCH', '/admin/comments', 'GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    it(`${method} ${path}`, async () => {
      const response = await sendBytes(app, { method, path });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.allow, allow);
      assertSecurityHeaders(response.headers, `${method} ${path}`);
    });
  }

  it('a method Node does not know is refused by the server (400), never reaching the app', async () => {
    const server = await listening(app);
    try {
      const response = await rawExchange(server.port, `FOO${'O'.repeat(20)} / HTTP/1.1\r\nHost: x\r\n\r\n`, {
        chunk: Buffer.alloc(0),
        count: 0,
        intervalMs: 0,
      });
      assert.equal(response.status, 400);
    } finally {
      await server.close();
    }
  });
});

describe('security headers on every response', () => {
  let broken: Database;
  before(() => {
    broken = databaseWithoutTables();
  });
  after(() => broken.destroy());

  /** One response of each kind the site sends. */
  async function everyKindOfResponse(environment: NodeJS.ProcessEnv = {}) {
    const harness = attackHarness(database.db, environment);
    const target = harness.app;
    const faulty = appWith(broken, { environment });
    const agent = request.agent(target);
    await agent.get(DEMO_PATH);
    const cached = await agent.get(DEMO_PATH);
    const etag = cached.headers.etag;
    const responses: Record<string, { status: number; headers: Record<string, unknown> }> = {
      'a page': await request(target).get('/'),
      'a cached page': cached,
      'a 304': await request(target)
        .get(DEMO_PATH)
        .set('If-None-Match', etag ?? '*'),
      'a HEAD': await request(target).head(DEMO_PATH),
      'a feed': await request(target).get('/feed.xml'),
      'robots.txt': await request(target).get('/robots.txt'),
      'a static file': await request(target).get('/css/site.css'),
      'a missing static file': await request(target).get('/css/nothing.css'),
      'a redirect': await request(target).get('/admin'),
      'a 400 (undecodable path)': await request(target).get('/articles/%E0%A4%A'),
      'a 403 (cross-site form)': await request(target)
        .post(COMMENTS_PATH)
        .set('Origin', 'https://evil.example')
        .type('form')
        .send('comment=x'),
      'a 404': await request(target).get('/no/such/page'),
      'a 405': await request(target).delete(DEMO_PATH),
      'a 413': await request(target)
        .post(COMMENTS_PATH)
        .set('Origin', APP_ORIGIN)
        .type('form')
        .send(`comment=${'x'.repeat(1_100_000)}`),
      'a 415': await request(target).post(COMMENTS_PATH).set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-16').send('x'),
      'a 422': await harness.post({ email: 'nope' }),
      'a 500': await request(faulty).get(DEMO_PATH),
    };
    return responses;
  }

  it('outside production: CSP, nosniff, Referrer-Policy, no X-Powered-By, no HSTS', async () => {
    const responses = await everyKindOfResponse();
    for (const [name, response] of Object.entries(responses)) assertSecurityHeaders(response.headers, `${name} (${response.status})`);
    assert.equal(responses['a cached page']!.headers['x-page-cache'], 'hit', 'the cached fast path was covered');
    assert.equal(responses['a 304']!.status, 304);
    assert.equal(responses['a 500']!.status, 500);
    assert.equal(responses['a 413']!.status, 413);
  });

  it('in production: the same, plus HSTS on every one of them', async () => {
    const environment = { NODE_ENV: 'production', SESSION_SECRET: 'a-production-secret-that-is-long-enough-0123' };
    const responses = await everyKindOfResponse(environment);
    for (const [name, response] of Object.entries(responses)) {
      assertSecurityHeaders(response.headers, `${name} (${response.status}, production)`, { hsts: true });
    }
    assert.doesNotMatch(
      String((responses['a 500'] as unknown as { text: string }).text),
      /at .+\.(ts|js):\d+/,
      'no stack trace in production',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';

const context = useTestDatabase();
const ARTICLE = `/articles/${DEMO_SLUG}`;

function assertSecurityHeaders(headers: Record<string, string>) {
  assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/);
  assert.match(headers['content-security-policy'] ?? '', /base-uri 'none'/);
  assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin');
  assert.equal(headers['x-powered-by'], undefined);
}

describe('HTTP basics', () => {
  it('answers a known address with an unknown method 405 and says what is allowed', async () => {
    const app = buildTestApp(context.db);
    const response = await request(app).delete(ARTICLE).expect(405);
    assert.equal(response.headers.allow, 'GET, HEAD');
    assert.match(response.text, /Method not allowed/);
    const login = await request(app).put('/admin/login').expect(405);
    assert.equal(login.headers.allow, 'GET, HEAD, POST');
    await request(app).delete('/no/such/page').expect(404);
  });

  it('tags every response with a request id', async () => {
    const response = await request(buildTestApp(context.db)).get('/').expect(200);
    assert.match(response.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('tells staff pages, and only them, how long the server took (Server-Timing)', async () => {
    const app = buildTestApp(context.db);
    for (const path of ['/admin/login', '/admin/comments']) {
      const timing = String((await request(app).get(path)).headers['server-timing']);
      assert.match(timing, /^app;dur=\d+\.\d$/, path);
      assert.ok(Number(timing.slice('app;dur='.length)) >= 0, path);
    }
    for (const path of ['/', ARTICLE, '/feed.xml', '/no/such/page']) {
      assert.equal((await request(app).get(path)).headers['server-timing'], undefined, path);
    }
  });

  it('sends the security headers on pages, error pages and static files', async () => {
    const app = buildTestApp(context.db);
    for (const path of [ARTICLE, '/no/such/page', '/css/site.css', '/css/nothing.css']) {
      assertSecurityHeaders((await request(app).get(path)).headers);
    }
  });

  it('refuses dotfiles and path tricks under public/', async () => {
    const app = buildTestApp(context.db);
    await request(app).get('/css/../../package.json').expect(404);
    await request(app).get('/css/%2e%2e/%2e%2e/package.json').expect(404);
    await request(app).get('/css/.hidden').expect(404);
    await request(app).get('/package.json').expect(404);
  });
});

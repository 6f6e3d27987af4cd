import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import { assetPath, buildAssetManifest, serveStaticAssets } from '../../src/platform/http/static-assets.js';
import { publicDir } from '../../src/platform/paths.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';

const database = useTestDatabase();
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SITE_CSS = readFileSync(path.join(publicDir, 'css/site.css'), 'utf8');

/** The router alone, with a marker answering whatever it lets through. */
function assetsOnly(production: boolean, manifest = undefined as ReturnType<typeof buildAssetManifest> | undefined) {
  const app = express();
  app.use(serveStaticAssets({ production, manifest }));
  app.use((_req, res) => void res.status(404).type('text').send('fell through'));
  return app;
}

/** The whole site behind the router, as app.ts mounts it. */
function siteWithAssets() {
  const app = express();
  app.use(serveStaticAssets({ production: false }));
  app.use(buildTestApp(database.db));
  return app;
}

describe('serveStaticAssets: hashed names', () => {
  it('serves a file under its hashed name, cached for a year as immutable, with its type', async () => {
    const response = await request(assetsOnly(true)).get(assetPath('css/site.css')).expect(200);
    assert.equal(response.headers['cache-control'], IMMUTABLE);
    assert.match(response.headers['content-type'] ?? '', /^text\/css/);
    assert.equal(response.text, SITE_CSS);
    const script = await request(assetsOnly(false)).get(assetPath('js/site.js')).expect(200);
    assert.equal(script.headers['cache-control'], IMMUTABLE, 'in development too: the name changes with the content');
    assert.match(script.headers['content-type'] ?? '', /javascript/);
    const image = await request(assetsOnly(true)).get(assetPath('images/video-call.svg')).expect(200);
    assert.equal(image.headers['content-type'], 'image/svg+xml');
  });

  it('answers a repeat request with the same ETag 304, and HEAD without a body', async () => {
    const app = assetsOnly(true);
    const first = await request(app).get(assetPath('css/site.css')).expect(200);
    const etag = first.headers.etag;
    assert.match(etag ?? '', /^"[0-9a-f]{8}"$/);
    const again = await request(app).get(assetPath('css/site.css')).set('If-None-Match', etag!).expect(304);
    assert.equal(again.text, '');
    const head = await request(app).head(assetPath('css/site.css')).expect(200);
    assert.equal(head.headers['cache-control'], IMMUTABLE);
    assert.equal(head.text, undefined);
  });

  it('serves a hash that is no longer current as the current file, briefly cached, for pages from another release', async () => {
    const stale = assetPath('css/site.css').replace(/\.[0-9a-f]{8}\.css$/, '.00000000.css');
    const response = await request(assetsOnly(true)).get(stale).expect(200);
    assert.equal(response.text, SITE_CSS);
    assert.equal(response.headers['cache-control'], 'public, max-age=600');
  });
});

describe('serveStaticAssets: plain names', () => {
  it('still serves /css/site.css, for ten minutes in production and revalidated every time in development', async () => {
    const production = await request(assetsOnly(true)).get('/css/site.css').expect(200);
    assert.equal(production.headers['cache-control'], 'public, max-age=600');
    assert.equal(production.text, SITE_CSS);
    const development = await request(assetsOnly(false)).get('/css/site.css').expect(200);
    assert.equal(development.headers['cache-control'], 'no-cache');
  });

  it('answers /favicon.ico, which browsers ask for whatever the page links, with the site’s icon', async () => {
    const response = await request(assetsOnly(true)).get('/favicon.ico').expect(200);
    assert.equal(response.headers['content-type'], 'image/svg+xml');
    assert.equal(response.body.toString(), readFileSync(path.join(publicDir, 'favicon.svg'), 'utf8'));
    await request(assetsOnly(true)).get(assetPath('favicon.svg')).expect(200).expect('Cache-Control', IMMUTABLE);
  });
});

describe('serveStaticAssets: what it refuses', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'assets-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'css'));
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'css', 'a.css'), 'a {}');
  writeFileSync(path.join(root, 'css', '.secret.css'), 'secret');
  writeFileSync(path.join(root, '.env'), 'SECRET=1');
  writeFileSync(path.join(root, '.git', 'config'), '[core]');
  const app = assetsOnly(true, buildAssetManifest(root));

  it('never serves a dotfile or anything in a dot-folder, by any name', async () => {
    for (const url of ['/.env', '/.git/config', '/css/.secret.css', '/css/.secret.00000000.css', '/.env.00000000']) {
      const response = await request(app).get(url);
      assert.equal(response.text, 'fell through', url);
    }
  });

  it('lets path tricks and unknown names fall through, never reaching the disk', async () => {
    for (const url of [
      '/css/../.env',
      '/css/%2e%2e/.env',
      '/css/..%2f..%2fpackage.json',
      '/css/a.css/',
      '/css//a.css',
      '/CSS/A.CSS',
      '/css/a.css%00',
      '/css/nothing.css',
      '/package.json',
    ]) {
      const response = await request(app).get(url);
      assert.equal(response.text, 'fell through', url);
    }
    await request(app).get('/css/a.css').expect(200);
  });

  it('lets other methods through to the routes', async () => {
    const response = await request(app).post('/css/a.css').send('x=1');
    assert.equal(response.text, 'fell through');
  });
});

describe('the site with its assets', () => {
  it('links its stylesheet, script and icon by hashed name, and serves them', async () => {
    const app = siteWithAssets();
    for (const path of ['/', `/articles/${DEMO_SLUG}`, '/no/such/page', '/admin/login']) {
      const page = parsePage((await request(app).get(path)).text);
      const stylesheet = page('link[rel="stylesheet"]').attr('href') ?? '';
      const script = page('script[src]').attr('src') ?? '';
      const icon = page('link[rel="icon"]');
      assert.match(stylesheet, /^\/css\/(site|admin)\.[0-9a-f]{8}\.css$/, `${path}: ${stylesheet}`);
      assert.match(script, /^\/js\/(site|admin)\.[0-9a-f]{8}\.js$/, `${path}: ${script}`);
      assert.equal(icon.attr('href'), assetPath('favicon.svg'), path);
      assert.equal(icon.attr('type'), 'image/svg+xml');
      for (const url of [stylesheet, script, icon.attr('href')!]) {
        await request(app).get(url).expect(200).expect('Cache-Control', IMMUTABLE);
      }
    }
  });

  it('shows the 404 page for a file public/ does not hold', async () => {
    const response = await request(siteWithAssets()).get('/css/nothing.css').expect(404);
    assert.match(response.text, /Page not found/);
    assert.equal(parsePage(response.text)('.site-title').length, 1, 'in the site’s layout');
    await request(siteWithAssets()).get('/css/../../package.json').expect(404);
  });
});

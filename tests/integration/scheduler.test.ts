import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import request from 'supertest';
import { publishDueArticles } from '../../src/articles/article-queries.js';
import { startAppRuntime, type AppRuntime } from '../../src/platform/app-runtime.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';

/**
 * The scheduler as each serving process runs it: two app runtimes over the
 * one database, each with its own pools, page cache, page-change listener
 * and scheduler timer, as two instances behind a load balancer.
 */

const database = useTestDatabase();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INTERVAL_MS = 250;

const running: Array<{ runtime: AppRuntime; dataDir: string }> = [];

async function startInstance(schedulerIntervalMs: number): Promise<AppRuntime> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-scheduler-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: process.env.DATABASE_URL });
  const runtime = startAppRuntime(
    config,
    createLogger('silent'),
    { url: process.env.DATABASE_URL!, cookieSecret: TEST_COOKIE_SECRET },
    { schedulerIntervalMs },
  );
  running.push({ runtime, dataDir });
  return runtime;
}

afterEach(async () => {
  for (const { runtime, dataDir } of running.splice(0)) {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

/** What an anonymous reader of one instance sees: the article page's status, and the home page with where it came from. */
async function readerView(runtime: AppRuntime, slug: string) {
  const article = await request(runtime.app).get(`/articles/${slug}`);
  const home = await request(runtime.app).get('/').expect(200);
  return { articleStatus: article.status, home: home.text, homeCache: home.headers['x-page-cache'] };
}

async function statusOf(slug: string) {
  return database.db('articles').select('status', 'published_at').where({ slug }).first<{ status: string; published_at: Date }>();
}

describe('publishDueArticles', () => {
  it('publishes only scheduled articles whose time has come, once, keeping their time', async () => {
    const due = await insertArticle(database.db, { slug: 'due', status: 'scheduled', published_at: new Date(Date.now() - 1000) });
    await insertArticle(database.db, { slug: 'later', status: 'scheduled', published_at: new Date(Date.now() + 3_600_000) });
    await insertArticle(database.db, { slug: 'old-draft', status: 'draft', published_at: new Date(Date.now() - 3_600_000) });
    await insertArticle(database.db, { slug: 'binned', status: 'trash', published_at: new Date(Date.now() - 3_600_000) });
    const [first, second] = await Promise.all([publishDueArticles(database.db), publishDueArticles(database.db)]);
    assert.deepEqual([...first, ...second], [due.id], 'two instances at once publish it once between them');
    assert.deepEqual(await publishDueArticles(database.db), []);
    assert.deepEqual(await statusOf('due'), { status: 'published', published_at: due.published_at });
    assert.equal((await statusOf('later')).status, 'scheduled');
    assert.equal((await statusOf('old-draft')).status, 'draft');
    assert.equal((await statusOf('binned')).status, 'trash');
  });
});

describe('the scheduler in each app process', () => {
  it('publishes what fell due while no process ran, as soon as one starts', async () => {
    await insertArticle(database.db, {
      slug: 'overdue',
      title: 'Overdue Piece',
      status: 'scheduled',
      published_at: new Date(Date.now() - 60_000),
    });
    const instance = await startInstance(3_600_000);
    const started = Date.now();
    while ((await statusOf('overdue')).status !== 'published' && Date.now() - started < 3000) await sleep(25);
    assert.equal((await statusOf('overdue')).status, 'published', 'published at start, not an interval later');
    const view = await readerView(instance, 'overdue');
    assert.equal(view.articleStatus, 200);
    assert.match(view.home, /Overdue Piece/);
  });

  it('makes a scheduled article public on both instances, their cached home pages included, soon after its time', async (t) => {
    const instances = [await startInstance(INTERVAL_MS), await startInstance(INTERVAL_MS)];
    // Each instance keeps its home page from here on (once its page-change listener listens).
    for (const instance of instances) {
      const started = Date.now();
      while ((await readerView(instance, 'soon')).homeCache !== 'hit' && Date.now() - started < 3000) await sleep(25);
      assert.equal((await readerView(instance, 'soon')).homeCache, 'hit');
    }
    const publishAt = new Date(Date.now() + 1500);
    await insertArticle(database.db, { slug: 'soon', title: 'Published On Time', status: 'scheduled', published_at: publishAt });
    for (const instance of instances) {
      const before = await readerView(instance, 'soon');
      assert.equal(before.articleStatus, 404, 'not public before its time');
      assert.doesNotMatch(before.home, /Published On Time/);
    }

    const views = await Promise.all(
      instances.map(async (instance) => {
        while (Date.now() < publishAt.getTime() + 5000) {
          const view = await readerView(instance, 'soon');
          if (view.articleStatus === 200 && view.home.includes('Published On Time')) return { ...view, at: Date.now() };
          await sleep(50);
        }
        return null;
      }),
    );
    for (const [index, view] of views.entries()) {
      assert.ok(view, `instance ${index + 1} never showed the article`);
      const late = view.at - publishAt.getTime();
      t.diagnostic(`instance ${index + 1} showed it ${late} ms after its time`);
      assert.ok(late <= INTERVAL_MS + 1000, `instance ${index + 1} showed it ${late} ms after its time`);
    }
    assert.equal((await statusOf('soon')).status, 'published');
    for (const instance of instances) {
      const cached = await readerView(instance, 'soon');
      assert.equal(cached.homeCache, 'hit', 'the home page is kept again, with the article');
      assert.match(cached.home, /Published On Time/);
    }
  });
});

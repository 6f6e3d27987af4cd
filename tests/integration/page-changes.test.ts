import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { migrationSource } from '../../migrations/index.js';
import { createApp, pageCacheOf } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { createLogger } from '../../src/platform/logger.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import {
  PAGE_CHANGES_CHANNEL,
  startPageChangeListener,
  type PageChangeListener,
} from '../../src/platform/page-cache/page-change-listener.js';
import { adminApp } from '../helpers/admin.js';
import { TEST_COOKIE_SECRET, untilListening } from '../helpers/app.js';
import { DEMO_SLUG, queriesDuring, useTestDatabase } from '../helpers/database.js';
import { articleIdOf, insertComment } from '../helpers/rows.js';

const context = useTestDatabase();
const PATH = `/articles/${DEMO_SLUG}`;
const url = () => process.env.DATABASE_URL!;
const closing: Array<() => Promise<unknown>> = [];

before(() => untilListening(context.db));
after(async () => {
  for (const close of closing.reverse()) await close();
});

/**
 * Another instance of the site: its own knex, its own page-change listener
 * (as another process or machine would have), nothing shared with the rest.
 */
function otherInstance(
  retryDelayMs = { first: 20, max: 200 },
  heartbeatMs = 5000,
): { app: Express; db: Database; listener: PageChangeListener } {
  const db = connectDatabase(url());
  const sessionPool = new pg.Pool({ connectionString: url(), max: 2, allowExitOnIdle: true });
  const app = createApp({
    config: loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir() }),
    db,
    cookieSecret: TEST_COOKIE_SECRET,
    logger: createLogger('silent'),
    sessionPool,
  });
  const listener = startPageChangeListener({ connectionString: url(), logger: createLogger('silent'), retryDelayMs, heartbeatMs });
  listener.attach(pageCacheOf(app), db);
  closing.push(
    () => listener.close(),
    () => db.destroy(),
    () => sessionPool.end(),
  );
  return { app, db, listener };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - started;
}

const shows = (html: string, id: string) => html.includes(`id="comment-${id}"`);

describe('several instances on one database', () => {
  it('shows a comment approved on one instance on another within a second', async () => {
    const { admin } = await adminApp(context.db);
    const other = otherInstance();
    await other.listener.whenListening();
    const id = await insertComment(context.db, { status: 'pending', body: 'Approved elsewhere.' });
    await request(other.app).get(PATH).expect(200);
    const hit = await request(other.app).get(PATH).expect(200);
    assert.equal(hit.headers['x-page-cache'], 'hit');

    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    const elapsed = await until(
      async () => shows((await request(other.app).get(PATH)).text, id),
      1000,
      'the approval on the other instance',
    );
    assert.ok(elapsed < 1000, `${elapsed} ms`);
    // The other instance only heard of it: it made no query before rendering again.
    assert.equal((await queriesDuring(other.db, () => request(other.app).get(PATH).expect(200))).length, 0);
  });

  it('drops cached pages when an article’s tags change or a tag is renamed, though the article row is untouched', async () => {
    const other = otherInstance();
    await other.listener.whenListening();
    const articleId = await articleIdOf(context.db, DEMO_SLUG);
    const [tag] = await context.db('tags').insert({ slug: 'diplomacy', name: 'Diplomacy' }).returning<Array<{ id: string }>>('id');
    const cachedTags = async (path: string) => {
      await request(other.app).get(path).expect(200);
      const hit = await request(other.app).get(path).expect(200);
      assert.equal(hit.headers['x-page-cache'], 'hit', `${path} is cached`);
      return hit.text;
    };
    assert.doesNotMatch(await cachedTags(PATH), /Diplomacy/);
    assert.doesNotMatch(await cachedTags('/'), /Diplomacy/);

    await context.db('article_tags').insert({ article_id: articleId, tag_id: tag!.id });
    await until(async () => (await request(other.app).get(PATH)).text.includes('>Diplomacy<'), 1000, 'the new tag on the article page');
    await until(async () => (await request(other.app).get('/')).text.includes('>Diplomacy<'), 1000, 'the new tag on the home page');

    await cachedTags(PATH);
    await context.db('tags').where({ id: tag!.id }).update({ name: 'Statecraft' });
    await until(async () => (await request(other.app).get(PATH)).text.includes('>Statecraft<'), 1000, 'the renamed tag');
  });

  it('hears its own writes before serving a cached page again: one round trip on the listening connection', async () => {
    const instance = otherInstance(undefined, 60_000);
    await instance.listener.whenListening();
    const lastQueryOfListener = async () =>
      context
        .db('pg_stat_activity')
        .where({ pid: instance.listener.backendPid })
        .first<{ query: string; query_start: Date }>('query', 'query_start');
    await request(instance.app).get(PATH).expect(200);
    await request(instance.app).get(PATH).expect(200);
    const before = await lastQueryOfListener();
    assert.equal((await request(instance.app).get(PATH).expect(200)).headers['x-page-cache'], 'hit');
    assert.deepEqual(await lastQueryOfListener(), before, 'no write, no round trip');

    const id = await insertComment(instance.db, { body: 'Written here, shown here at once.' });
    const after = await request(instance.app).get(PATH).expect(200);
    assert.ok(shows(after.text, id));
    const roundTrip = await lastQueryOfListener();
    assert.equal(roundTrip.query, 'SELECT 1');
    assert.ok(roundTrip.query_start > before.query_start, 'the hit waited for a round trip after the write');
  });

  it('never keeps a page read before a change made elsewhere', async () => {
    const reader = otherInstance();
    await reader.listener.whenListening();
    const writer = connectDatabase(url());
    closing.push(() => writer.destroy());
    const id = await insertComment(context.db, { status: 'pending', body: 'Back and forth.' });
    const setApproved = (approved: boolean) =>
      writer('comments')
        .where({ id })
        .update({ status: approved ? 'approved' : 'pending' });
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 15; round++) {
      // Two changes in quick succession while readers keep coming: a render
      // started after the first one's notification reads what the second undoes.
      let reading = true;
      const readers = Array.from({ length: 3 }, async () => {
        while (reading) await request(reader.app).get(PATH).expect(200);
      });
      await pause(5);
      await setApproved(true);
      await pause(round % 5);
      await setApproved(false);
      await pause(20);
      reading = false;
      await Promise.all(readers);
      await until(async () => !shows((await request(reader.app).get(PATH)).text, id), 1000, `round ${round}`);
      for (let check = 0; check < 3; check++) {
        assert.ok(!shows((await request(reader.app).get(PATH)).text, id), `round ${round}: a stale page was kept`);
      }
    }
  });
});

describe('losing the listening connection', () => {
  it('empties the cache, renders every page meanwhile, and trusts notifications again once back', async () => {
    const instance = otherInstance({ first: 1000, max: 1000 });
    const cache = pageCacheOf(instance.app);
    await instance.listener.whenListening();
    await request(instance.app).get(PATH).expect(200);
    assert.equal(cache.size, 1);

    const pid = instance.listener.backendPid;
    assert.ok(pid);
    await context.db.raw('SELECT pg_terminate_backend(?)', [pid]);
    await until(() => !instance.listener.listening, 1000, 'noticing the lost connection');
    assert.equal(cache.size, 0);
    assert.equal(cache.listening, false);

    // Meanwhile a change is made that no notification will tell this instance about.
    const id = await insertComment(context.db, { body: 'Said while nobody listened.' });
    const first = await request(instance.app).get(PATH).expect(200);
    assert.ok(shows(first.text, id));
    const second = await request(instance.app).get(PATH).expect(200);
    if (!instance.listener.listening) {
      assert.equal(second.headers['x-page-cache'], 'miss', 'nothing is kept while nobody listens');
      assert.equal(cache.size, 0);
    }
    await context.db('comments').where({ id }).update({ status: 'trash' });
    if (!instance.listener.listening) assert.ok(!shows((await request(instance.app).get(PATH)).text, id), 'rendered again');

    await instance.listener.whenListening();
    assert.notEqual(instance.listener.backendPid, pid);
    await request(instance.app).get(PATH).expect(200);
    assert.equal((await queriesDuring(instance.db, () => request(instance.app).get(PATH).expect(200))).length, 0);
    assert.ok(!shows((await request(instance.app).get(PATH)).text, id));
  });

  it('keeps serving current pages, rendered for each request, when it cannot listen at all', async () => {
    const db = connectDatabase(url());
    const sessionPool = new pg.Pool({ connectionString: url(), max: 2, allowExitOnIdle: true });
    const app = createApp({
      config: loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir() }),
      db,
      cookieSecret: TEST_COOKIE_SECRET,
      logger: createLogger('silent'),
      sessionPool,
    });
    const listener = startPageChangeListener({ connectionString: 'postgres://nobody@127.0.0.1:1/none', logger: createLogger('silent') });
    listener.attach(pageCacheOf(app), db);
    closing.push(
      () => listener.close(),
      () => db.destroy(),
      () => sessionPool.end(),
    );
    await request(app).get(PATH).expect(200);
    assert.equal((await request(app).get(PATH).expect(200)).headers['x-page-cache'], 'miss');
    const id = await insertComment(context.db, { body: 'Unheard, still shown.' });
    assert.ok(shows((await request(app).get(PATH).expect(200)).text, id));
    assert.equal(listener.listening, false);
  });
});

describe('the notify-page-changes migration', () => {
  let client: pg.Client;
  const heard: string[] = [];

  before(async () => {
    client = new pg.Client({ connectionString: url() });
    await client.connect();
    client.on('notification', (message) => void (message.channel === PAGE_CHANGES_CHANNEL && heard.push(message.payload ?? '')));
    await client.query(`LISTEN ${PAGE_CHANGES_CHANNEL}`);
  });
  after(() => client.end());

  /**
   * What a change sends once committed. A notification committed before a
   * query on the listening connection arrives ahead of that query's answer.
   */
  async function notified(change: () => Promise<unknown>): Promise<string[]> {
    await client.query('SELECT 1');
    heard.length = 0;
    await change();
    await client.query('SELECT 1');
    return [...heard].sort();
  }

  it('names the article (and the home page when it is published) for every change a reader sees, on commit', async () => {
    const articleId = await articleIdOf(context.db);
    const article = `article:${articleId}`;
    const id = await insertComment(context.db, { status: 'pending' });
    assert.deepEqual(await notified(() => insertComment(context.db, { status: 'pending' })), []);
    assert.deepEqual(await notified(() => context.db('comments').where({ id }).update({ status: 'approved' })), [article, 'home']);
    assert.deepEqual(await notified(() => context.db('comments').where({ id }).update({ body: 'Edited.' })), [article, 'home']);
    assert.deepEqual(await notified(() => context.db('comments').where({ id }).update({ status: 'spam' })), [article, 'home']);
    assert.deepEqual(await notified(() => context.db('comments').where({ id }).update({ body: 'Edited while spam.' })), []);
    assert.deepEqual(await notified(() => context.db('articles').where({ id: articleId }).update({ title: 'New title' })), [
      article,
      'home',
    ]);
    assert.deepEqual(
      await notified(() => context.db('articles').where({ id: articleId }).update({ title: 'New title' })),
      [],
      'nothing changed',
    );
    assert.deepEqual(await notified(() => saveDiscussionSettings(context.db, { ...DEFAULT_DISCUSSION_SETTINGS, threadDepth: 3 }, null)), [
      'settings',
    ]);

    const [draft] = await context
      .db('articles')
      .insert({ slug: 'a-draft', title: 'A draft', author_name: 'K', body: 'Text.' })
      .returning<Array<{ id: string }>>('id');
    const draftTag = `article:${draft!.id}`;
    assert.deepEqual(await notified(() => context.db('articles').where({ id: draft!.id }).update({ body: 'More text.' })), [draftTag]);
    assert.deepEqual(
      await notified(() => context.db('articles').where({ id: draft!.id }).update({ status: 'published', published_at: new Date() })),
      [draftTag, 'home'],
    );
    assert.deepEqual(await notified(() => context.db('articles').where({ id: draft!.id }).delete()), [draftTag, 'home']);
  });

  it('sends nothing for a rolled-back change, once for many changes in one transaction, and "all" for a truncate', async () => {
    const article = `article:${await articleIdOf(context.db)}`;
    const ids = [await insertComment(context.db, { status: 'pending' }), await insertComment(context.db, { status: 'pending' })];
    const rolledBack = await notified(() =>
      context.db
        .transaction(async (trx) => {
          await trx('comments').whereIn('id', ids).update({ status: 'approved' });
          throw new Error('changed my mind');
        })
        .catch(() => {}),
    );
    assert.deepEqual(rolledBack, []);
    assert.deepEqual(await notified(() => context.db('comments').whereIn('id', ids).update({ status: 'approved' })), [article, 'home']);
    assert.deepEqual(await notified(() => context.db.raw('TRUNCATE comments CASCADE')), ['all']);
  });

  it('has a down that stops the notifications, and an up that brings them back', async () => {
    const id = await insertComment(context.db, { status: 'pending' });
    const [, reverted] = (await context.db.migrate.down({ migrationSource, name: '20261129_13_notify_page_changes' })) as [
      number,
      string[],
    ];
    try {
      assert.deepEqual(reverted, ['20261129_13_notify_page_changes']);
      assert.deepEqual(await notified(() => context.db('comments').where({ id }).update({ status: 'approved' })), []);
      assert.deepEqual(await notified(() => saveDiscussionSettings(context.db, DEFAULT_DISCUSSION_SETTINGS, null)), []);
    } finally {
      await context.db.migrate.latest({ migrationSource });
    }
    assert.equal((await notified(() => context.db('comments').where({ id }).update({ status: 'pending' }))).length, 2);
  });
});

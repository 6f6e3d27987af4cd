import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import request from 'supertest';
import { isDatabaseUnavailable } from '../../src/platform/db/unavailable.js';
import { DatabaseUnreachableError } from '../../src/platform/db/bounded-client.js';
import { createSessionPool } from '../../src/platform/db/connection.js';
import { createLogger } from '../../src/platform/logger.js';
import { startPageChangeListener } from '../../src/platform/page-cache/index.js';
import { APP_ORIGIN, COMMENTS_PATH, commentingApp, DEMO_PATH, loadForm, TEST_USER_AGENT, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import {
  allowConnections,
  backendsWaitingForLocks,
  beforeCommentInserts,
  createAppRole,
  holdConnections,
  holdTableLock,
  limitConnections,
  servingAppOver,
  type AppRole,
  type ServingApp,
} from '../helpers/database-trouble.js';
import { formFields, parsePage } from '../helpers/html.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * Every shape of database trouble, caused for real against PostgreSQL, and
 * what a reader and a commenter get from the app as it serves (its
 * SERVING_LIMITS pools): 503 with Retry-After, and the comment form back
 * with the typed text, nothing stored; then the app recovers by itself.
 * "About 3 s" is checked against a generous ceiling.
 */

const database = useTestDatabase();
const url = () => process.env.DATABASE_URL!;
const ABOUT_3_S = 6000;

let serving: ServingApp | undefined;
let undo: Array<() => Promise<unknown>> = [];
const over = (target: string, poolSize?: number) => (serving = servingAppOver(target, poolSize));
async function cleanUp() {
  for (const step of undo.reverse()) await step().catch(() => {});
  undo = [];
  await serving?.close().catch(() => {});
  serving = undefined;
}

/** GET `path` expecting 503 with Retry-After and the site's error page; the milliseconds it took. */
async function assertReaderRefused(app: Express, path = DEMO_PATH): Promise<number> {
  const started = Date.now();
  const response = await request(app).get(path).set('User-Agent', TEST_USER_AGENT);
  const took = Date.now() - started;
  assert.equal(response.status, 503, `GET ${path}: ${response.text.slice(0, 300)}`);
  assert.equal(response.headers['retry-after'], '5');
  assert.match(response.text, /Temporarily unavailable/);
  return took;
}

/** A comment form as rendered by the healthy app (before the trouble starts). */
async function renderedForm(): Promise<Record<string, string>> {
  const { browser } = commentingApp(database.db);
  return (await loadForm(browser())).fields;
}

async function assertNothingStored(text: string): Promise<void> {
  const stored = await database.db('comments').where({ body: text }).count<{ count: string }[]>({ count: '*' });
  assert.equal(Number(stored[0]!.count), 0, 'nothing stored');
}

/**
 * POSTs a comment expecting 503, the form back with the text and the same
 * submission id, and (unless the table is held locked, `checkLater`) nothing
 * stored; the milliseconds it took.
 */
async function assertCommentKept(app: Express, form: Record<string, string>, checkLater?: (text: string) => void): Promise<number> {
  const text = `Kept through the trouble ${randomUUID()}`;
  const started = Date.now();
  const response = await request(app)
    .post(COMMENTS_PATH)
    .set('User-Agent', TEST_USER_AGENT)
    .set('Origin', APP_ORIGIN)
    .type('form')
    .send(typed(form, { comment: text }));
  const took = Date.now() - started;
  assert.equal(response.status, 503, response.text.slice(0, 300));
  assert.equal(response.headers['retry-after'], '5');
  const kept = formFields(parsePage(response.text));
  assert.equal(kept.comment, text);
  assert.equal(kept.submission_id, form.submission_id);
  if (checkLater) checkLater(text);
  else await assertNothingStored(text);
  return took;
}

async function assertNotReady(app: Express): Promise<number> {
  const started = Date.now();
  const response = await request(app).get('/readyz');
  assert.equal(response.status, 503, response.text);
  assert.equal(response.headers['retry-after'], '5');
  return Date.now() - started;
}

/** Polls until the article page answers 200 again: the app recovers by itself. */
async function assertRecovers(app: Express, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const response = await request(app).get(DEMO_PATH).set('User-Agent', TEST_USER_AGENT);
    if (response.status === 200) return;
    assert.ok(Date.now() < deadline, `still ${response.status} ${withinMs / 1000} s after the trouble ended`);
    await sleep(200);
  }
}

/** Posts fresh text with `form` until it is stored (303), as a commenter retrying from the 503 page would; the text stored. */
async function postUntilStored(app: Express, form: Record<string, string>, withinMs = 15_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const text = `Posted once the database is back ${randomUUID()}`;
    const response = await request(app)
      .post(COMMENTS_PATH)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Origin', APP_ORIGIN)
      .type('form')
      .send(typed(form, { comment: text }));
    if (response.status === 303) return text;
    assert.equal(response.status, 503, response.text.slice(0, 300));
    assert.ok(Date.now() < deadline, `posting still refused ${withinMs / 1000} s after the failover`);
    await sleep(200);
  }
}

const said = (t: TestContext, what: string, ms: number) => t.diagnostic(`${what}: ${ms} ms`);

describe('server-side shapes (SQLSTATE)', () => {
  let role: AppRole;
  before(async () => {
    role = await createAppRole(url());
  });
  after(async () => {
    await cleanUp();
    await role.drop();
  });

  it('a role out of connections (53300): 503 for readers, the text kept for a commenter, /readyz 503', async () => {
    const form = await renderedForm();
    try {
      await limitConnections(url(), role.name, 1);
      undo.push(() => limitConnections(url(), role.name, -1));
      undo.push(await holdConnections(role.url, 1));
      const { app } = over(role.url);
      await assertReaderRefused(app);
      await assertCommentKept(app, form);
      await assertNotReady(app);
      await cleanUp();
      await assertRecovers(over(role.url).app);
    } finally {
      await cleanUp();
    }
  });

  it('a database not accepting connections (55000)', async () => {
    const form = await renderedForm();
    try {
      await allowConnections(url(), false);
      undo.push(() => allowConnections(url(), true));
      const { app } = over(url());
      await assertReaderRefused(app);
      await assertCommentKept(app, form);
      await assertNotReady(app);
      await cleanUp();
      await assertRecovers(over(url()).app);
    } finally {
      await cleanUp();
    }
  });

  it('a table held locked (55P03): the lock timeout, and /readyz says so at once', async (t) => {
    const form = await renderedForm();
    try {
      const { app } = over(role.url);
      await request(app).get(DEMO_PATH).expect(200);
      undo.push(await holdTableLock(url(), 'comments'));
      said(t, 'reader', await assertReaderRefused(app));
      let sent = '';
      said(t, 'commenter', await assertCommentKept(app, form, (text) => (sent = text)));
      const readiness = await assertNotReady(app);
      said(t, '/readyz', readiness);
      assert.ok(readiness < 1000, `/readyz took ${readiness} ms with the table locked`);
      await undo.pop()!();
      await assertNothingStored(sent);
      await assertRecovers(app);
    } finally {
      await cleanUp();
    }
  });

  it('a full disk (53100, raised as the server would): the text kept, and /readyz 503 for a while after', async () => {
    const form = await renderedForm();
    try {
      undo.push(await beforeCommentInserts(database.db, "RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'"));
      const { app } = over(role.url);
      await request(app).get('/readyz').expect(200);
      await assertCommentKept(app, form);
      await assertNotReady(app);
      await request(app).get(DEMO_PATH).expect(200);
    } finally {
      await cleanUp();
    }
  });

  it('a statement over the time limit (57014)', async (t) => {
    const form = await renderedForm();
    try {
      undo.push(await beforeCommentInserts(database.db, 'PERFORM pg_sleep(10)'));
      const { app } = over(role.url);
      const took = await assertCommentKept(app, form);
      said(t, 'commenter', took);
      assert.ok(took < ABOUT_3_S, `${took} ms`);
    } finally {
      await cleanUp();
    }
  });

  it('an administrator ending the connection mid-statement (57P01)', async () => {
    try {
      const { app } = over(role.url);
      undo.push(await holdTableLock(url(), 'comments'));
      const answer = assertReaderRefused(app);
      let waiting: number[] = [];
      while (waiting.length === 0) waiting = await backendsWaitingForLocks(url());
      await database.db.raw('SELECT pg_terminate_backend(?)', [waiting[0]!]);
      await answer;
      await undo.pop()!();
      await assertRecovers(app);
    } finally {
      await cleanUp();
    }
  });
});

describe('client-side shapes (error class and errno)', () => {
  let proxy: TcpProxy;
  before(async () => {
    proxy = await TcpProxy.start(url());
  });
  after(async () => {
    await cleanUp();
    await proxy.close();
  });

  it('a silent database host: a connection made before gets no answer, 503 within about 3 s', async (t) => {
    const form = await renderedForm();
    try {
      const { app } = over(proxy.urlFor(url()));
      await request(app).get(DEMO_PATH).expect(200);
      proxy.silence();
      undo.push(() => Promise.resolve(proxy.resume()));
      const reader = await assertReaderRefused(app);
      const commenter = await assertCommentKept(app, form);
      const readiness = await assertNotReady(app);
      said(t, 'reader', reader);
      said(t, 'commenter', commenter);
      said(t, '/readyz', readiness);
      assert.ok(reader < ABOUT_3_S && commenter < ABOUT_3_S, `reader ${reader} ms, commenter ${commenter} ms`);
      assert.ok(readiness < 3000, `/readyz ${readiness} ms`);
      proxy.resume();
      await assertRecovers(app);
    } finally {
      await cleanUp();
    }
  });

  it('after a failover, posting recovers: no post waits behind one stuck on a dead connection', async (t) => {
    const form = await renderedForm();
    try {
      const { app } = over(proxy.urlFor(url()));
      await request(app).get(DEMO_PATH).expect(200);
      proxy.silence();
      undo.push(() => Promise.resolve(proxy.resume()));
      // Sent together into the silence: each is answered on its own within the limits, none waits in a queue behind another.
      const during = await Promise.all(Array.from({ length: 6 }, () => assertCommentKept(app, form)));
      said(t, 'slowest commenter during the silence', Math.max(...during));
      assert.ok(Math.max(...during) < ABOUT_3_S * 2, `${Math.max(...during)} ms`);
      proxy.failOver();
      const started = Date.now();
      const stored = await postUntilStored(app, form);
      said(t, 'first comment stored after the failover', Date.now() - started);
      const [row] = await database.db('comments').where({ body: stored }).select('status');
      assert.ok(row, 'the comment posted after the failover is stored');
    } finally {
      await cleanUp();
    }
  });

  it('many posts against a locked table: each answered 503 with its text within the pool and lock limits', async (t) => {
    const form = await renderedForm();
    try {
      const { app } = over(url());
      await request(app).get(DEMO_PATH).expect(200);
      undo.push(await holdTableLock(url(), 'comments'));
      const sent: string[] = [];
      const waits = await Promise.all(Array.from({ length: 30 }, () => assertCommentKept(app, form, (text) => sent.push(text))));
      waits.sort((a, b) => a - b);
      said(t, 'median wait', waits[15]!);
      said(t, 'longest wait', waits[29]!);
      // A free connection within the acquire limit, then the lock within the lock limit: about 5 s at worst, never a queue of its own.
      assert.ok(waits[29]! < ABOUT_3_S + 3000, `longest wait ${waits[29]} ms`);
      await undo.pop()!();
      for (const text of sent) await assertNothingStored(text);
      await assertRecovers(app);
    } finally {
      await cleanUp();
    }
  });

  it('a silent database host: a new connection gets no answer to its start-up', async (t) => {
    try {
      proxy.silence();
      undo.push(() => Promise.resolve(proxy.resume()));
      const { app } = over(proxy.urlFor(url()));
      const took = await assertReaderRefused(app);
      said(t, 'reader', took);
      assert.ok(took < ABOUT_3_S, `${took} ms`);
    } finally {
      await cleanUp();
    }
  });

  it('the connection lost mid-statement, without a word from the server', async () => {
    try {
      const { app } = over(proxy.urlFor(url()));
      await request(app).get(DEMO_PATH).expect(200);
      undo.push(await holdTableLock(url(), 'comments'));
      const answer = assertReaderRefused(app);
      while ((await backendsWaitingForLocks(url())).length === 0) await sleep(20);
      proxy.cutAll();
      await answer;
      await undo.pop()!();
      await assertRecovers(app);
    } finally {
      await cleanUp();
    }
  });

  it('no free connection in the pool within its time (knex acquire timeout)', async (t) => {
    try {
      const { app, db } = over(url(), 1);
      const holding = await db.transaction();
      undo.push(() => holding.rollback());
      const took = await assertReaderRefused(app);
      said(t, 'reader', took);
      assert.ok(took < ABOUT_3_S, `${took} ms`);
    } finally {
      await cleanUp();
    }
  });

  it('the page-change listener stops trusting a connection gone silent within about 1 s', async (t) => {
    const listener = startPageChangeListener({ connectionString: proxy.urlFor(url()), logger: createLogger('silent') });
    try {
      await listener.whenListening();
      proxy.silence();
      const started = Date.now();
      while (listener.listening && Date.now() - started < 5000) await sleep(10);
      const took = Date.now() - started;
      said(t, 'stale for at most', took);
      assert.ok(took < 2000, `still trusted ${took} ms after the connection went silent`);
    } finally {
      proxy.resume();
      await listener.close();
    }
  });

  it('the session store pool: a silent host is a typed failure within about 3 s', async () => {
    proxy.silence();
    const pool = createSessionPool(proxy.urlFor(url()), () => {});
    try {
      const started = Date.now();
      const failure = await pool.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(failure instanceof DatabaseUnreachableError, String(failure));
      assert.ok(isDatabaseUnavailable(failure));
      assert.ok(Date.now() - started < ABOUT_3_S);
    } finally {
      proxy.resume();
      await pool.end();
    }
  });
});

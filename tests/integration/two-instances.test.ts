import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { ADMIN_PASSWORD, csrfOf } from '../helpers/admin.js';
import { loginFormCookieOf, sessionCookieOf, startAppInstance, stopAppInstance, type AppInstance } from '../helpers/app-instance.js';
import { DEMO_PATH, TEST_USER_AGENT, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * Two real app processes on two ports over the one test database, as two
 * instances behind a load balancer: what one knows, the other must know too,
 * because everything shared lives in PostgreSQL.
 */

const database = useTestDatabase();
const VISIBLE_WITHIN_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Each comment says which client it comes from, as behind a proxy.
const startInstance = () => startAppInstance({ TRUST_PROXY: 'loopback' });

function postForm(instance: AppInstance, pathname: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${instance.base}${pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: instance.base,
      'User-Agent': TEST_USER_AGENT,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Signs in through the real form; returns the session cookie. */
async function signIn(instance: AppInstance, username: string): Promise<string> {
  const form = await fetch(`${instance.base}/admin/login`);
  assert.equal(form.status, 200);
  const cookie = loginFormCookieOf(form);
  const response = await postForm(
    instance,
    '/admin/login',
    { username, password: ADMIN_PASSWORD, _csrf: csrfOf(await form.text()) },
    { Cookie: cookie },
  );
  assert.equal(response.status, 303, `sign-in answered ${response.status}`);
  assert.equal(response.headers.get('location'), '/admin/comments');
  return sessionCookieOf(response);
}

/** An anonymous reader's view of the demo article: the HTML and whether it came from the page cache. */
async function readArticle(instance: AppInstance) {
  const response = await fetch(`${instance.base}${DEMO_PATH}`, { headers: { 'User-Agent': TEST_USER_AGENT } });
  assert.equal(response.status, 200);
  return { html: await response.text(), cache: response.headers.get('x-page-cache') };
}

describe('two instances sharing one PostgreSQL', () => {
  let a: AppInstance | undefined;
  let b: AppInstance | undefined;

  before(async () => {
    // Started together, they also race to prepare the database: one waits for the other.
    [a, b] = await Promise.all([startInstance(), startInstance()]);
  });

  after(async () => {
    for (const instance of [a, b]) {
      if (!instance) continue;
      await stopAppInstance(instance);
    }
  });

  it('keeps an admin signed in on A signed in on B (sessions are in PostgreSQL)', async () => {
    await createAdmin(database.db, 'moderator', ADMIN_PASSWORD);
    const cookie = await signIn(a!, 'moderator');

    const onB = await fetch(`${b!.base}/admin/comments`, { headers: { Cookie: cookie }, redirect: 'manual' });
    assert.equal(onB.status, 200, `B answered ${onB.status} ${onB.headers.get('location') ?? ''}`);
    assert.match(await onB.text(), /moderator/);

    const stranger = await fetch(`${b!.base}/admin/comments`, { redirect: 'manual' });
    assert.equal(stranger.status, 303, 'without the cookie B sends to the sign-in page');
  });

  it('shows a comment approved on A on B’s cached article page within 1 s', async (t) => {
    const body = 'Held at first, then approved on the other instance.';
    const commentId = await insertComment(database.db, { status: 'pending', body });
    await createAdmin(database.db, 'moderator', ADMIN_PASSWORD);
    const cookie = await signIn(a!, 'moderator');
    const queue = await fetch(`${a!.base}/admin/comments`, { headers: { Cookie: cookie } });
    const csrf = csrfOf(await queue.text());

    // Twice, so that the second read is answered from B's page cache.
    await readArticle(b!);
    const before = await readArticle(b!);
    assert.equal(before.cache, 'hit', 'B serves the article page from its cache');
    assert.ok(!before.html.includes(body), 'the held comment is not shown before the approval');

    const approval = await postForm(a!, `/admin/comments/${commentId}/status`, { status: 'approved', _csrf: csrf }, { Cookie: cookie });
    assert.equal(approval.status, 303);
    const approvedAt = Date.now();
    let seen: { html: string; cache: string | null } | undefined;
    while (Date.now() - approvedAt < VISIBLE_WITHIN_MS + 2000) {
      const read = await readArticle(b!);
      if (read.html.includes(body)) {
        seen = read;
        break;
      }
      await sleep(25);
    }
    const elapsed = Date.now() - approvedAt;
    t.diagnostic(`B showed the approved comment ${elapsed} ms after A answered the approval`);
    assert.ok(seen, `B still did not show the approved comment ${elapsed} ms after the approval`);
    assert.ok(elapsed <= VISIBLE_WITHIN_MS, `B showed the approved comment only after ${elapsed} ms`);
    assert.ok(parsePage(seen.html)(`#comment-${commentId}`).length === 1, 'the comment is in its own element');
  });

  it('counts comments posted to both against one flood limit (429 from B within 15 s of a post to A)', async () => {
    const ip = '198.51.100.77';
    const formOf = async (instance: AppInstance) => formFields(parsePage((await readArticle(instance)).html));
    const [formA, formB] = await Promise.all([formOf(a!), formOf(b!)]);

    const first = await postForm(
      a!,
      `${DEMO_PATH}/comments`,
      typed(formA, { author: 'First Poster', email: 'first@example.org', comment: 'Posted to instance A.' }),
      {
        'X-Forwarded-For': ip,
      },
    );
    assert.equal(first.status, 303, 'A accepts the first comment');

    const second = await postForm(
      b!,
      `${DEMO_PATH}/comments`,
      typed(formB, { author: 'Second Poster', email: 'second@example.org', comment: 'Posted to instance B right after.' }),
      {
        'X-Forwarded-For': ip,
      },
    );
    assert.equal(second.status, 429, 'B refuses a comment from the same address within the flood interval');
    assert.ok(Number(second.headers.get('retry-after')) > 0, 'with Retry-After');

    const stored = await database.db('comments').where({ ip }).select<Array<{ body: string }>>('body');
    assert.deepEqual(
      stored.map((row) => row.body),
      ['Posted to instance A.'],
    );
  });
});

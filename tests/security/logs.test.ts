import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import type { Database } from '../../src/platform/db/connection.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { createMailer } from '../../src/mail/mailer.js';
import { unsubscribeToken } from '../../src/mail/notifications.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { selfServiceToken } from '../../src/comments/self-service.js';
import { ADMIN_PASSWORD, csrfOf } from '../helpers/admin.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { APP_ORIGIN, COMMENTS_PATH, DEMO_PATH, cookieValue } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { appWith, capturedLog, databaseWithoutTables, type CapturedLog } from '../helpers/security.js';

/**
 * What the logs may hold: one structured line per request with its id, and
 * never a password, a cookie, a CSRF token or a commenter's email, whatever
 * the request carried and however it ended. An error page shows the id its
 * log line carries.
 */

const database = useTestDatabase();
let log: CapturedLog;

beforeEach(() => {
  log = capturedLog();
});

const EMAIL = 'ada.lovelace@example.org';
const WRONG_PASSWORD = 'not-the-password-Zq8';

/** Each secret, and the ways it could be written (URL-encoded, JSON-escaped). */
function assertAbsent(text: string, secrets: Record<string, string>) {
  for (const [name, secret] of Object.entries(secrets)) {
    assert.ok(secret.length >= 8, `${name} is long enough to search for`);
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      assert.ok(!text.includes(form), `${name} (${form.slice(0, 24)}…) appears in the log`);
    }
  }
}

/** A commenter's whole visit: the form, a refused post, an accepted one with remember-me, their own page, their links. */
async function commenterVisit(app: ReturnType<typeof appWith>) {
  const browser = request.agent(app);
  const page = parsePage((await browser.get(DEMO_PATH).expect(200)).text);
  const fields = {
    ...formFields(page),
    comment: 'Logged?',
    author: 'Ada',
    email: EMAIL,
    url: 'javascript:x',
    remember: 'yes',
    notify_replies: 'yes',
  };
  await browser.post(COMMENTS_PATH).set('Origin', APP_ORIGIN).type('form').send(new URLSearchParams(fields).toString()).expect(422);
  const accepted = await browser
    .post(COMMENTS_PATH)
    .set('Origin', APP_ORIGIN)
    .type('form')
    .send(new URLSearchParams({ ...fields, url: '' }).toString())
    .expect(303);
  await browser.get(DEMO_PATH).expect(200);
  const id = /#comment-(\d+)$/.exec(accepted.headers.location ?? '')![1]!;
  const editToken = selfServiceToken(TEST_COOKIE_SECRET, id);
  await browser.get(`/comments/${id}/edit?token=${encodeURIComponent(editToken)}`).expect(200);
  const unsubscribe = unsubscribeToken(TEST_COOKIE_SECRET, EMAIL);
  await request(app)
    .get(`/unsubscribe?token=${encodeURIComponent(unsubscribe)}`)
    .expect(200);
  await request(app).post('/unsubscribe').set('Origin', APP_ORIGIN).type('form').send({ token: unsubscribe });
  await request(app)
    .get(`/no/such/page?email=${encodeURIComponent(EMAIL)}&password=${WRONG_PASSWORD}`)
    .expect(404);
  return {
    pendingCookie: decodeURIComponent(cookieValue(accepted, 'broadsheet_pending')!),
    editToken,
    unsubscribe,
  };
}

/** An admin's whole visit: a wrong password, the right one, the queue, a search by email, a moderation, sign-out. */
async function adminVisit(app: ReturnType<typeof appWith>) {
  await createAdmin(database.db, 'moderator', ADMIN_PASSWORD);
  const agent = request.agent(app);
  const form = await agent.get('/admin/login').expect(200);
  const loginToken = csrfOf(form.text);
  await agent.post('/admin/login').type('form').send({ username: 'moderator', password: WRONG_PASSWORD, _csrf: loginToken }).expect(401);
  const signedIn = await agent
    .post('/admin/login')
    .type('form')
    .send({ username: 'moderator', password: ADMIN_PASSWORD, _csrf: loginToken })
    .expect(303);
  const sessionCookie = decodeURIComponent(cookieValue(signedIn, 'broadsheet_admin')!);
  const queue = await agent.get(`/admin/comments?status=all&q=${encodeURIComponent(EMAIL)}`).expect(200);
  const csrf = csrfOf(queue.text);
  const comment = await insertComment(database.db, { status: 'pending', author_email: EMAIL });
  await agent.post(`/admin/comments/${comment}/status`).type('form').send({ status: 'approved', _csrf: csrf }).expect(303);
  await agent.post(`/admin/comments/${comment}/status`).type('form').send({ status: 'approved', _csrf: 'forged-token-value' }).expect(403);
  await agent.post('/admin/logout').type('form').send({ _csrf: csrf }).expect(303);
  return { loginToken, csrf, sessionCookie, sessionId: sessionCookie.slice(2, sessionCookie.lastIndexOf('.')) };
}

describe('the request log', () => {
  it('never holds passwords, cookies, CSRF tokens or commenter emails', async () => {
    const app = appWith(database.db, { logger: log.logger });
    const commenter = await commenterVisit(app);
    const admin = await adminVisit(app);
    const text = log.text();
    assert.equal(log.lines().filter((line) => line.req !== undefined).length, 15, 'a line per request');
    assertAbsent(text, {
      'the password': ADMIN_PASSWORD,
      'the wrong password': WRONG_PASSWORD,
      'the session cookie': admin.sessionCookie,
      'the session id': admin.sessionId,
      'the sign-in form’s CSRF token': admin.loginToken,
      'the session’s CSRF token': admin.csrf,
      'the commenter’s email': EMAIL,
      'the pending-comments cookie': commenter.pendingCookie,
      'the edit link’s token': commenter.editToken,
      'the unsubscribe token': commenter.unsubscribe,
    });
    assert.doesNotMatch(text, /example\.org/, 'no part of an address');
  });

  it('gives every request one line with its id, method, path (no query) and status', async () => {
    const app = appWith(database.db, { logger: log.logger });
    const responses = [
      await request(app).get(`${DEMO_PATH}?replytocom=1`),
      await request(app).get('/css/site.css'),
      await request(app).get('/no/such/page?x=1'),
      await request(app).post(COMMENTS_PATH).set('Origin', 'https://evil.example').type('form').send('comment=x'),
    ];
    const lines = log.lines().filter((line) => line.req !== undefined);
    for (const response of responses) {
      const id = response.headers['x-request-id'];
      const mine = lines.filter((line) => (line.req as { id?: string }).id === id);
      assert.equal(mine.length, 1, `one line for request ${id}`);
      const [line] = mine;
      assert.equal((line!.res as { status: number }).status, response.status);
      assert.doesNotMatch(String((line!.req as { path: string }).path), /\?/);
    }
    const paths = lines.map((line) => `${(line.req as { method: string }).method} ${(line.req as { path: string }).path}`);
    assert.deepEqual(paths, [`GET ${DEMO_PATH}`, 'GET /css/site.css', 'GET /no/such/page', `POST ${COMMENTS_PATH}`]);
  });
});

describe('error pages show the request id their log line carries', () => {
  let broken: Database;
  before(() => {
    broken = databaseWithoutTables();
  });
  after(() => broken.destroy());

  it('a 500: the page, the X-Request-Id header and the error line agree; the line has no query string', async () => {
    const app = appWith(broken, { logger: log.logger });
    const response = await request(app)
      .get(`${DEMO_PATH}?email=${encodeURIComponent(EMAIL)}`)
      .expect(500);
    const shown = parsePage(response.text)('.error-page__reference code').text();
    assert.match(shown, /^[0-9a-f-]{36}$/);
    assert.equal(response.headers['x-request-id'], shown);
    const failure = log.lines().find((line) => line.msg === 'request failed');
    assert.ok(failure, 'the failure is logged');
    assert.equal(failure.requestId, shown);
    assert.equal(failure.level, 50);
    assert.equal(failure.path, DEMO_PATH);
    assert.ok((failure.err as { stack?: string }).stack, 'the log has the stack the page does not');
    const completed = log.lines().find((line) => (line.req as { id?: string } | undefined)?.id === shown);
    assert.ok(completed, 'the request line carries the same id');
    assert.doesNotMatch(log.text(), /example\.org/);
    assert.doesNotMatch(response.text, /no_such_schema|relation .* does not exist|at .+\.(ts|js):\d+/, 'no detail on the page');
  });

  it('4xx pages show their request id too', async () => {
    const app = appWith(database.db, { logger: log.logger });
    for (const response of [
      await request(app).get('/no/such/page'),
      await request(app).delete(DEMO_PATH),
      await request(app).post(COMMENTS_PATH).set('Origin', 'https://evil.example').type('form').send('comment=x'),
    ]) {
      const shown = parsePage(response.text)('.error-page__reference code').text();
      assert.equal(shown, response.headers['x-request-id'], `${response.status}`);
      assert.ok(log.lines().some((line) => (line.req as { id?: string } | undefined)?.id === shown));
    }
  });
});

describe('mail failures in the log', () => {
  let smtp: net.Server;
  let port: number;

  /** A mail server that refuses every recipient, quoting the address as real servers do. */
  before(async () => {
    smtp = net.createServer((socket) => {
      socket.write('220 refuse.example ESMTP\r\n');
      let buffered = '';
      socket.on('data', (data) => {
        buffered += data.toString();
        let end: number;
        while ((end = buffered.indexOf('\r\n')) >= 0) {
          const command = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (/^EHLO/i.test(command)) socket.write('250-refuse.example\r\n250 8BITMIME\r\n');
          else if (/^RCPT TO:/i.test(command))
            socket.write(`550 5.1.1 ${command.slice(8).trim()}: Recipient address rejected: User unknown\r\n`);
          else if (/^QUIT/i.test(command)) socket.end('221 bye\r\n');
          else socket.write('250 OK\r\n');
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  it('a refused recipient is logged without the address', async () => {
    await database
      .db('mail_outbox')
      .insert({ dedupe_key: 'log-test', kind: 'approved', recipient: EMAIL, subject: 'Published', body: 'Hello' });
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      outboxDir: '',
      from: 'Broadsheet <noreply@example.com>',
      messageIdDomain: 'example.com',
    });
    try {
      assert.equal(await deliverDueMail(database.db, mailer, log.logger), 0);
    } finally {
      mailer.close();
    }
    const line = log.lines().find((entry) => entry.msg === 'mail not sent');
    assert.ok(line, 'the failure is logged');
    assert.match(String(line.err), /Recipient address rejected/);
    assertAbsent(log.text(), { 'the recipient': EMAIL });
    const row = await database.db('mail_outbox').where({ dedupe_key: 'log-test' }).first();
    assert.equal(row.status, 'pending', 'kept for a retry');
  });
});

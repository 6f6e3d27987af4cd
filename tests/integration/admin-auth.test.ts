import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import type { Response } from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { HOURLY_FAILURES_PER_ADDRESS } from '../../src/admin-auth/login-throttle.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';

const testDb = useTestDatabase();
const USERNAME = 'alice';
const PASSWORD = 'correct horse battery staple';
const WRONG_CREDENTIALS = 'The username or password is incorrect.';
const LOGIN_REDIRECT = '/admin/login?next=%2Fadmin';
const MINUTE = 60 * 1000;

/** A clock the app reads through contextOf(req).now(); tests move it forward. */
function controllableClock() {
  let time = Date.now();
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

function setCookies(res: Response): string[] {
  const header = res.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
}

function adminCookie(res: Response): string | undefined {
  return setCookies(res).find((cookie) => cookie.startsWith('broadsheet_admin='));
}

/** `broadsheet_admin=s%3A<sid>.<signature>; …` → `<sid>` */
function sessionIdOf(cookie: string | undefined): string {
  assert.ok(cookie, 'expected a broadsheet_admin cookie');
  const value = decodeURIComponent(cookie.split(';')[0]!.slice('broadsheet_admin='.length));
  assert.ok(value.startsWith('s:'), value);
  return value.slice(2, value.lastIndexOf('.'));
}

function csrfFieldOf(html: string): string {
  const match = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html);
  assert.ok(match, 'expected a hidden _csrf field');
  return match[1]!;
}

async function sessionRow(sid: string): Promise<{ sess: Record<string, unknown> } | undefined> {
  return testDb.db('session').where({ sid }).first();
}

const sessionCount = async () => Number((await testDb.db('session').count<{ count: string }>({ count: '*' }).first())?.count);

/** Sessions that carry a signed-in admin (the re-shown login form may hold an anonymous one for its token). */
const signedInSessionCount = async () =>
  Number((await testDb.db('session').whereRaw(`sess->>'userId' IS NOT NULL`).count<{ count: string }>({ count: '*' }).first())?.count);

/** The synchroniser token csrf-sync keeps in the session (the queue pages that print it are built separately). */
async function csrfTokenOfSession(sid: string): Promise<string> {
  const token = (await sessionRow(sid))?.sess.csrfToken;
  assert.equal(typeof token, 'string');
  return token as string;
}

/** Opens the login form and signs in; returns the session id now in the agent's cookie. */
async function signIn(agent: ReturnType<typeof request.agent>, username = USERNAME, password = PASSWORD) {
  const page = await agent.get('/admin/login').expect(200);
  const res = await agent
    .post('/admin/login')
    .type('form')
    .send({ username, password, _csrf: csrfFieldOf(page.text) })
    .expect(303);
  assert.equal(res.headers.location, '/admin/comments');
  assert.equal(adminCookie(page), undefined, 'the form itself starts no session');
  return { res, sid: sessionIdOf(adminCookie(res)), pageToken: csrfFieldOf(page.text) };
}

/** A sign-in form's cookie and token, as a browser holds them after opening the form (any test app: they share the secret). */
let pass: { cookie: string; token: string };

async function openLoginForm(app = buildTestApp(testDb.db)) {
  const form = await request(app).get('/admin/login').expect(200);
  const cookie = setCookies(form).find((line) => line.startsWith('broadsheet_login='));
  assert.ok(cookie, 'the form sets its token cookie');
  return { cookie: cookie.split(';')[0]!, token: csrfFieldOf(form.text), form };
}

/** POST /admin/login from a browser that opened the form. */
const loginPost = (app: ReturnType<typeof buildTestApp>) => request(app).post('/admin/login').set('Cookie', pass.cookie);

const expectSignedIn = (agent: ReturnType<typeof request.agent>) => agent.get('/admin').expect(303).expect('Location', '/admin/comments');

beforeEach(async () => {
  await createAdmin(testDb.db, USERNAME, PASSWORD);
  const { cookie, token } = await openLoginForm();
  pass = { cookie, token };
});

describe('the sign-in form', () => {
  it('has username, password and a hidden _csrf field, and is private', async () => {
    const res = await request(buildTestApp(testDb.db)).get('/admin/login').expect(200);
    assert.match(res.text, /<input id="username" name="username" type="text"/);
    assert.match(res.text, /<input id="password" name="password" type="password"/);
    assert.ok(csrfFieldOf(res.text).length >= 16);
    assert.match(res.text, /<form class="login-form" action="\/admin\/login" method="post">/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['x-robots-tag']), /noindex/);
  });

  it('sends an admin page without a session to the form, storing no session', async () => {
    const app = buildTestApp(testDb.db);
    const res = await request(app).get('/admin').expect(303).expect('Location', LOGIN_REDIRECT);
    assert.equal(adminCookie(res), undefined);
    assert.equal(await sessionCount(), 0);
  });
});

describe('signing in', () => {
  it('redirects to the queue with an HttpOnly, SameSite=Lax cookie scoped to /admin', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    const { res, sid } = await signIn(agent);
    const cookie = adminCookie(res)!;
    assert.match(cookie, /; Path=\/admin(;|$)/);
    assert.match(cookie, /; HttpOnly(;|$)/);
    assert.match(cookie, /; SameSite=Lax(;|$)/);
    assert.doesNotMatch(cookie, /; Secure/, 'no Secure flag outside production over http');
    const expires = Date.parse(/; Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    assert.ok(expires - Date.now() <= 30 * MINUTE + 5000 && expires - Date.now() > 29 * MINUTE, 'expires in 30 minutes');
    const row = await sessionRow(sid);
    const user = await testDb.db('users').where({ username: USERNAME }).first();
    assert.equal(String(row?.sess.userId), String(user.id));
    await expectSignedIn(agent);
  });

  it('marks the cookie Secure in production over https behind a trusted proxy', async () => {
    const app = buildTestApp(testDb.db, { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), TRUST_PROXY: '1' });
    const res = await loginPost(app)
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token })
      .expect(303)
      .expect('Location', '/admin/comments');
    const cookie = adminCookie(res);
    assert.ok(cookie);
    assert.match(cookie, /; Secure(;|$)/);
    assert.match(cookie, /; HttpOnly(;|$)/);
    assert.match(cookie, /; SameSite=Lax(;|$)/);
    assert.match(cookie, /; Path=\/admin(;|$)/);
  });

  it('signs in over plain http in production when the site’s address is http (the compose profiles on localhost)', async () => {
    const agent = request.agent(
      buildTestApp(testDb.db, { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), BASE_URL: 'http://localhost:8080' }),
    );
    const { res } = await signIn(agent);
    assert.doesNotMatch(adminCookie(res)!, /; Secure/);
    await expectSignedIn(agent);
  });

  it('never sends an https site’s cookie over plain http', async () => {
    const app = buildTestApp(testDb.db, { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), BASE_URL: 'https://blog.example.org' });
    const form = await request(app).get('/admin/login').expect(200);
    assert.equal(adminCookie(form), undefined);
    const res = await loginPost(app).type('form').send({ username: USERNAME, password: PASSWORD, _csrf: pass.token }).expect(303);
    assert.equal(adminCookie(res), undefined);
    const secure = await loginPost(app)
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token })
      .expect(303);
    assert.equal(adminCookie(secure), undefined, 'X-Forwarded-Proto is not believed without TRUST_PROXY');
  });

  it('issues a new session id at sign-in: a planted session cookie signs no one in (no fixation)', async () => {
    const planted = await signIn(request.agent(buildTestApp(testDb.db)));
    const plantedCookie = adminCookie(planted.res)!.split(';')[0]!;
    const agent = request.agent(buildTestApp(testDb.db));
    const form = await agent.get('/admin/login').set('Cookie', plantedCookie);
    // A signed-in session is sent on; sign it out to plant it as a stale cookie.
    assert.equal(form.status, 303);
    await testDb.db('session').where({ sid: planted.sid }).delete();
    const { sid } = await signIn(agent);
    assert.notEqual(sid, planted.sid);
    await request(buildTestApp(testDb.db)).get('/admin').set('Cookie', plantedCookie).expect(303).expect('Location', LOGIN_REDIRECT);
  });

  it('gives a fresh CSRF token after sign-in: the form’s token no longer works', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    const { sid, pageToken } = await signIn(agent);
    assert.notEqual(await csrfTokenOfSession(sid), pageToken);
    await agent.post('/admin/logout').type('form').send({ _csrf: pageToken }).expect(403);
    await expectSignedIn(agent);
  });

  it('answers a wrong password and an unknown user alike: 401 and one generic message', async () => {
    const app = buildTestApp(testDb.db);
    const wrong = await loginPost(app).type('form').send({ username: USERNAME, password: 'not it at all', _csrf: pass.token });
    const unknown = await loginPost(app).type('form').send({ username: 'mallory', password: PASSWORD, _csrf: pass.token });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.ok(res.text.includes(WRONG_CREDENTIALS));
    }
    const errorOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0];
    assert.equal(errorOf(wrong.text), errorOf(unknown.text));
    assert.equal(await signedInSessionCount(), 0);
  });

  it('accepts the username in any case', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    await signIn(agent, 'ALICE');
  });
});

describe('the next path after sign-in', () => {
  const signInWithNext = async (next: string) => {
    const res = await loginPost(buildTestApp(testDb.db))
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, next, _csrf: pass.token })
      .expect(303);
    return res.headers.location;
  };

  it('keeps a same-site path', async () => {
    assert.equal(await signInWithNext('/admin/comments?status=spam&article=x'), '/admin/comments?status=spam&article=x');
    assert.equal(await signInWithNext('/admin/log'), '/admin/log');
  });

  for (const attempt of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/.//evil.example']) {
    it(`sends ${attempt} to the queue instead`, async () => {
      assert.equal(await signInWithNext(attempt), '/admin/comments');
    });
  }

  it('checks next the same way when a signed-in admin opens the form again', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    await signIn(agent);
    await agent
      .get(`/admin/login?next=${encodeURIComponent('/admin/log')}`)
      .expect(303)
      .expect('Location', '/admin/log');
    for (const attempt of ['//evil.example', '/.//evil.example']) {
      await agent
        .get(`/admin/login?next=${encodeURIComponent(attempt)}`)
        .expect(303)
        .expect('Location', '/admin/comments');
    }
  });

  it('does not put an unsafe next into the form', async () => {
    const res = await request(buildTestApp(testDb.db))
      .get(`/admin/login?next=${encodeURIComponent('//evil.example')}`)
      .expect(200);
    assert.match(res.text, /name="next" value="\/admin\/comments"/);
    assert.doesNotMatch(res.text, /evil\.example/);
  });
});

describe('signing out', () => {
  it('is not done by GET', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    const { sid } = await signIn(agent);
    const res = await agent.get('/admin/logout');
    assert.notEqual(res.status, 303);
    assert.ok(await sessionRow(sid));
    await expectSignedIn(agent);
  });

  it('needs the session’s _csrf: without it 403 and the session lives on', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    const { sid } = await signIn(agent);
    await agent.post('/admin/logout').type('form').send({}).expect(403);
    await agent.post('/admin/logout').type('form').send({ _csrf: 'made-up-token' }).expect(403);
    assert.ok(await sessionRow(sid));
    await expectSignedIn(agent);
  });

  it('refuses another session’s token', async () => {
    await createAdmin(testDb.db, 'bob', 'another long password');
    const app = buildTestApp(testDb.db);
    const alice = request.agent(app);
    const bob = request.agent(app);
    const aliceSession = await signIn(alice);
    const bobSession = await signIn(bob, 'bob', 'another long password');
    const bobToken = await csrfTokenOfSession(bobSession.sid);
    await alice.post('/admin/logout').type('form').send({ _csrf: bobToken }).expect(403);
    assert.ok(await sessionRow(aliceSession.sid));
    assert.ok(await sessionRow(bobSession.sid));
    await expectSignedIn(alice);
    await expectSignedIn(bob);
  });

  it('destroys the session on the server: the old cookie no longer signs anyone in', async () => {
    const app = buildTestApp(testDb.db);
    const agent = request.agent(app);
    const { res: login, sid } = await signIn(agent);
    const oldCookie = adminCookie(login)!.split(';')[0]!;
    const res = await agent
      .post('/admin/logout')
      .type('form')
      .send({ _csrf: await csrfTokenOfSession(sid) })
      .expect(303);
    assert.equal(res.headers.location, '/');
    assert.match(adminCookie(res) ?? '', /^broadsheet_admin=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal(await sessionRow(sid), undefined);
    await request(app).get('/admin').set('Cookie', oldCookie).expect(303).expect('Location', LOGIN_REDIRECT);
    await agent.get('/admin').expect(303).expect('Location', LOGIN_REDIRECT);
    assert.equal(await sessionCount(), 0);
  });
});

describe('session lifetime', () => {
  it('ends after 30 idle minutes, enforced on the server', async () => {
    const clock = controllableClock();
    const agent = request.agent(buildTestApp(testDb.db, {}, { now: clock.now }));
    const { sid } = await signIn(agent);
    clock.advance(31 * MINUTE);
    const res = await agent.get('/admin').expect(303);
    assert.equal(res.headers.location, `${LOGIN_REDIRECT}&reason=expired`);
    assert.equal(await sessionRow(sid), undefined);
    await agent.get('/admin').expect(303).expect('Location', LOGIN_REDIRECT);
    const page = await agent.get(res.headers.location).expect(200);
    assert.ok(page.text.includes('Your session has ended. Please sign in again.'));
  });

  it('rolls: activity within 30 minutes keeps it alive', async () => {
    const clock = controllableClock();
    const agent = request.agent(buildTestApp(testDb.db, {}, { now: clock.now }));
    await signIn(agent);
    for (let step = 0; step < 4; step += 1) {
      clock.advance(29 * MINUTE);
      await expectSignedIn(agent);
    }
    clock.advance(31 * MINUTE);
    await agent.get('/admin').expect(303).expect('Location', `${LOGIN_REDIRECT}&reason=expired`);
  });

  it('writes a visit at most once a minute, and still ends 30 idle minutes after the last request', async () => {
    const clock = controllableClock();
    const agent = request.agent(buildTestApp(testDb.db, {}, { now: clock.now }));
    const { sid } = await signIn(agent);
    await agent.get('/admin/comments').expect(200);
    const stored = await sessionRow(sid);
    for (let step = 0; step < 3; step += 1) {
      clock.advance(15 * 1000);
      await agent.get('/admin/comments').expect(200);
    }
    assert.deepEqual(await sessionRow(sid), stored, 'page views within a minute of the stored visit write nothing');
    clock.advance(30 * MINUTE + 1);
    await agent.get('/admin/comments').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Fcomments&reason=expired');
    assert.equal(await sessionRow(sid), undefined);
  });

  it('stores a visit a minute or more after the last stored one: the idle time counts from it', async () => {
    const clock = controllableClock();
    const agent = request.agent(buildTestApp(testDb.db, {}, { now: clock.now }));
    const { sid } = await signIn(agent);
    clock.advance(2 * MINUTE);
    await agent.get('/admin/comments').expect(200);
    assert.equal((await sessionRow(sid))?.sess.lastSeenAt, clock.now());
    clock.advance(29 * MINUTE);
    await agent.get('/admin/comments').expect(200);
    clock.advance(30 * MINUTE + 1);
    await agent.get('/admin/comments').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Fcomments&reason=expired');
  });

  it('ends after 12 hours however active the admin is', async () => {
    const clock = controllableClock();
    const agent = request.agent(buildTestApp(testDb.db, {}, { now: clock.now }));
    const { sid } = await signIn(agent);
    for (let elapsed = 20; elapsed <= 12 * 60; elapsed += 20) {
      clock.advance(20 * MINUTE);
      await expectSignedIn(agent);
    }
    clock.advance(20 * MINUTE);
    await agent.get('/admin').expect(303).expect('Location', `${LOGIN_REDIRECT}&reason=expired`);
    assert.equal(await sessionRow(sid), undefined);
  });
});

describe('the sign-in throttle', () => {
  const app = () => buildTestApp(testDb.db, { TRUST_PROXY: '1' });
  const attempt = (target: ReturnType<typeof app>, ip: string, password: string, username = USERNAME) =>
    loginPost(target).set('X-Forwarded-For', ip).type('form').send({ username, password, _csrf: pass.token });
  const pairRow = (ip: string) =>
    testDb
      .db('rate_limits')
      .where({ key: `login:user-ip:${USERNAME}|${ip}` })
      .first();

  it('answers 429 with Retry-After after 10 failures from one address, even to the right password', async () => {
    const target = app();
    for (let failure = 1; failure <= 10; failure += 1) {
      await attempt(target, '198.51.100.7', `wrong ${failure}`).expect(401);
    }
    assert.ok(((await pairRow('198.51.100.7'))?.points ?? 0) >= 10, 'the tenth failure is recorded');
    const blocked = await attempt(target, '198.51.100.7', PASSWORD).expect(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    // The tenth failure starts a 15-minute lock-out.
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter > 14 * 60 && retryAfter <= 15 * 60,
      `Retry-After: ${blocked.headers['retry-after']}`,
    );
    assert.match(blocked.text, /Too many failed attempts/);
    assert.equal(await signedInSessionCount(), 0);

    const elsewhere = await attempt(target, '203.0.113.9', PASSWORD).expect(303);
    assert.ok(adminCookie(elsewhere));
  });

  it('counts an unknown username the same way', async () => {
    const target = app();
    for (let failure = 1; failure <= 10; failure += 1) await attempt(target, '198.51.100.8', 'whatever', 'nobody').expect(401);
    await attempt(target, '198.51.100.8', 'whatever', 'nobody').expect(429);
  });

  it('starts counting again after a successful sign-in', async () => {
    const target = app();
    for (let failure = 1; failure <= 9; failure += 1) await attempt(target, '198.51.100.7', 'wrong').expect(401);
    await attempt(target, '198.51.100.7', PASSWORD).expect(303);
    assert.equal(await pairRow('198.51.100.7'), undefined);
    for (let failure = 1; failure <= 9; failure += 1) await attempt(target, '198.51.100.7', 'wrong').expect(401);
    await attempt(target, '198.51.100.7', PASSWORD).expect(303);
  });

  it('keeps a username under attack from many addresses open to an address that has not failed', async () => {
    const target = app();
    for (let address = 1; address <= 10; address += 1) {
      for (let failure = 1; failure <= 10; failure += 1) await attempt(target, `192.0.2.${address}`, 'wrong').expect(401);
    }
    assert.equal(
      (
        await testDb
          .db('rate_limits')
          .where({ key: `login:user:${USERNAME}` })
          .first()
      )?.points,
      100,
    );
    const clean = await attempt(target, '192.0.2.200', PASSWORD).expect(303);
    assert.ok(adminCookie(clean), 'a correct password from a clean address signs in');
    // While the account is under attack, an address with any failure this hour may not try it again.
    await attempt(target, '192.0.2.201', 'wrong', 'somebody-else').expect(401);
    const res = await attempt(target, '192.0.2.201', PASSWORD).expect(429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    await attempt(target, '192.0.2.1', PASSWORD).expect(429);
  });

  it('caps failures from one address across usernames before any password is checked', async () => {
    const target = app();
    let checked = 0;
    for (let guess = 1; guess <= 400; guess += 1) {
      const res = await attempt(target, '198.51.100.50', 'wrong', `user${guess}x${Math.random().toString(36).slice(2, 8)}`);
      assert.ok([401, 429].includes(res.status), String(res.status));
      if (res.status === 401) checked += 1;
      assert.ok(checked <= HOURLY_FAILURES_PER_ADDRESS, `guess ${guess}: ${checked} passwords checked from one address`);
    }
    assert.equal(checked, HOURLY_FAILURES_PER_ADDRESS);
    await attempt(target, '198.51.100.50', PASSWORD).expect(429);
    await attempt(target, '198.51.100.51', PASSWORD).expect(303);
  });

  it('folds the username for the throttle as the account lookup does: ALİCE is not a way around it', async () => {
    const target = app();
    // Not a name any account can have (usernames are ASCII), so it signs no one in, whatever the database's lower() does.
    await attempt(target, '198.51.100.60', PASSWORD, 'ALİCE').expect(401);
    for (let failure = 1; failure <= 10; failure += 1)
      await attempt(target, '198.51.100.61', 'wrong', failure % 2 ? 'ALICE' : 'alice').expect(401);
    for (const name of ['alice', 'ALICE', 'ALİCE', 'alİce']) {
      const res = await attempt(target, '198.51.100.61', PASSWORD, name);
      assert.ok([401, 429].includes(res.status), `${name}: ${res.status}`);
    }
    assert.equal(await signedInSessionCount(), 0);
  });
});

describe('the sign-in form stores nothing until it is sent', () => {
  it('opening the form creates no session row and no session cookie, however often', async () => {
    const app = buildTestApp(testDb.db);
    for (let visit = 0; visit < 5; visit += 1) {
      const form = await request(app).get('/admin/login').expect(200);
      assert.equal(adminCookie(form), undefined);
      assert.match(
        setCookies(form).find((line) => line.startsWith('broadsheet_login=')) ?? '',
        /; Path=\/admin\/login; HttpOnly; SameSite=Lax/,
      );
    }
    assert.equal(await sessionCount(), 0);
  });

  it('a wrong password stores no session either; only a sign-in does', async () => {
    const app = buildTestApp(testDb.db);
    await loginPost(app).type('form').send({ username: USERNAME, password: 'not it at all', _csrf: pass.token }).expect(401);
    assert.equal(await sessionCount(), 0);
    const signedIn = await loginPost(app).type('form').send({ username: USERNAME, password: PASSWORD, _csrf: pass.token }).expect(303);
    assert.equal(await sessionCount(), 1);
    assert.match(
      setCookies(signedIn).find((line) => line.startsWith('broadsheet_login=')) ?? '',
      /Expires=Thu, 01 Jan 1970/,
      'the form cookie is cleared',
    );
  });

  it('refuses a sign-in without the form’s token, or with a token of another browser, with 403', async () => {
    const app = buildTestApp(testDb.db);
    const other = await openLoginForm(app);
    const attempts = [
      request(app).post('/admin/login').type('form').send({ username: USERNAME, password: PASSWORD }),
      request(app).post('/admin/login').type('form').send({ username: USERNAME, password: PASSWORD, _csrf: pass.token }),
      loginPost(app).type('form').send({ username: USERNAME, password: PASSWORD }),
      loginPost(app).type('form').send({ username: USERNAME, password: PASSWORD, _csrf: other.token }),
      loginPost(app).type('form').send({ username: USERNAME, password: PASSWORD, _csrf: 'forged' }),
      request(app)
        .post('/admin/login')
        .set('Cookie', `broadsheet_login=${pass.token}`)
        .type('form')
        .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token }),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      assert.equal(res.status, 403);
      assert.equal(adminCookie(res), undefined);
    }
    assert.equal(await sessionCount(), 0);
  });

  it('keeps the form’s token across a failed try, as a browser re-sends the re-shown form', async () => {
    const agent = request.agent(buildTestApp(testDb.db));
    const form = await agent.get('/admin/login').expect(200);
    const failed = await agent
      .post('/admin/login')
      .type('form')
      .send({ username: USERNAME, password: 'nope', _csrf: csrfFieldOf(form.text) })
      .expect(401);
    await agent
      .post('/admin/login')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: csrfFieldOf(failed.text) })
      .expect(303);
  });
});

describe('the login form and other sites', () => {
  it('refuses a cross-site POST /admin/login with 403 and signs no one in', async () => {
    const app = buildTestApp(testDb.db, { BASE_URL: 'https://blog.example.com' });
    const agent = request.agent(app);
    await agent.get('/admin/login').expect(200);
    const before = await sessionCount();
    const res = await agent
      .post('/admin/login')
      .set('Cookie', pass.cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token })
      .expect(403);
    assert.equal(adminCookie(res), undefined);
    await agent
      .post('/admin/login')
      .set('Cookie', pass.cookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token })
      .expect(403);
    assert.equal(await sessionCount(), before);
    await agent.get('/admin').expect(303).expect('Location', LOGIN_REDIRECT);
    await agent
      .post('/admin/login')
      .set('Cookie', pass.cookie)
      .set('Origin', 'https://blog.example.com')
      .type('form')
      .send({ username: USERNAME, password: PASSWORD, _csrf: pass.token })
      .expect(303);
  });
});

describe('readers and commenters', () => {
  it('never get a session cookie or a session row', async () => {
    const app = buildTestApp(testDb.db);
    const responses = {
      home: await request(app).get('/').expect(200),
      article: await request(app).get(`/articles/${DEMO_SLUG}`).expect(200),
      comment: await request(app)
        .post(`/articles/${DEMO_SLUG}/comments`)
        .type('form')
        .send({ comment: 'A reader’s thought.', author: 'Reader', email: 'reader@example.com', url: '' })
        .expect(303),
    };
    for (const [page, res] of Object.entries(responses)) {
      assert.equal(adminCookie(res), undefined, `${page} set ${setCookies(res).join(' | ')}`);
    }
    assert.equal(await sessionCount(), 0);
    assert.equal(Number((await testDb.db('comments').count<{ count: string }>({ count: '*' }).first())?.count), 1);
  });
});

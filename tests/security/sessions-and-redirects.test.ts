import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { ADMIN_PASSWORD, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { APP_ORIGIN, DEMO_PATH, loadForm } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, parsePage } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { XSS_PAYLOADS, acceptedId, attackHarness, type AttackHarness } from '../helpers/security.js';

/**
 * Cookies an attacker can edit (the admin session, the commenter's signed
 * list of their own comments, the remembered name) and every place the site
 * redirects to an address it was given.
 */

const database = useTestDatabase();
let harness: AttackHarness;
let admin: AdminClient;
let pending: string;

beforeEach(async () => {
  harness = attackHarness(database.db);
  admin = await signInAdmin(harness.app, database.db);
  pending = await insertComment(database.db, { status: 'pending' });
});

/** A value signed as cookie-parser and express-session sign (`s:` + value + `.` + HMAC), by whoever holds the secret. */
const signed = (value: string, secret = TEST_COOKIE_SECRET) =>
  `s:${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;

const cookieOf = (name: string, raw: string) => `${name}=${encodeURIComponent(raw)}`;

async function sessionIdOf(client: AdminClient): Promise<string> {
  const rows = await database.db('session').whereRaw(`sess->>'userId' = ?`, [client.user.id]).select('sid');
  assert.equal(rows.length, 1);
  return rows[0].sid as string;
}

/** A sign-in form's cookie and token, as a browser holds them after opening it. */
async function openLoginForm(): Promise<{ cookie: string; token: string }> {
  const form = await request(harness.app).get('/admin/login').expect(200);
  const line = ([] as string[]).concat(form.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('broadsheet_login='));
  assert.ok(line, 'the form sets its token cookie');
  return { cookie: line.split(';')[0]!, token: parsePage(form.text)('input[name="_csrf"]').attr('value')! };
}

const statusOf = async (id: string) => (await database.db('comments').where({ id }).first<{ status: string }>()).status;

describe('tampered and expired admin session cookies never sign anyone in and never cause a 500', () => {
  it('a forged signature on a live session id, or a signature made with another secret, is not a session', async () => {
    const sid = await sessionIdOf(admin);
    for (const cookie of [`s:${sid}.AAAA`, `s:${sid}`, sid, signed(sid, 'another-secret-of-some-length-0123456789')]) {
      const response = await request(harness.app).get('/admin/comments').set('Cookie', cookieOf('broadsheet_admin', cookie));
      assert.equal(response.status, 303, cookie);
      assert.match(response.headers.location ?? '', /^\/admin\/login\?next=/);
      const post = await request(harness.app)
        .post(`/admin/comments/${pending}/status`)
        .set('Cookie', cookieOf('broadsheet_admin', cookie))
        .type('form')
        .send({ status: 'approved', _csrf: admin.csrf });
      assert.equal(post.status, 303);
    }
    assert.equal(await statusOf(pending), 'pending');
  });

  it('garbage session cookies: the login form and the queue answer, never 500', async () => {
    const garbage = [
      '',
      's:',
      's:.',
      '.',
      '%',
      '%E0%A4%A',
      '%00',
      'j:{"__proto__":{"userId":"1"}}',
      's:j:{}.x',
      '%E2%80%AE',
      'x'.repeat(4000),
      signed('../../etc/passwd'),
      signed("1' OR '1'='1"),
    ];
    for (const value of garbage) {
      const header = `broadsheet_admin=${value}`;
      for (const path of ['/admin/comments', '/admin/login', '/admin']) {
        const response = await request(harness.app).get(path).set('Cookie', header);
        assert.ok([200, 303].includes(response.status), `${JSON.stringify(value.slice(0, 40))} on ${path}: ${response.status}`);
      }
      await database.db('rate_limits').delete();
      const form = await openLoginForm();
      const login = await request(harness.app)
        .post('/admin/login')
        .set('Cookie', `${header}; ${form.cookie}`)
        .type('form')
        .send({ username: 'x', password: 'y', _csrf: form.token });
      assert.equal(login.status, 401, `${JSON.stringify(value.slice(0, 40))}: POST /admin/login`);
    }
  });

  it('two session cookies, a bogus one first: still the one session or none, never a 500', async () => {
    const sid = await sessionIdOf(admin);
    const response = await request(harness.app)
      .get('/admin/comments')
      .set('Cookie', `broadsheet_admin=s%3Abogus.AAAA; broadsheet_admin=${encodeURIComponent(signed(sid))}`);
    assert.ok([200, 303].includes(response.status), String(response.status));
  });

  it('an idle-expired session (31 minutes) cannot moderate even with its own token', async () => {
    harness.advanceSeconds(31 * 60);
    const response = await admin.post(`/admin/comments/${pending}/status`, { status: 'approved' });
    assert.equal(response.status, 303);
    assert.match(response.headers.location ?? '', /^\/admin\/login\?next=.*&reason=expired$/);
    assert.equal(await statusOf(pending), 'pending');
    assert.equal(
      await database
        .db('session')
        .whereRaw(`sess->>'userId' IS NOT NULL`)
        .count({ count: '*' })
        .first()
        .then((row) => Number(row!.count)),
      0,
      'destroyed',
    );
  });

  it('a session whose row has expired, or was deleted, is sent to sign in', async () => {
    const sid = await sessionIdOf(admin);
    await database
      .db('session')
      .where({ sid })
      .update({ expire: new Date(Date.now() - 60_000) });
    await admin.agent.get('/admin/comments').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Fcomments');
    await database.db('session').where({ sid }).delete();
    await admin.agent.get('/admin/comments').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Fcomments');
    const post = await admin.post(`/admin/comments/${pending}/status`, { status: 'approved' });
    assert.equal(post.status, 303);
    assert.equal(await statusOf(pending), 'pending');
  });

  it('a session of a deleted admin is ended, not a 500', async () => {
    await database.db('users').where({ id: admin.user.id }).delete();
    const response = await admin.agent.get('/admin/comments');
    assert.equal(response.status, 303);
    assert.match(response.headers.location ?? '', /reason=expired/);
  });
});

describe('tampered commenter cookies never reveal a held comment and never cause a 500', () => {
  it('a pending list with a forged signature, unsigned, or signed with another secret shows nobody’s held comment', async () => {
    for (const raw of [
      `s:${pending}.AAAA`,
      pending,
      `${pending}.${pending}`,
      signed(pending, 'another-secret-of-some-length-0123456789'),
    ]) {
      const response = await request(harness.app).get(DEMO_PATH).set('Cookie', cookieOf('broadsheet_pending', raw));
      assert.equal(response.status, 200, raw);
      assert.equal(parsePage(response.text)(`#comment-${pending}`).length, 0, `${raw} revealed the held comment`);
      const edit = await request(harness.app).get(`/comments/${pending}/edit`).set('Cookie', cookieOf('broadsheet_pending', raw));
      assert.equal(edit.status, 403);
    }
  });

  it('a correctly signed list of junk ids, or of thousands of ids, is read safely', async () => {
    const lists = [
      '-1.0.abc.1e3',
      `1 OR 1=1.${pending}`,
      Array.from({ length: 300 }, (_v, index) => String(index + 1)).join('.'),
      '9'.repeat(40),
    ];
    for (const list of lists) {
      const response = await request(harness.app)
        .get(DEMO_PATH)
        .set('Cookie', cookieOf('broadsheet_pending', signed(list)));
      assert.ok([200, 431].includes(response.status), `${list.slice(0, 30)}: ${response.status}`);
    }
  });

  it('JSON cookies (j:…) are not taken for a name, a list or an object', async () => {
    const cookies = [
      cookieOf('broadsheet_pending', `j:[${pending}]`),
      cookieOf('comment_author', 'j:{"toString":"x","__proto__":{"polluted":"yes"}}'),
      cookieOf('comment_author_email', 'j:["ada@example.org"]'),
      cookieOf('comment_author_url', 'j:{"length":1}'),
    ].join('; ');
    const response = await request(harness.app).get(DEMO_PATH).set('Cookie', cookies);
    assert.equal(response.status, 200);
    const page = parsePage(response.text);
    assert.equal(page(`#comment-${pending}`).length, 0);
    for (const field of ['author', 'email', 'url']) assert.equal(page(`#${field}`).attr('value'), '', field);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('remembered-name cookies carrying markup prefill the form as text', async () => {
    for (const payload of Object.values(XSS_PAYLOADS)) {
      // Only cookies shaped as the site writes them are read back (a valid email, an http(s) website).
      const website = `https://example.org/${payload}`;
      const cookies = [
        cookieOf('comment_author', payload),
        cookieOf('comment_author_email', 'ada@example.org'),
        cookieOf('comment_author_url', website),
      ].join('; ');
      const response = await request(harness.app).get(DEMO_PATH).set('Cookie', cookies);
      assert.equal(response.status, 200);
      const page = parsePage(response.text);
      assertNoInjectedMarkup(page);
      assert.equal(page('#author').attr('value'), payload);
      assert.equal(page('#url').attr('value'), website);
    }
  });

  it('cookies with bytes that are not UTF-8, or a header over the size limit: never a 500', async () => {
    for (const header of [
      'comment_author=%FF%FE',
      'broadsheet_pending=s%3A%E0%A4%A',
      'comment_author=%',
      `comment_author=${'x'.repeat(20_000)}`,
    ]) {
      const response = await request(harness.app).get(DEMO_PATH).set('Cookie', header);
      assert.ok([200, 431].includes(response.status), `${header.slice(0, 40)}: ${response.status}`);
    }
  });

  it('the commenter’s own cookie still works (the control case)', async () => {
    const browser = harness.browser();
    const id = acceptedId(await harness.post({}, { browser }));
    const { page } = await loadForm(browser);
    assert.equal(page(`#comment-${id}`).length, 1);
  });
});

/** A redirect target a browser resolves to this site, and to a path, not a protocol-relative or scheme URL. */
function assertSameSite(location: string | undefined, context: string) {
  assert.ok(location, `${context}: a Location`);
  assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${context}: ${location}`);
  assert.equal(new URL(location, APP_ORIGIN).origin, APP_ORIGIN, `${context}: ${location}`);
  assert.doesNotMatch(location, /[\r\n]/, `${context}: no header injection`);
}

const REDIRECT_ATTEMPTS = [
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/%2F%2Fevil.example',
  '/%5Cevil.example',
  '/..//evil.example',
  '/admin/../..//evil.example/',
  '/.//evil.example',
  'https://evil.example/admin/comments',
  'http:evil.example',
  'javascript:alert(1)',
  ' //evil.example',
  '／／evil.example',
  '/admin/comments\r\nSet-Cookie: x=y',
  '/admin/comments#//evil.example',
  `/${'a'.repeat(3000)}`,
];

describe('open redirects: only same-site paths', () => {
  it('next on sign-in', async () => {
    const form = await openLoginForm();
    for (const next of REDIRECT_ATTEMPTS) {
      await database.db('rate_limits').delete();
      const response = await request(harness.app)
        .post('/admin/login')
        .set('Cookie', form.cookie)
        .type('form')
        .send({ username: 'moderator', password: ADMIN_PASSWORD, next, _csrf: form.token });
      assert.equal(response.status, 303, JSON.stringify(next));
      assertSameSite(response.headers.location, `next=${JSON.stringify(next)}`);
    }
  });

  it('next on the sign-in form of a signed-in admin, and in the form’s hidden field', async () => {
    for (const next of REDIRECT_ATTEMPTS) {
      const signedIn = await admin.agent.get(`/admin/login?next=${encodeURIComponent(next)}`);
      assert.equal(signedIn.status, 303);
      assertSameSite(signedIn.headers.location, `GET next=${JSON.stringify(next)}`);
      const form = parsePage(
        (
          await request(harness.app)
            .get(`/admin/login?next=${encodeURIComponent(next)}`)
            .expect(200)
        ).text,
      );
      assertSameSite(form('input[name="next"]').attr('value'), `hidden next=${JSON.stringify(next)}`);
    }
  });

  it('return_to on every queue form, and a foreign Referer', async () => {
    for (const returnTo of REDIRECT_ATTEMPTS) {
      const response = await admin.post(`/admin/comments/${pending}/status`, { status: 'pending', return_to: returnTo });
      assert.ok([303, 400].includes(response.status), `${JSON.stringify(returnTo)}: ${response.status}`);
      if (response.status === 303) assertSameSite(response.headers.location, `return_to=${JSON.stringify(returnTo)}`);
    }
    const viaReferer = await admin
      .post(`/admin/comments/${pending}/status`, { status: 'approved' })
      .set('Referer', 'https://evil.example/admin/comments?status=spam');
    assert.equal(viaReferer.status, 303);
    assert.equal(viaReferer.headers.location, '/admin/comments');
  });

  it('the sign-in redirect of a signed-out request keeps the path it came for, on this site', async () => {
    for (const path of ['/admin/comments?status=spam&x=//evil.example', '/admin//evil.example', '/admin/%2F%2Fevil.example']) {
      const response = await request(harness.app).get(path);
      if (response.status === 303) assertSameSite(response.headers.location, path);
      else assert.equal(response.status, 404, path);
    }
  });

  it('static folders and comment permalinks redirect within the site', async () => {
    for (const path of [
      '/css',
      '/js',
      '/images',
      '//evil.example/%2e%2e/css',
      '/css//evil.example/..',
      '/css/%2F%2Fevil.example%2F..',
      `/comments/${pending}`,
    ]) {
      const response = await request(harness.app).get(path);
      assert.ok(response.status < 500, `${path}: ${response.status}`);
      if (response.status >= 300 && response.status < 400) assertSameSite(response.headers.location, path);
    }
  });
});

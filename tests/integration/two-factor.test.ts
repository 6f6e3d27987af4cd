import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import { generate } from 'otplib';
import request from 'supertest';
import { openSecret, secretSealingKey } from '../../src/admin-auth/two-factor-secrets.js';
import { adminApp, ADMIN_PASSWORD, csrfOf, postForm, type AdminClient } from '../helpers/admin.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, type Page } from '../helpers/html.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db, 'ada'));
});

const accountPage = async (): Promise<Page> => parsePage((await admin.agent.get('/admin/account').expect(200)).text);
const rowOf = () => testDb.db('two_factor').where({ user_id: admin.user.id }).first();
const codeFor = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
const eventCount = async (kind: string) =>
  Number(
    (await testDb.db('account_events').where({ kind, subject_id: admin.user.id }).count<{ count: string }>({ count: '*' }).first())?.count,
  );

/** Starts enrolment and returns the key the account page shows. */
async function startEnrolment(): Promise<{ page: Page; key: string }> {
  await admin
    .post('/admin/account/two-factor')
    .expect(303)
    .expect('Location', /^\/admin\/account/);
  const page = await accountPage();
  return { page, key: page('.two-factor__key').text().replace(/\s/g, '') };
}

/** Enrols with a code computed from the shown key; returns the key and the recovery codes shown once. */
async function enrol(): Promise<{ key: string; codes: string[]; flash: string }> {
  const { key } = await startEnrolment();
  await admin.post('/admin/account/two-factor', { code: await codeFor(key) }).expect(303);
  const page = await accountPage();
  return {
    key,
    flash: squash(page('.flash__message').text()),
    codes: page('.two-factor__codes li code')
      .map((_i, el) => page(el).text())
      .get(),
  };
}

describe('enrolling in two-factor sign-in', () => {
  it('starts off, with a button to set it up', async () => {
    const page = await accountPage();
    assert.match(squash(page('.two-factor').text()), /Two-factor sign-in is off/);
    assert.equal(page('form[action="/admin/account/two-factor"] button').length, 1);
  });

  it('shows a QR code drawn on the server as inline SVG and the same key typed out, stored sealed', async () => {
    const { page, key } = await startEnrolment();
    assert.match(key, /^[A-Z2-7]{32}$/);
    assert.equal(page('.two-factor__qr svg').length, 1);
    assert.equal(page('.two-factor img, .two-factor script').length, 0, 'no image from elsewhere, no script');
    const row = await rowOf();
    assert.equal(row.enabled_at, null);
    assert.ok(!row.pending_secret.includes(key), 'the key is not stored in the clear');
    assert.equal(openSecret(secretSealingKey(TEST_COOKIE_SECRET), row.pending_secret), key);
    assert.equal(openSecret(secretSealingKey('another-secret-of-at-least-32-characters'), row.pending_secret), null);
  });

  it('a wrong code keeps it off and says so at the field', async () => {
    await startEnrolment();
    const answer = await admin.post('/admin/account/two-factor', { code: '123456' }).expect(422);
    const page = parsePage(answer.text);
    assert.equal(page('#two-factor-code').attr('aria-invalid'), 'true');
    assert.match(page('#code-error').text(), /not right/);
    assert.equal((await rowOf()).enabled_at, null);
  });

  it('the right code turns it on and shows ten recovery codes once, stored only hashed', async () => {
    const { codes, flash } = await enrol();
    assert.match(flash, /Two-factor sign-in is on\./);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    assert.ok((await rowOf()).enabled_at instanceof Date);
    const stored = await testDb.db('two_factor_recovery_codes').where({ user_id: admin.user.id }).pluck('code_hash');
    assert.equal(stored.length, 10);
    assert.ok(stored.every((hash: string) => /^[0-9a-f]{64}$/.test(hash) && !codes.some((code) => hash.includes(code))));
    const again = await accountPage();
    assert.equal(again('.two-factor__codes').length, 0, 'shown only once');
    assert.match(squash(again('.two-factor').text()), /Two-factor sign-in is on\. 10 of 10 recovery codes are unused\./);
    assert.equal(await eventCount('two-factor-on'), 1);
  });

  it('the enrolment forms need the session token', async () => {
    await postForm(admin.agent, '/admin/account/two-factor', { _csrf: 'forged' }).expect(403);
    assert.equal(await rowOf(), undefined);
  });
});

describe('removing two-factor sign-in', () => {
  it('needs the current password; with it, two-factor and its codes are gone', async () => {
    await enrol();
    const answer = await admin.post('/admin/account/two-factor/disable', { current_password: 'not the password' }).expect(422);
    const refused = parsePage(answer.text);
    assert.equal(refused('#disable_password').attr('aria-invalid'), 'true');
    assert.ok((await rowOf()).enabled_at);

    await admin.post('/admin/account/two-factor/disable', { current_password: ADMIN_PASSWORD }).expect(303);
    assert.equal(await rowOf(), undefined);
    assert.equal(Number((await testDb.db('two_factor_recovery_codes').count<{ count: string }>({ count: '*' }).first())?.count), 0);
    assert.match(squash((await accountPage())('.two-factor').text()), /Two-factor sign-in is off/);
    assert.equal(await eventCount('two-factor-off'), 1);
  });
});

describe('requiring two-factor sign-in above Moderator', () => {
  async function requireTwoFactor() {
    const page = parsePage((await admin.agent.get('/admin/settings/discussion').expect(200)).text);
    assert.equal(page('label[for="require_two_factor"]').length, 1);
    const fields = { ...formFields(page, 'form[action="/admin/settings/discussion"]'), require_two_factor: '1' };
    await postForm(admin.agent, '/admin/settings/discussion', fields).expect(303);
  }

  async function signIn(username: string) {
    const agent = request.agent(app);
    const form = await agent.get('/admin/login').expect(200);
    const answer = await postForm(agent, '/admin/login', { username, password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) }).expect(303);
    return { agent, location: answer.headers.location };
  }

  it('an administrator without it is sent to enrol after sign-in and can open nothing else until then', async () => {
    await requireTwoFactor();
    const { agent, location } = await signIn('ada');
    assert.equal(location, '/admin/account');
    await agent.get('/admin/comments').expect(303).expect('Location', '/admin/account');
    const account = await agent.get('/admin/account').expect(200);
    assert.match(squash(parsePage(account.text)('.two-factor').text()), /requires two-factor sign-in for your role/);
    const csrf = csrfOf(account.text);
    await postForm(agent, '/admin/account/two-factor', { _csrf: csrf }).expect(303);
    const key = parsePage((await agent.get('/admin/account').expect(200)).text)('.two-factor__key')
      .text()
      .replace(/\s/g, '');
    await postForm(agent, '/admin/account/two-factor', { _csrf: csrf, code: await codeFor(key) }).expect(303);
    await agent.get('/admin/comments').expect(200);
    // Required: it cannot be removed.
    const refused = await postForm(agent, '/admin/account/two-factor/disable', { _csrf: csrf, current_password: ADMIN_PASSWORD }).expect(
      403,
    );
    assert.match(refused.text, /requires two-factor sign-in for your role/);
    assert.ok((await rowOf()).enabled_at);
  });

  it('a moderator is not held', async () => {
    await requireTwoFactor();
    await testDb.db('users').where({ id: admin.user.id }).update({ role: 'moderator' });
    const { agent, location } = await signIn('ada');
    assert.equal(location, '/admin/comments');
    await agent.get('/admin/comments').expect(200);
  });
});

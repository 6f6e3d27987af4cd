import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import { generate } from 'otplib';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { enableTwoFactor, savePendingSecret } from '../../src/admin-auth/two-factor-queries.js';
import { hashRecoveryCode, sealSecret, secretSealingKey } from '../../src/admin-auth/two-factor-secrets.js';
import { newTotpSecret } from '../../src/admin-auth/two-factor.js';
import type { UserRow } from '../../src/admin-auth/user-queries.js';
import { ADMIN_PASSWORD, csrfOf, postForm, type AdminAgent } from '../helpers/admin.js';
import { buildTestApp, TEST_COOKIE_SECRET } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';

const testDb = useTestDatabase();
const RECOVERY = 'abcd-efgh-jkmn-pqrs';
let app: Express;
let user: UserRow;
let secret: string;

/** Gives `user` two-factor as enrolment does, with one known recovery code. */
async function enrol(account: UserRow): Promise<string> {
  const totp = newTotpSecret();
  const sealed = sealSecret(secretSealingKey(TEST_COOKIE_SECRET), totp);
  await savePendingSecret(testDb.db, account.id, sealed);
  await enableTwoFactor(testDb.db, account.id, sealed, 0, [hashRecoveryCode(RECOVERY)]);
  return totp;
}

const codeNow = () => generate({ secret, epoch: Math.floor(Date.now() / 1000) });

beforeEach(async () => {
  app = buildTestApp(testDb.db);
  user = await createAdmin(testDb.db, 'ada', ADMIN_PASSWORD, { displayName: 'Ada' });
  secret = await enrol(user);
});

/** Signs in with the password; returns the agent on the code page and the page's token. */
async function passwordStep(agent: AdminAgent = request.agent(app)) {
  const form = await agent.get('/admin/login').expect(200);
  await postForm(agent, '/admin/login', { username: 'ada', password: ADMIN_PASSWORD, _csrf: csrfOf(form.text), next: '/admin/articles' })
    .expect(303)
    .expect('Location', '/admin/login/two-factor');
  const page = await agent.get('/admin/login/two-factor').expect(200);
  return { agent, csrf: csrfOf(page.text), page: parsePage(page.text) };
}

const events = async (kind: string) => testDb.db('account_events').where({ kind }).count<{ count: string }>({ count: '*' }).first();

describe('sign-in with two-factor on', () => {
  it('the password alone opens nothing: the admin still sends to the sign-in form', async () => {
    const { agent, page } = await passwordStep();
    assert.equal(page('input[name="code"]').length, 1);
    assert.equal(page('label[for="code"]').length, 1);
    await agent
      .get('/admin/comments')
      .expect(303)
      .expect('Location', /^\/admin\/login\?next=/);
    await agent.get('/admin/account').expect(303);
  });

  it('a current code completes sign-in: 303 to where the sign-in was going, and the admin opens', async () => {
    const { agent, csrf } = await passwordStep();
    await postForm(agent, '/admin/login/two-factor', { code: await codeNow(), _csrf: csrf })
      .expect(303)
      .expect('Location', '/admin/articles');
    await agent.get('/admin/comments').expect(200);
    const row = await testDb.db('users').where({ id: user.id }).first();
    assert.ok(row.last_sign_in_at instanceof Date);
    assert.equal(Number((await events('sign-in'))?.count), 1);
  });

  it('a code used once cannot be used again within its window', async () => {
    const code = await codeNow();
    const first = await passwordStep();
    await postForm(first.agent, '/admin/login/two-factor', { code, _csrf: first.csrf }).expect(303);
    const second = await passwordStep();
    const refused = await postForm(second.agent, '/admin/login/two-factor', { code, _csrf: second.csrf }).expect(401);
    assert.match(parsePage(refused.text)('.error-summary').text(), /not right/);
    await second.agent.get('/admin/comments').expect(303);
  });

  it('a wrong code answers 401, counts as a failed sign-in and opens nothing', async () => {
    const { agent, csrf } = await passwordStep();
    const page = parsePage((await postForm(agent, '/admin/login/two-factor', { code: '000000', _csrf: csrf }).expect(401)).text);
    assert.equal(page('input[name="code"]').attr('aria-invalid'), 'true');
    await agent.get('/admin/comments').expect(303);
    assert.equal(Number((await events('sign-in-failed'))?.count), 1);
  });

  it('a recovery code signs in once, and only once', async () => {
    const first = await passwordStep();
    await postForm(first.agent, '/admin/login/two-factor', { code: RECOVERY.toUpperCase(), _csrf: first.csrf }).expect(303);
    await first.agent.get('/admin/comments').expect(200);
    const second = await passwordStep();
    await postForm(second.agent, '/admin/login/two-factor', { code: RECOVERY, _csrf: second.csrf }).expect(401);
  });

  it('codes are throttled with the sign-in throttle: after ten wrong codes even the right one waits', async () => {
    const { agent, csrf } = await passwordStep();
    for (let i = 0; i < 10; i++) await postForm(agent, '/admin/login/two-factor', { code: '000000', _csrf: csrf }).expect(401);
    const locked = await postForm(agent, '/admin/login/two-factor', { code: await codeNow(), _csrf: csrf }).expect(429);
    assert.ok(Number(locked.headers['retry-after']) > 0);
    await agent.get('/admin/comments').expect(303);
  });

  it('the code page without the password step, or without the form token, opens nothing', async () => {
    const agent = request.agent(app);
    await agent.get('/admin/login/two-factor').expect(303).expect('Location', '/admin/login');
    const { agent: stepped } = await passwordStep();
    await postForm(stepped, '/admin/login/two-factor', { code: await codeNow() }).expect(403);
    await stepped.get('/admin/comments').expect(303);
  });
});

describe('sign-in refusals and records', () => {
  it('a disabled account gets the same 401 as a wrong password, even with the right one', async () => {
    await testDb.db('users').where({ id: user.id }).update({ status: 'disabled' });
    const agent = request.agent(app);
    const form = await agent.get('/admin/login').expect(200);
    const refused = await postForm(agent, '/admin/login', { username: 'ada', password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) }).expect(
      401,
    );
    assert.match(parsePage(refused.text)('.error-summary').text(), /The username or password is incorrect\./);
    await agent.get('/admin/comments').expect(303);
  });

  it('an account without two-factor signs in with the password alone and its sign-in is recorded', async () => {
    const bob = await createAdmin(testDb.db, 'bob', ADMIN_PASSWORD, { displayName: 'Bob' });
    const agent = request.agent(app);
    const form = await agent.get('/admin/login').expect(200);
    await postForm(agent, '/admin/login', { username: 'bob', password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) })
      .expect(303)
      .expect('Location', '/admin/comments');
    const row = await testDb.db('account_events').where({ kind: 'sign-in', subject_id: bob.id }).first();
    assert.ok(row);
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { verifyPassword } from '../../src/admin-auth/passwords.js';
import { RESET_MAILS_PER_ACCOUNT_HOURLY, RESET_REQUESTS_PER_ADDRESS_HOURLY } from '../../src/admin-auth/password-reset-limits.js';
import { findUserByUsername } from '../../src/admin-auth/user-queries.js';
import { signInAdmin, ADMIN_PASSWORD } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';

const testDb = useTestDatabase();
const NEW_PASSWORD = 'a fresh and long passphrase';
let app: Express;
let clock: number;

beforeEach(async () => {
  clock = Date.now();
  app = buildTestApp(testDb.db, {}, { now: () => clock });
  const user = await createAdmin(testDb.db, 'ada', ADMIN_PASSWORD, { displayName: 'Ada' });
  await testDb.db('users').where({ id: user.id }).update({ email: 'Ada@Example.org' });
});

const resetMails = () => testDb.db('mail_outbox').where({ kind: 'password-reset' }).orderBy('id');
const ask = (fields: Record<string, string>) => request(app).post('/admin/password-reset').type('form').send(fields);
const passwordOfAda = async () => (await findUserByUsername(testDb.db, 'ada'))!.password_hash;

/** Asks for a link for ada and returns its path, as the mail has it. */
async function linkFromMail(fields: Record<string, string> = { username: 'ada' }): Promise<string> {
  await ask(fields).expect(303).expect('Location', '/admin/password-reset?sent=1');
  const mails = await resetMails();
  const match = /https?:\/\/[^/\s]+(\/admin\/password-reset\/[A-Za-z0-9_-]+)/.exec(mails.at(-1)!.body);
  assert.ok(match, 'the mail holds a reset link');
  return match[1]!;
}

describe('asking for a reset link', () => {
  it('is linked from the sign-in page and works without a session', async () => {
    const login = parsePage((await request(app).get('/admin/login').expect(200)).text);
    assert.equal(login('a[href="/admin/password-reset"]').text(), 'Forgot your password?');
    const page = await request(app).get('/admin/password-reset').expect(200);
    assert.equal(page.headers['set-cookie'], undefined, 'no session is made');
    assert.equal(squash(parsePage(page.text)('h1').text()), 'Reset your password');
  });

  it('mails a single link to the account address, by username or by e-mail in any case', async () => {
    await linkFromMail({ username: 'ADA' });
    await linkFromMail({ email: 'ada@example.ORG' });
    const mails = await resetMails();
    assert.equal(mails.length, 2);
    assert.equal(mails[0].recipient, 'Ada@Example.org');
    assert.match(mails[0].body, /within the hour/);
    const stored = await testDb.db('password_resets');
    assert.equal(stored.length, 2);
    for (const row of stored) assert.ok(!mails[0].body.includes(Buffer.from(row.token_hash).toString('hex')), 'only a hash is stored');
  });

  it('answers the same for an unknown account, and mails nothing', async () => {
    const known = await ask({ username: 'ada' }).expect(303);
    const unknown = await ask({ username: 'nobody' }).expect(303);
    assert.equal(unknown.headers.location, known.headers.location);
    assert.equal((await resetMails()).length, 1);
    const page = parsePage((await request(app).get('/admin/password-reset?sent=1').expect(200)).text);
    assert.match(squash(page('.admin-notice').text()), /If that account exists/);
  });

  it('asks again for an empty form', async () => {
    const page = parsePage((await ask({ username: '  ' }).expect(422)).text);
    assert.match(squash(page('#login-error').text()), /Enter your username or e-mail address/);
  });

  it('sends an account only a few mails an hour, and an address only a few requests', async () => {
    for (let i = 0; i < RESET_MAILS_PER_ACCOUNT_HOURLY + 2; i += 1) await ask({ username: 'ada' }).expect(303);
    assert.equal((await resetMails()).length, RESET_MAILS_PER_ACCOUNT_HOURLY);
    for (let i = RESET_MAILS_PER_ACCOUNT_HOURLY + 2; i < RESET_REQUESTS_PER_ADDRESS_HOURLY; i += 1)
      await ask({ username: 'x' }).expect(303);
    const refused = await ask({ username: 'x' }).expect(429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
  });
});

describe('choosing a password through the link', () => {
  it('sets it, ends every session of the account, records the event and works only once', async () => {
    const signedIn = await signInAdmin(app, testDb.db, 'other');
    await testDb.db('users').where({ id: signedIn.user.id }).update({ email: 'other@example.org' });
    const link = await linkFromMail({ username: 'other' });
    const form = parsePage((await request(app).get(link).expect(200)).text);
    assert.equal(form('input[name="new_password"]').attr('type'), 'password');
    await request(app)
      .post(link)
      .type('form')
      .send({ new_password: NEW_PASSWORD })
      .expect(303)
      .expect('Location', '/admin/password-reset?done=1');
    const user = (await findUserByUsername(testDb.db, 'other'))!;
    assert.ok(await verifyPassword(user.password_hash, NEW_PASSWORD));
    await signedIn.agent.get('/admin/account').expect(303);
    const event = await testDb.db('account_events').where({ kind: 'password-reset' }).first();
    assert.equal(String(event.subject_id), user.id);

    const again = await request(app).post(link).type('form').send({ new_password: 'yet another long passphrase' }).expect(410);
    assert.match(squash(parsePage(again.text)('.error-summary').text()), /This link does not work/);
    assert.ok(await verifyPassword((await findUserByUsername(testDb.db, 'other'))!.password_hash, NEW_PASSWORD));
    await request(app).get(link).expect(410);
  });

  it('holds to the password rule, keeping the link usable', async () => {
    const link = await linkFromMail();
    const before = await passwordOfAda();
    const page = parsePage((await request(app).post(link).type('form').send({ new_password: 'short' }).expect(422)).text);
    assert.match(squash(page('#new_password-error').text()), /at least 12 characters/);
    assert.equal(page('#new_password').attr('aria-invalid'), 'true');
    assert.equal(await passwordOfAda(), before);
    await request(app).post(link).type('form').send({ new_password: NEW_PASSWORD }).expect(303);
  });

  it('refuses an expired link', async () => {
    const link = await linkFromMail();
    const before = await passwordOfAda();
    clock += 61 * 60 * 1000;
    await request(app).get(link).expect(410);
    await request(app).post(link).type('form').send({ new_password: NEW_PASSWORD }).expect(410);
    assert.equal(await passwordOfAda(), before);
  });

  it('refuses a forged link', async () => {
    const before = await passwordOfAda();
    for (const token of ['x'.repeat(43), 'short', 'A'.repeat(43)]) {
      const page = await request(app).post(`/admin/password-reset/${token}`).type('form').send({ new_password: NEW_PASSWORD }).expect(410);
      assert.match(squash(parsePage(page.text)('.error-summary').text()), /not a link we sent/);
    }
    assert.equal(await passwordOfAda(), before);
    assert.equal((await testDb.db('account_events').where({ kind: 'password-reset' })).length, 0);
  });

  it('ends the other open links of the account when one is used', async () => {
    const first = await linkFromMail();
    const second = await linkFromMail();
    await request(app).post(second).type('form').send({ new_password: NEW_PASSWORD }).expect(303);
    await request(app).get(first).expect(410);
  });
});

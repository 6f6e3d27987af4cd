import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { deviceLabel } from '../../src/admin-auth/session-devices.js';
import { findUserByUsername } from '../../src/admin-auth/user-queries.js';
import { adminApp, ADMIN_PASSWORD, csrfOf, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const accountPage = async (agent = admin.agent) => parsePage((await agent.get('/admin/account').expect(200)).text);
const emailOf = async () => (await findUserByUsername(testDb.db, 'moderator'))!.email;

/** A second sign-in of the test account, from another browser. */
async function signInAgain(userAgent: string) {
  const agent = request.agent(app);
  const form = await agent.get('/admin/login').set('User-Agent', userAgent).expect(200);
  await agent
    .post('/admin/login')
    .set('User-Agent', userAgent)
    .type('form')
    .send({ username: 'moderator', password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) })
    .expect(303);
  await agent.get('/admin/account').set('User-Agent', userAgent).expect(200);
  return agent;
}

describe('the e-mail address on the account page', () => {
  it('is saved with the name and shown again', async () => {
    await admin
      .post('/admin/account', { display_name: 'Mod', email: ' Mod@Example.org ' })
      .expect(303)
      .expect('Location', '/admin/account');
    assert.equal(await emailOf(), 'Mod@Example.org');
    const page = await accountPage();
    assert.equal(page('input[name="email"]').attr('value'), 'Mod@Example.org');
  });

  it('is removed when left empty', async () => {
    await admin.post('/admin/account', { display_name: 'Mod', email: 'mod@example.org' }).expect(303);
    await admin.post('/admin/account', { display_name: 'Mod', email: '' }).expect(303);
    assert.equal(await emailOf(), null);
  });

  it('refuses an address another account has, in any case: 422, what was typed kept, nothing changed', async () => {
    const other = await createAdmin(testDb.db, 'other', ADMIN_PASSWORD, { displayName: 'Other' });
    await testDb.db('users').where({ id: other.id }).update({ email: 'taken@example.org' });
    const response = await admin.post('/admin/account', { display_name: 'New name', email: 'TAKEN@example.org' }).expect(422);
    const page = parsePage(response.text);
    assert.match(squash(page('#email-error').text()), /Another account already uses that e-mail address/);
    assert.equal(page('input[name="email"]').attr('value'), 'TAKEN@example.org');
    assert.equal(page('input[name="email"]').attr('aria-invalid'), 'true');
    assert.equal(page('input[name="display_name"]').attr('value'), 'New name');
    assert.equal(await emailOf(), null);
    assert.equal((await findUserByUsername(testDb.db, 'moderator'))!.display_name, 'moderator');
  });

  it('refuses something that is not an address', async () => {
    const response = await admin.post('/admin/account', { display_name: 'Mod', email: 'not an address' }).expect(422);
    assert.match(squash(parsePage(response.text)('#email-error').text()), /Enter an e-mail address/);
    assert.equal(await emailOf(), null);
  });
});

describe('the sessions on the account page', () => {
  it('lists every session with its device, address and last visit, and marks this one', async () => {
    await signInAgain(SAFARI_IPHONE);
    const page = parsePage((await admin.agent.get('/admin/account').set('User-Agent', FIREFOX_LINUX).expect(200)).text);
    const rows = page('.account-session');
    assert.equal(rows.length, 2);
    const current = squash(page('.account-session--current').text());
    assert.match(current, /Firefox on Linux \(this session\)/);
    const other = squash(page('.account-session').not('.account-session--current').text());
    assert.match(other, /Safari on iOS/);
    assert.match(other, /127\.0\.0\.1|::1/);
    assert.equal(page('.account-session time').length, 2);
    assert.match(squash(page('#sessions-heading').text()), /Where you are signed in/);
  });

  it('signs out every other session and keeps this one', async () => {
    const phone = await signInAgain(SAFARI_IPHONE);
    const page = await accountPage();
    const form = page('form[action="/admin/account/sessions/sign-out-others"]');
    assert.equal(form.length, 1);
    await admin.post('/admin/account/sessions/sign-out-others').expect(303).expect('Location', '/admin/account');
    await phone.get('/admin/account').expect(303);
    const after = await accountPage();
    assert.equal(after('.account-session').length, 1);
    assert.match(squash(after('.flash__message').text()), /Every other session of this account has been signed out/);
    assert.equal(after('form[action="/admin/account/sessions/sign-out-others"]').length, 0);
  });

  it('does nothing without the form token', async () => {
    const phone = await signInAgain(SAFARI_IPHONE);
    const refused = await admin.post('/admin/account/sessions/sign-out-others', { _csrf: 'forged' });
    assert.equal(refused.status, 403);
    await phone.get('/admin/account').expect(200);
  });

  it('names common browsers and systems', () => {
    assert.equal(deviceLabel(FIREFOX_LINUX), 'Firefox on Linux');
    assert.equal(deviceLabel(SAFARI_IPHONE), 'Safari on iOS');
    assert.equal(
      deviceLabel(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      ),
      'Edge on Windows',
    );
    assert.equal(deviceLabel(undefined), 'Unknown device');
  });
});

describe('the two-factor section', () => {
  it('is part of the account page', async () => {
    const page = await accountPage();
    assert.equal(squash(page('#two-factor-heading').text()), 'Two-factor sign-in');
  });
});

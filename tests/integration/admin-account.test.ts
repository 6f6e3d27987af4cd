import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { findUserByUsername } from '../../src/admin-auth/user-queries.js';
import { verifyPassword } from '../../src/admin-auth/passwords.js';
import { adminApp, ADMIN_PASSWORD, csrfOf, postForm, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;
/** The test helper's account's name before any change. */
let initialName: string;

const displayNameOf = async () => (await findUserByUsername(testDb.db, 'moderator'))!.display_name;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
  initialName = await displayNameOf();
});
const accountPage = async () => parsePage((await admin.agent.get('/admin/account').expect(200)).text);

describe('the account page', () => {
  it('shows the display name readers see, in the admin layout, and needs a session', async () => {
    const page = await accountPage();
    assert.equal(textAt(page, 'h1'), 'Your account');
    assert.equal(page('input[name="display_name"]').attr('value'), initialName);
    assert.equal(page('form[action="/admin/account"] input[name="_csrf"]').attr('value'), admin.csrf);
    assert.equal(page('nav.admin-nav').length, 1, 'the admin layout');
    assert.match(textAt(page, '.account-username'), /moderator/);
    await request(app).get('/admin/account').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Faccount');
  });

  it('changes the display name: 303 back with a notice, and site replies are signed with it', async () => {
    const saved = await admin.post('/admin/account', { display_name: '  Ada Lovelace  ' }).expect(303);
    assert.equal(saved.headers.location, '/admin/account');
    assert.equal(await displayNameOf(), 'Ada Lovelace');
    const page = await accountPage();
    assert.match(squash(page('.flash__message').text()), /Readers now see your replies signed “Ada Lovelace”\./);
    assert.equal(page('input[name="display_name"]').attr('value'), 'Ada Lovelace');

    const comment = await insertComment(testDb.db, { status: 'approved' });
    await admin.post(`/admin/comments/${comment}/reply`, { comment: 'Thanks for reading.' }).expect(303);
    const reply = await testDb.db('comments').where({ is_site_reply: true }).first();
    assert.equal(reply.author_name, 'Ada Lovelace');
  });

  for (const [typed, message] of [
    ['', /Enter the name readers will see/],
    ['x'.repeat(61), /at most 60 characters/],
    ['Ada\u202eecalevoL', /control character/],
  ] as const) {
    it(`answers 422 with the typed value kept for ${JSON.stringify(typed.slice(0, 12))}`, async () => {
      const response = await admin.post('/admin/account', { display_name: typed }).expect(422);
      const page = parsePage(response.text);
      assert.equal(page('input[name="display_name"]').attr('value'), typed);
      assert.equal(page('input[name="display_name"]').attr('aria-invalid'), 'true');
      assert.match(textAt(page, '#display_name-error'), message);
      assert.equal(page('nav.admin-nav').length, 1);
      assert.equal(await displayNameOf(), initialName);
    });
  }

  it('refuses a change without the session’s _csrf', async () => {
    await admin.post('/admin/account', { display_name: 'Mallory', _csrf: 'forged' }).expect(403);
    await postForm(admin.agent, '/admin/account', { display_name: 'Mallory' }).expect(403);
    assert.equal(await displayNameOf(), initialName);
  });
});

describe('changing one’s password on the account page', () => {
  const NEW_PASSWORD = 'a brand new passphrase 7';

  it('needs the current password and a new one that follows the rules: 422, nothing changed', async () => {
    const before = (await findUserByUsername(testDb.db, 'moderator'))!.password_hash;
    const wrong = parsePage(
      (await admin.post('/admin/account/password', { current_password: 'not my password', new_password: NEW_PASSWORD }).expect(422)).text,
    );
    assert.match(textAt(wrong, '#current_password-error'), /not your current password/);
    const short = parsePage(
      (await admin.post('/admin/account/password', { current_password: ADMIN_PASSWORD, new_password: 'too short' }).expect(422)).text,
    );
    assert.match(textAt(short, '#new_password-error'), /at least 12 characters/);
    const common = parsePage(
      (await admin.post('/admin/account/password', { current_password: ADMIN_PASSWORD, new_password: 'Qwerty123456' }).expect(422)).text,
    );
    assert.match(textAt(common, '#new_password-error'), /commonly used/);
    assert.equal(common('input[name="new_password"]').attr('value'), undefined, 'passwords are never echoed back');
    assert.equal((await findUserByUsername(testDb.db, 'moderator'))!.password_hash, before);
  });

  it('sets it, keeps this session, and ends every other session of the account', async () => {
    const elsewhere = request.agent(app);
    const form = await elsewhere.get('/admin/login').expect(200);
    await elsewhere
      .post('/admin/login')
      .type('form')
      .send({ username: 'moderator', password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) })
      .expect(303);
    await elsewhere.get('/admin/comments').expect(200);

    const changed = await admin
      .post('/admin/account/password', { current_password: ADMIN_PASSWORD, new_password: NEW_PASSWORD })
      .expect(303);
    assert.equal(changed.headers.location, '/admin/account');
    assert.match(squash((await accountPage())('.flash__message').text()), /Your password was changed/);
    assert.equal(await verifyPassword((await findUserByUsername(testDb.db, 'moderator'))!.password_hash, NEW_PASSWORD), true);
    await elsewhere.get('/admin/comments').expect(303);
    await admin.agent.get('/admin/comments').expect(200);
  });

  it('lets the new password sign in', async () => {
    await admin.post('/admin/account/password', { current_password: ADMIN_PASSWORD, new_password: NEW_PASSWORD }).expect(303);
    const again = request.agent(app);
    const form = await again.get('/admin/login').expect(200);
    await again
      .post('/admin/login')
      .type('form')
      .send({ username: 'moderator', password: NEW_PASSWORD, _csrf: csrfOf(form.text) })
      .expect(303);
  });
});

describe('another admin', () => {
  it('changes only their own display name', async () => {
    const other = await signInAdmin(app, testDb.db, 'second');
    await other.post('/admin/account', { display_name: 'The Second' }).expect(303);
    assert.equal(await displayNameOf(), initialName);
    assert.equal((await findUserByUsername(testDb.db, 'second'))!.display_name, 'The Second');
  });
});

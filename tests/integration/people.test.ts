import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, ADMIN_PASSWORD, csrfOf, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db, 'ada'));
});

const userRow = (username: string) => testDb.db('users').whereRaw('lower(username) = lower(?)', [username]).first();
const sessionsOf = async (id: string) => (await testDb.db('session').whereRaw(`sess->>'userId' = ?`, [id]).count({ n: '*' }).first())!.n;
const eventsOf = (kind: string) => testDb.db('account_events').where({ kind }).select('*');

/** A second signed-in account with this role. */
async function another(username: string, role: string): Promise<AdminClient> {
  const client = await signInAdmin(app, testDb.db, username);
  await testDb.db('users').where({ id: client.user.id }).update({ role });
  return client;
}

/** Where a sign-in through the form sends the browser. */
async function signIn(username: string, password: string): Promise<string | undefined> {
  const agent = request.agent(app);
  const form = await agent.get('/admin/login').expect(200);
  const response = await agent
    .post('/admin/login')
    .type('form')
    .send({ username, password, _csrf: csrfOf(form.text) });
  return response.status === 303 ? response.headers.location : undefined;
}

describe('the people page', () => {
  it('lists every account with role, status, last sign-in and two-factor', async () => {
    const grace = await another('grace', 'moderator');
    await testDb.db('two_factor').insert({ user_id: grace.user.id, secret: 'JBSWY3DPEHPK3PXP', enabled_at: new Date() });
    const page = parsePage((await admin.agent.get('/admin/people').expect(200)).text);
    assert.equal(textAt(page, 'h1'), 'People');
    const row = (name: string) => page(`#person-${name === 'ada' ? admin.user.id : grace.user.id}`);
    assert.equal(squash(row('ada').find('.person__role').text()), 'Administrator');
    assert.equal(squash(row('grace').find('.person__role').text()), 'Moderator');
    assert.equal(squash(row('grace').find('.person__two-factor').text()), 'On');
    assert.equal(squash(row('ada').find('.person__two-factor').text()), 'Off');
    assert.equal(squash(row('grace').find('.person__status').text()), 'Active');
    assert.equal(row('ada').find('time').length, 1, 'the last sign-in');
    assert.equal(page('nav.admin-nav a[href="/admin/people"]').attr('aria-current'), 'page');
  });

  it('changes a role: 303 back, the row changed and the event recorded', async () => {
    const grace = await another('grace', 'moderator');
    await admin
      .post(`/admin/people/${grace.user.id}`, { role: 'editor', status: 'active' })
      .expect(303)
      .expect('Location', '/admin/people');
    assert.equal((await userRow('grace')).role, 'editor');
    const [event] = await eventsOf('role-changed');
    assert.equal(String(event.subject_id), grace.user.id);
    assert.match(event.detail, /moderator → editor/);
    // The new role applies to grace's next request: an editor may open articles.
    await grace.agent.get('/admin/articles').expect(200);
  });

  it('disabling ends every session of theirs at once; re-enabling lets them sign in again', async () => {
    const grace = await another('grace', 'editor');
    assert.equal(await signIn('grace', ADMIN_PASSWORD), '/admin/comments');
    assert.equal(Number(await sessionsOf(grace.user.id)), 2);
    await admin.post(`/admin/people/${grace.user.id}`, { role: 'editor', status: 'disabled' }).expect(303);
    assert.equal(Number(await sessionsOf(grace.user.id)), 0);
    await grace.agent.get('/admin/comments').expect(303);
    assert.equal((await eventsOf('disabled')).length, 1);
    assert.notEqual(await signIn('grace', ADMIN_PASSWORD), '/admin/comments', 'a disabled account does not sign in');
    await admin.post(`/admin/people/${grace.user.id}`, { role: 'editor', status: 'active' }).expect(303);
    assert.equal((await eventsOf('enabled')).length, 1);
    assert.equal(await signIn('grace', ADMIN_PASSWORD), '/admin/comments');
  });

  it('a disabled account’s remaining session opens nothing (its status is read on every request)', async () => {
    const grace = await another('grace', 'editor');
    // As another instance's change would look: the row changes, the session row is still there.
    await testDb.db('users').where({ id: grace.user.id }).update({ status: 'disabled' });
    await grace.agent
      .get('/admin/articles')
      .expect(303)
      .expect('Location', /\/admin\/login/);
  });

  for (const [what, send] of [
    ['demoted', (id: string) => admin.post(`/admin/people/${id}`, { role: 'editor', status: 'active' })],
    ['disabled', (id: string) => admin.post(`/admin/people/${id}`, { role: 'administrator', status: 'disabled' })],
    ['deleted', (id: string, heir: string) => admin.post(`/admin/people/${id}/delete`, { transfer_to: heir })],
  ] as const) {
    it(`the last active Administrator cannot be ${what}: a clear message and nothing changed`, async () => {
      const grace = await another('grace', 'editor');
      const before = await userRow('ada');
      const response = await send(admin.user.id, grace.user.id).expect(409);
      assert.match(squash(parsePage(response.text)('.flash__message').text()), /last active Administrator.*Nothing was changed/);
      assert.deepEqual(await userRow('ada'), before);
    });
  }

  it('two Administrators demoting each other at once: one of them stays', async () => {
    const grace = await another('grace', 'administrator');
    const results = await Promise.all([
      admin.post(`/admin/people/${grace.user.id}`, { role: 'author', status: 'active' }),
      grace.post(`/admin/people/${admin.user.id}`, { role: 'author', status: 'active' }),
    ]);
    const administrators = await testDb.db('users').where({ role: 'administrator', status: 'active' }).count({ n: '*' }).first();
    assert.equal(Number(administrators!.n), 1);
    assert.ok(results.some((response) => response.status === 303));
  });

  it('creates an account with a password, which can sign in with its role', async () => {
    await admin
      .post('/admin/people', {
        username: 'linus',
        display_name: 'Linus',
        email: 'linus@example.net',
        role: 'author',
        password: 'a long enough passphrase',
      })
      .expect(303)
      .expect('Location', '/admin/people');
    const row = await userRow('linus');
    assert.equal(row.role, 'author');
    assert.equal(row.email, 'linus@example.net');
    assert.equal((await eventsOf('created')).length, 1);
    assert.equal(await signIn('linus', 'a long enough passphrase'), '/admin/comments');
  });

  it('refuses a taken username and a weak password with 422, every field kept', async () => {
    const response = await admin
      .post('/admin/people', { username: 'ADA', display_name: 'Another', email: '', role: 'editor', password: 'short' })
      .expect(422);
    const page = parsePage(response.text);
    assert.match(squash(page('#create-username-error').text()), /taken/);
    assert.match(squash(page('#create-password-error').text()), /at least 12/);
    assert.equal(page('#create-display_name').attr('value'), 'Another');
    assert.equal(page('#create-role option[selected]').attr('value'), 'editor');
    assert.equal(page('#create-username').attr('aria-invalid'), 'true');
    assert.equal(page('.error-summary li').length, 2);
    assert.equal((await testDb.db('users').count({ n: '*' }).first())!.n, '1');
  });

  it('deleting passes their articles to the chosen person and ends their sessions', async () => {
    const grace = await another('grace', 'author');
    const article = await insertArticle(testDb.db, { author_id: grace.user.id, author_name: 'Grace' });
    await admin.post(`/admin/people/${grace.user.id}/delete`, { transfer_to: admin.user.id }).expect(303);
    assert.equal(await userRow('grace'), undefined);
    const moved = await testDb.db('articles').where({ id: article.id }).first();
    assert.equal(String(moved.author_id), admin.user.id);
    assert.equal(moved.author_name, 'ada');
    assert.equal(Number(await sessionsOf(grace.user.id)), 0);
    assert.equal((await eventsOf('deleted')).length, 1);
  });
});

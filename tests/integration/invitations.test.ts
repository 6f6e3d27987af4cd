import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, csrfOf, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db, 'ada'));
});

const PASSWORD = 'a long enough passphrase';
const userCount = async () => Number((await testDb.db('users').count({ n: '*' }).first())!.n);

/** Sends an invitation and returns the link's path, read from the queued mail. */
async function invite(email = 'grace@example.net', role = 'moderator'): Promise<string> {
  await admin.post('/admin/people/invite', { email, role }).expect(303).expect('Location', '/admin/people');
  const mail = await testDb.db('mail_outbox').where({ kind: 'invitation', recipient: email }).orderBy('id', 'desc').first();
  const link = /https?:\/\/\S+(\/admin\/invitation\/\S+)/.exec(mail.body);
  assert.ok(link, 'the mail carries the link');
  return link[1]!;
}

const accept = (path: string, fields: Record<string, string>) => request(app).post(path).type('form').send(fields);

describe('invitations', () => {
  it('mails a single-use link; the invitee chooses a username and password, without a session, and can sign in', async () => {
    const path = await invite();
    const stored = await testDb.db('invitations').first();
    assert.equal(stored.email, 'grace@example.net');
    assert.ok(!JSON.stringify(stored).includes(decodeURIComponent(path.split('/').pop()!)), 'only a hash of the token is stored');
    assert.equal((await testDb.db('account_events').where({ kind: 'invited' })).length, 1);

    const page = parsePage((await request(app).get(path).expect(200)).text);
    assert.equal(textAt(page, 'h1'), 'Accept your invitation');
    assert.match(squash(page('main').text()), /invited as Moderator/);
    await accept(path, { username: 'grace', display_name: 'Grace', password: PASSWORD }).expect(303).expect('Location', '/admin/login');

    const user = await testDb.db('users').where({ username: 'grace' }).first();
    assert.equal(user.role, 'moderator');
    assert.equal(user.email, 'grace@example.net');
    assert.equal((await testDb.db('account_events').where({ kind: 'invitation-accepted' })).length, 1);
    const agent = request.agent(app);
    const form = await agent.get('/admin/login').expect(200);
    await agent
      .post('/admin/login')
      .type('form')
      .send({ username: 'grace', password: PASSWORD, _csrf: csrfOf(form.text) })
      .expect(303)
      .expect('Location', '/admin/comments');
    // A moderator's navigation: comments only, no articles.
    const queue = parsePage((await agent.get('/admin/comments').expect(200)).text);
    assert.equal(queue('nav.admin-nav a[href="/admin/articles"]').length, 0);
  });

  it('a used link: a clear message and no second account', async () => {
    const path = await invite();
    await accept(path, { username: 'grace', password: PASSWORD }).expect(303);
    const again = await request(app).get(path).expect(410);
    assert.match(squash(parsePage(again.text)('main').text()), /already been used/);
    await accept(path, { username: 'grace2', password: PASSWORD }).expect(410);
    assert.equal(await userCount(), 2);
  });

  it('a forged or damaged link: a clear message and no change', async () => {
    const path = await invite();
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    const response = await request(app).get(forged).expect(410);
    assert.match(squash(parsePage(response.text)('main').text()), /not valid/);
    await accept(forged, { username: 'mallory', password: PASSWORD }).expect(410);
    await accept('/admin/invitation/nonsense', { username: 'mallory', password: PASSWORD }).expect(410);
    assert.equal(await userCount(), 1);
  });

  it('an expired link (48 h): a clear message and no change', async () => {
    const path = await invite();
    await testDb.db('invitations').update({ expires_at: new Date(Date.now() - 1000) });
    assert.match(squash(parsePage((await request(app).get(path).expect(410)).text)('main').text()), /expired/);
    await accept(path, { username: 'grace', password: PASSWORD }).expect(410);
    assert.equal(await userCount(), 1);
    const stored = await testDb.db('invitations').first();
    assert.ok(stored.expires_at.getTime() - stored.created_at.getTime() <= 48 * 3600 * 1000 + 1000);
  });

  it('a weak password or a taken username: 422 with what was typed, and the link still works', async () => {
    const path = await invite();
    const weak = parsePage((await accept(path, { username: 'grace', display_name: 'Grace', password: 'short' }).expect(422)).text);
    assert.match(squash(weak('#password-error').text()), /at least 12/);
    assert.equal(weak('#username').attr('value'), 'grace');
    const taken = parsePage((await accept(path, { username: 'ADA', password: PASSWORD }).expect(422)).text);
    assert.match(squash(taken('#username-error').text()), /taken/);
    assert.equal(await userCount(), 1);
    await accept(path, { username: 'grace', password: PASSWORD }).expect(303);
  });

  it('refuses an unusable address or role with 422 and sends nothing', async () => {
    const response = await admin.post('/admin/people/invite', { email: 'not an address', role: 'overlord' }).expect(422);
    const page = parsePage(response.text);
    assert.equal(page('#invite-email').attr('value'), 'not an address');
    assert.equal(page('#invite-email').attr('aria-invalid'), 'true');
    assert.equal(page('.error-summary li').length, 2);
    assert.equal((await testDb.db('mail_outbox').count({ n: '*' }).first())!.n, '0');
    assert.equal((await testDb.db('invitations').count({ n: '*' }).first())!.n, '0');
  });
});

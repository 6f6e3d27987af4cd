import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import type { PersonalExport } from '../../src/privacy/personal-export.js';
import { MAILS_PER_EMAIL_DAILY, REQUESTS_PER_ADDRESS_HOURLY } from '../../src/privacy/privacy-requests.js';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * Asking for one's data or its erasure: the /your-data form, the mailed
 * confirmation link (single use, 7 days, time moved rather than waited),
 * and the administrator's pages that start requests, confirm for a person
 * and hand out the export, whose contents match the rows stored.
 */

const testDb = useTestDatabase();
const EMAIL = 'carol@example.org';
const DAY_MS = 24 * 60 * 60 * 1000;
let app: Express;
let clock: number;
let admin: AdminClient;

beforeEach(async () => {
  clock = Date.now();
  app = buildTestApp(testDb.db, {}, { now: () => clock });
  admin = await signInAdmin(app, testDb.db, 'root');
  await testDb.db('users').where({ id: admin.user.id }).update({ role: 'administrator' });
});

const ask = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request(app).post('/your-data').set(headers).type('form').send(fields);
const requestMails = () => testDb.db('mail_outbox').where({ kind: 'privacy-request' }).orderBy('id');

/** The confirmation link of the latest request mail, as a path. */
async function linkFromMail(): Promise<string> {
  const mails = await requestMails();
  const match = /https?:\/\/[^/\s]+(\/your-data\/confirm\?token=\S+)/.exec(mails.at(-1)!.body);
  assert.ok(match, 'the mail holds a confirmation link');
  return match[1]!;
}
const tokenOf = (link: string) => new URL(link, 'http://x').searchParams.get('token')!;

describe('asking at /your-data', () => {
  it('is linked from every page footer as "Your data" and needs no session', async () => {
    const article = parsePage((await request(app).get(`/articles/${DEMO_SLUG}`).expect(200)).text);
    assert.equal(article('.site-footer a[href="/your-data"]').text(), 'Your data');
    assert.equal(article('.site-footer a[href="/privacy"]').text(), 'Privacy');
    const page = await request(app).get('/your-data').expect(200);
    assert.equal(page.headers['set-cookie'], undefined);
    assert.equal(squash(parsePage(page.text)('h1').text()), 'Your data');
  });

  it('mails a confirmation link for a known address, and answers the same for an unknown one', async () => {
    await insertComment(testDb.db, { author_email: 'Carol@Example.org' });
    const known = await ask({ email: EMAIL, request: 'export' }).expect(303);
    const unknown = await ask({ email: 'nobody@example.org', request: 'export' }).expect(303);
    assert.equal(known.headers.location, '/your-data?sent=1');
    assert.equal(unknown.headers.location, known.headers.location);
    const mails = await requestMails();
    assert.deepEqual(
      mails.map((mail: { recipient: string }) => mail.recipient),
      [EMAIL],
    );
    assert.match(mails[0].body, /within 7 days/);
    const stored = await testDb.db('privacy_requests');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].requested_by, null);
    assert.ok(!mails[0].body.includes(Buffer.from(stored[0].token_hash).toString('hex')), 'only a hash is stored');
    const sent = parsePage((await request(app).get('/your-data?sent=1').expect(200)).text);
    assert.match(squash(sent('.notice').text()), /If this site keeps anything about that address/);
  });

  it('gives the form back with each error and what was typed', async () => {
    const page = parsePage((await ask({ email: 'not an address', request: 'sell' }).expect(422)).text);
    assert.match(squash(page('#email-error').text()), /Enter an e-mail address/);
    assert.match(squash(page('#request-error').text()), /Choose a copy of your data or its erasure/);
    assert.equal(page('#email').val(), 'not an address');
    const arrays = await request(app)
      .post('/your-data')
      .type('form')
      .send('email=a@example.org&email=b@example.org&request=export')
      .expect(422);
    assert.match(arrays.text, /Enter the e-mail address/);
    assert.equal((await testDb.db('privacy_requests')).length, 0);
  });

  it('refuses a form sent from another site', async () => {
    await ask({ email: EMAIL, request: 'erase' }, { Origin: 'https://evil.example' }).expect(403);
    assert.equal((await testDb.db('rate_limits')).length, 0);
  });

  it('limits requests from one IP address, and mail to one address', async () => {
    await insertComment(testDb.db, { author_email: EMAIL });
    for (let i = 0; i < REQUESTS_PER_ADDRESS_HOURLY; i += 1) await ask({ email: EMAIL, request: 'export' }).expect(303);
    assert.equal((await requestMails()).length, MAILS_PER_EMAIL_DAILY);
    const refused = await ask({ email: EMAIL, request: 'export' }).expect(429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    const keys = (await testDb.db('rate_limits').select('key')).map((row: { key: string }) => row.key);
    assert.ok(!keys.some((key: string) => key.toLowerCase().includes(EMAIL)), 'counters never hold the address');
    clock += 61 * 60 * 1000;
    await ask({ email: EMAIL, request: 'export' }).expect(303);
  });
});

describe('the confirmation link', () => {
  beforeEach(async () => {
    await insertComment(testDb.db, { author_email: EMAIL });
  });

  it('asks on GET, confirms once on POST, and is used up after', async () => {
    await ask({ email: EMAIL, request: 'erase' }).expect(303);
    const link = await linkFromMail();
    const shown = parsePage((await request(app).get(link).expect(200)).text);
    assert.match(squash(shown('h1').text()), /Confirm your request to erase your data/);
    assert.equal((await testDb.db('privacy_requests').first()).confirmed_at, null, 'a GET changes nothing');
    const done = parsePage(
      (
        await request(app)
          .post('/your-data/confirm')
          .type('form')
          .send({ token: tokenOf(link) })
          .expect(200)
      ).text,
    );
    assert.match(squash(done('h1').text()), /Request confirmed/);
    assert.ok((await testDb.db('privacy_requests').first()).confirmed_at);
    await request(app)
      .post('/your-data/confirm')
      .type('form')
      .send({ token: tokenOf(link) })
      .expect(410);
    const used = parsePage((await request(app).get(link).expect(410)).text);
    assert.match(squash(used('h1').text()), /This link no longer works/);
  });

  it('expires after 7 days', async () => {
    await ask({ email: EMAIL, request: 'export' }).expect(303);
    const link = await linkFromMail();
    clock += 7 * DAY_MS - 60_000;
    await request(app).get(link).expect(200);
    clock += 2 * 60_000;
    await request(app).get(link).expect(410);
    await request(app)
      .post('/your-data/confirm')
      .type('form')
      .send({ token: tokenOf(link) })
      .expect(410);
    assert.equal((await testDb.db('privacy_requests').first()).confirmed_at, null);
    // The clock moved past the first admin's session: a fresh sign-in reads the list.
    const later = await signInAdmin(app, testDb.db, 'later');
    await testDb.db('users').where({ id: later.user.id }).update({ role: 'administrator' });
    const listed = parsePage((await later.agent.get('/admin/privacy/export').expect(200)).text);
    assert.match(squash(listed('.privacy-request').text()), /Expired unconfirmed/);
  });

  it('refuses a forged or damaged token', async () => {
    await request(app).get('/your-data/confirm?token=forged.value').expect(410);
    await request(app).get('/your-data/confirm').expect(410);
    await request(app)
      .post('/your-data/confirm')
      .type('form')
      .send({ token: ['a', 'b'] })
      .expect(410);
  });
});

describe('the administrator', () => {
  it('needs the privacy permission', async () => {
    const editor = await createAdmin(testDb.db, 'eddie', 'correct horse battery staple', { displayName: 'Eddie' });
    await testDb.db('users').where({ id: editor.id }).update({ role: 'editor' });
    const agent = request.agent(app);
    const login = await agent.get('/admin/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1]!;
    await agent
      .post('/admin/login')
      .type('form')
      .send({ username: 'eddie', password: 'correct horse battery staple', _csrf: csrf })
      .expect(303);
    await agent.get('/admin/privacy/export').expect(403);
    await agent.get('/admin/privacy/erase').expect(403);
    await request(app).get('/admin/privacy/export').expect(303);
  });

  it('starts an export, confirms it for the person with a reason, and downloads rows as stored', async () => {
    const articleId = (await testDb.db('articles').where({ slug: DEMO_SLUG }).first()).id;
    const first = await insertComment(testDb.db, {
      author_name: 'Carol',
      author_email: EMAIL,
      author_url: 'https://carol.example.net/',
      ip: '203.0.113.9',
      status: 'approved',
      body: 'First words.',
    });
    await insertComment(testDb.db, { author_email: 'other@example.org', body: 'Not Carol.' });
    await testDb.db('comments').where({ id: first }).update({ notify_on_reply: true });
    await testDb.db('conversation_unsubscribes').insert({ email: EMAIL, article_id: articleId });
    await testDb
      .db('mail_outbox')
      .insert({ dedupe_key: 'approved:1', kind: 'approved', recipient: EMAIL, subject: 'Your comment is up', body: 'Hello' });

    await admin.post('/admin/privacy/export', { email: 'Carol@Example.org' }).expect(303).expect('Location', '/admin/privacy/export');
    const waiting = parsePage((await admin.agent.get('/admin/privacy/export').expect(200)).text);
    assert.match(squash(waiting('.flash').text()), /A confirmation link was mailed/);
    assert.match(squash(waiting('.privacy-request').text()), /Waiting for confirmation/);
    const stored = await testDb.db('privacy_requests').first();
    assert.equal(stored.requested_by, admin.user.id);
    await admin.agent.get(`/admin/privacy/export?request=${stored.id}&format=json`).expect(409);

    await admin.post(`/admin/privacy/requests/${stored.id}/confirm`, { reason: '  ' }).expect(303);
    assert.equal((await testDb.db('privacy_requests').first()).confirmed_at, null, 'no reason, no confirmation');
    await admin.post(`/admin/privacy/requests/${stored.id}/confirm`, { reason: 'asked by phone; mail bounces' }).expect(303);
    const confirmed = parsePage((await admin.agent.get('/admin/privacy/export').expect(200)).text);
    assert.match(squash(confirmed('.privacy-request').text()), /by root for the person: asked by phone; mail bounces/);

    // Asking again once confirmed opens the export.
    await admin
      .post('/admin/privacy/export', { email: EMAIL })
      .expect(303)
      .expect('Location', `/admin/privacy/export?request=${stored.id}&format=html`);
    const json = await admin.agent.get(`/admin/privacy/export?request=${stored.id}&format=json`).expect(200);
    assert.match(json.headers['content-disposition'] as string, /attachment; filename="?personal-data-\d+\.json"?/);
    const data = JSON.parse(json.text) as PersonalExport;
    const row = await testDb.db('comments').where({ id: first }).first();
    assert.equal(data.email, 'Carol@Example.org');
    assert.equal(data.comments.length, 1);
    const exported = data.comments[0]!;
    assert.deepEqual(
      {
        id: exported.id,
        name: exported.name,
        website: exported.website,
        ip: exported.ipAddress,
        text: exported.text,
        status: exported.status,
        createdAt: exported.createdAt,
      },
      {
        id: first,
        name: row.author_name,
        website: row.author_url,
        ip: '203.0.113.9',
        text: row.body,
        status: row.status,
        createdAt: row.created_at.toISOString(),
      },
    );
    assert.equal(exported.article.url, `http://127.0.0.1:3000/articles/${DEMO_SLUG}`);
    assert.deepEqual(data.subscriptions.notifications, [
      { commentId: first, article: exported.article.title, onApproval: false, onReply: true },
    ]);
    assert.equal(data.subscriptions.conversationsLeft.length, 1);
    assert.deepEqual(data.mail.map((mail: { subject: string }) => mail.subject).sort(), [
      'Confirm your request for your data',
      'Your comment is up',
    ]);

    const html = await admin.agent.get(`/admin/privacy/export?request=${stored.id}&format=html`).expect(200);
    const document = parsePage(html.text);
    assert.equal(document('.comment').length, 1);
    assert.match(squash(document('.comment').text()), /First words\..*/);
    assert.match(squash(document('.comment').text()), /203\.0\.113\.9/);
    assert.ok(!html.text.includes('Not Carol'));
    assert.ok((await testDb.db('privacy_requests').first()).completed_at, 'a downloaded export is marked done');
  });

  it('does not start a second request while one waits, and refuses a bad address', async () => {
    await admin.post('/admin/privacy/erase', { email: EMAIL }).expect(303);
    await admin.post('/admin/privacy/erase', { email: EMAIL }).expect(303);
    assert.equal((await testDb.db('privacy_requests')).length, 1);
    const refused = parsePage((await admin.post('/admin/privacy/erase', { email: 'carol at example' }).expect(422)).text);
    assert.match(squash(refused('#email-error').text()), /Enter an e-mail address/);
    await admin.post('/admin/privacy/erase', { email: EMAIL, extra: 'x' }).expect(400);
    await admin.agent.get('/admin/privacy/export?request=abc').expect(404);
  });
});

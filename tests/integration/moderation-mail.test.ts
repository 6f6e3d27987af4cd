import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';
import { insertComment, type TestComment } from '../helpers/rows.js';
import { moderateComments } from '../../src/moderation/moderation-queries.js';
import { unsubscribe } from '../../src/mail/notification-queries.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

interface Notify {
  onApproval?: boolean;
  onReply?: boolean;
}

/** A comment as stored, with the mail its author asked for on the form. */
async function comment(fields: Partial<TestComment>, notify: Notify = {}): Promise<string> {
  const id = await insertComment(testDb.db, fields);
  await testDb
    .db('comments')
    .where({ id })
    .update({ notify_on_approval: notify.onApproval ?? false, notify_on_reply: notify.onReply ?? false });
  return id;
}

/** The mail queued for commenters (mail to the moderators about held comments is left out). */
async function commenterMail() {
  const rows = await testDb.db('mail_outbox').whereIn('kind', ['approved', 'reply']).orderBy('id');
  return rows.map((row) => ({
    key: row.dedupe_key as string,
    to: row.recipient as string,
    subject: row.subject as string,
    body: row.body as string,
  }));
}

const keys = async () => (await commenterMail()).map((mail) => `${mail.key} → ${mail.to}`);

describe('mail when a moderator approves a comment', () => {
  it('tells the author who asked that their held comment is published, exactly once', async () => {
    const id = await comment({ status: 'pending', author_name: 'Ada Reader', author_email: 'ada@example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    const [mail, ...more] = await commenterMail();
    assert.deepEqual(more, []);
    assert.equal(mail!.key, `approved:${id}`);
    assert.equal(mail!.to, 'ada@example.org');
    assert.match(mail!.subject, /^Your comment on “.+” is published$/);
    assert.ok(mail!.body.includes(`http://127.0.0.1:3000/comments/${id}`), mail!.body);
    assert.match(mail!.body, /Stop these emails: http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=\S+/);

    // Unapproved, marked as spam, undone, approved again: still the one mail.
    await admin.post(`/admin/comments/${id}/status`, { status: 'pending' }).expect(303);
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    await admin.post(`/admin/comments/${id}/status`, { status: 'spam' }).expect(303);
    const token = parsePage((await admin.agent.get('/admin/comments').expect(200)).text)('.flash__undo input[name="token"]').attr('value')!;
    await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.equal((await testDb.db('comments').where({ id }).first()).status, 'approved');
    assert.deepEqual(await keys(), [`approved:${id} → ada@example.org`]);
  });

  it('mails nobody who did not ask', async () => {
    const id = await comment({ status: 'pending' });
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    assert.deepEqual(await commenterMail(), []);
  });

  it('mails for every comment a bulk approval publishes, and for an approval that Undo brings back', async () => {
    const a = await comment({ status: 'pending', author_email: 'a@example.org' }, { onApproval: true });
    const b = await comment({ status: 'spam', author_email: 'b@example.org' }, { onApproval: true });
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'approve'],
        ['ids', a],
        ['ids', b],
      ])
      .expect(303);
    assert.deepEqual(await keys(), [`approved:${a} → a@example.org`, `approved:${b} → b@example.org`]);

    // Published by the rules when posted (so never mailed), trashed, then put back by Undo.
    const c = await comment({ status: 'approved', author_email: 'c@example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${c}/status`, { status: 'trash' }).expect(303);
    const token = parsePage((await admin.agent.get('/admin/comments').expect(200)).text)('.flash__undo input[name="token"]').attr('value')!;
    await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.deepEqual((await keys()).slice(2), [`approved:${c} → c@example.org`]);
  });

  it('tells the author of the comment replied to, when an approved public reply is published', async () => {
    const site = commentingApp(testDb.db);
    const parent = await comment({ status: 'approved', author_name: 'Grace Parent', author_email: 'grace@example.org' }, { onReply: true });
    const browser = site.browser();
    const { fields } = await loadForm(browser);
    site.advanceSeconds(6);
    await postPairs(browser, typed(fields, { parent_id: parent, comment: 'I disagree, politely.', notify_approval: 'yes' }), {
      ip: '192.0.2.80',
    }).expect(303);
    const reply = String((await testDb.db('comments').whereNot({ id: parent }).first()).id);
    assert.equal((await testDb.db('comments').where({ id: reply }).first()).status, 'pending');
    assert.deepEqual(await commenterMail(), [], 'nothing is mailed while the reply is held');

    await admin.post(`/admin/comments/${reply}/status`, { status: 'approved' }).expect(303);
    await admin.post(`/admin/comments/${reply}/status`, { status: 'pending' }).expect(303);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'approve'],
        ['ids', reply],
      ])
      .expect(303);
    const mail = await commenterMail();
    assert.deepEqual(
      mail.map((m) => `${m.key} → ${m.to}`),
      [`approved:${reply} → ada@example.org`, `reply:${reply}:to:${parent} → grace@example.org`],
    );
    assert.ok(mail[1]!.body.includes('I disagree, politely.'));
    assert.equal(mail[1]!.subject, `Ada Reader replied to your comment on “${(await testDb.db('articles').first()).title}”`);
  });

  it('does not announce a reply to an author who did not ask, nor to the reply’s own author', async () => {
    const quiet = await comment({ status: 'approved', author_email: 'quiet@example.org' });
    const self = await comment({ status: 'approved', author_email: 'ada@example.org' }, { onReply: true });
    const toQuiet = await comment({ status: 'pending', parent_id: quiet, author_email: 'ada@example.org' });
    const toSelf = await comment({ status: 'pending', parent_id: self, author_email: 'ADA@example.org' });
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'approve'],
        ['ids', toQuiet],
        ['ids', toSelf],
      ])
      .expect(303);
    assert.deepEqual(await commenterMail(), []);
  });
});

describe('mail when the site replies', () => {
  it('tells the author of an approved comment who asked, once per reply', async () => {
    const parent = await comment({ status: 'approved', author_name: 'Grace Parent', author_email: 'grace@example.org' }, { onReply: true });
    await admin.post(`/admin/comments/${parent}/reply`, { comment: 'Thank you, Grace.' }).expect(303);
    const reply = String((await testDb.db('comments').where({ is_site_reply: true }).first()).id);
    const [mail, ...more] = await commenterMail();
    assert.deepEqual(more, []);
    assert.equal(mail!.key, `reply:${reply}:to:${parent}`);
    assert.equal(mail!.to, 'grace@example.org');
    assert.ok(mail!.body.includes('Thank you, Grace.'));
  });

  it('replying to a held comment publishes it: its author hears of both, once each', async () => {
    const parent = await comment({ status: 'pending', author_email: 'grace@example.org' }, { onApproval: true, onReply: true });
    await admin.post(`/admin/comments/${parent}/reply`, { comment: 'Welcome aboard.' }).expect(303);
    const reply = String((await testDb.db('comments').where({ is_site_reply: true }).first()).id);
    assert.deepEqual(await keys(), [`approved:${parent} → grace@example.org`, `reply:${reply}:to:${parent} → grace@example.org`]);
  });
});

describe('no mail', () => {
  it('for a comment moved to spam, one at a time, in bulk, or by blocking its author', async () => {
    const parent = await comment({ status: 'approved', author_email: 'grace@example.org' }, { onReply: true });
    const ids = [];
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) {
      ids.push(await comment({ status: 'pending', parent_id: parent, author_email: email }, { onApproval: true, onReply: true }));
    }
    await admin.post(`/admin/comments/${ids[0]}/status`, { status: 'spam' }).expect(303);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'spam'],
        ['ids', ids[1]!],
      ])
      .expect(303);
    await admin.post(`/admin/comments/${ids[2]}/block`, { kind: 'email' }).expect(303);
    const statuses = await testDb.db('comments').whereIn('id', ids).pluck('status');
    assert.deepEqual(statuses, ['spam', 'spam', 'spam']);
    assert.deepEqual(await testDb.db('mail_outbox').select('kind'), []);
  });

  it('to an address that has unsubscribed, whether by the query or by the link in a mail', async () => {
    const first = await comment({ status: 'pending', author_email: 'ada@example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${first}/status`, { status: 'approved' }).expect(303);
    const link = /Stop these emails: (\S+)/.exec((await commenterMail())[0]!.body)![1]!;
    const token = new URL(link).searchParams.get('token')!;
    const page = await request(app)
      .get(`/unsubscribe?token=${encodeURIComponent(token)}`)
      .expect(200);
    assert.ok(squash(parsePage(page.text)('main').text()).includes('ada@example.org'));
    await request(app).post('/unsubscribe').type('form').send({ token }).expect(200);

    const second = await comment({ status: 'pending', author_email: 'Ada@Example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${second}/status`, { status: 'approved' }).expect(303);
    await unsubscribe(testDb.db, 'grace@example.org');
    const parent = await comment({ status: 'approved', author_email: 'grace@example.org' }, { onReply: true });
    await admin.post(`/admin/comments/${parent}/reply`, { comment: 'Hello Grace.' }).expect(303);
    assert.deepEqual(await keys(), [`approved:${first} → ada@example.org`]);
  });
});

describe('mail and the change it follows', () => {
  it('are one transaction: when queuing the mail fails, the approval is rolled back', async () => {
    const id = await comment({ status: 'pending' }, { onApproval: true });
    const actor = { id: admin.user.id, name: 'moderator' };
    const failing = async () => Promise.reject(new Error('outbox unavailable'));
    await assert.rejects(
      moderateComments(testDb.db, [id], actor, new Date(), () => ({ kind: 'status', to: 'approved' }), failing),
      /outbox unavailable/,
    );
    assert.equal((await testDb.db('comments').where({ id }).first()).status, 'pending');
    assert.deepEqual(await testDb.db('moderation_log').select('id'), []);
  });
});

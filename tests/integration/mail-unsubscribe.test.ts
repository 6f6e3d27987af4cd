import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { APP_ORIGIN, DEMO_PATH, commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt } from '../helpers/html.js';
import { insertArticle, insertComment, type TestComment } from '../helpers/rows.js';
import { deliverQueuedMail } from '../helpers/security.js';

/**
 * Where the links in mail lead, the List-Unsubscribe headers every mail to
 * a commenter carries (RFC 2369 and RFC 8058 one-click), unsubscribing from
 * one conversation or from everything, and a later ticked box winning over
 * an earlier unsubscribe.
 */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const BASE = 'http://127.0.0.1:3000';
const ADA = 'ada@example.org';
const LONG_AGO = new Date(Date.UTC(2023, 0, 1));

interface Notify {
  onApproval?: boolean;
  onReply?: boolean;
}

async function comment(fields: Partial<TestComment>, notify: Notify = {}): Promise<string> {
  const id = await insertComment(testDb.db, fields);
  await testDb
    .db('comments')
    .where({ id })
    .update({ notify_on_approval: notify.onApproval ?? false, notify_on_reply: notify.onReply ?? false });
  return id;
}

interface MailRow {
  kind: string;
  dedupe_key: string;
  recipient: string;
  body: string;
  list_unsubscribe: string | null;
}

const mailRows = async (kind: string): Promise<MailRow[]> => testDb.db('mail_outbox').where({ kind }).orderBy('id');

/** Approves a held reply by a newcomer to `parent`, so its author hears of it (if they still want to). */
async function approvedReplyTo(parent: string, article_id?: string): Promise<string> {
  const reply = await comment({
    status: 'pending',
    parent_id: parent,
    author_name: 'Bea Writer',
    author_email: 'bea@example.org',
    ...(article_id ? { article_id } : {}),
  });
  await admin.post(`/admin/comments/${reply}/status`, { status: 'approved' }).expect(303);
  return reply;
}

const unsubscribePath = (url: string) => {
  const parsed = new URL(url);
  assert.equal(parsed.origin, BASE);
  assert.equal(parsed.pathname, '/unsubscribe');
  return `${parsed.pathname}${parsed.search}`;
};

const conversationUnsubscribes = async () =>
  (await testDb.db('conversation_unsubscribes').orderBy('article_id')).map(
    (row: { email: string; article_id: string }) => `${row.email} ${row.article_id}`,
  );
const globalUnsubscribes = async () => testDb.db('mail_unsubscribes').pluck('email');

describe('links in mail', () => {
  it('reply and approval mail link to the comment’s permalink, which finds its page', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    const held = await comment({ status: 'pending', author_email: 'cy@example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${held}/status`, { status: 'approved' }).expect(303);
    const reply = await approvedReplyTo(parent);

    const [approved] = await mailRows('approved');
    assert.ok(approved!.body.includes(`${BASE}/comments/${held}\n`), approved!.body);
    const [replyMail] = await mailRows('reply');
    assert.ok(replyMail!.body.includes(`Read the conversation: ${BASE}/comments/${reply}\n`), replyMail!.body);
    assert.ok(!replyMail!.body.includes(`${DEMO_PATH}#`), 'no guessed article address');

    const permalink = await request(app).get(`/comments/${reply}`).expect(302);
    assert.match(permalink.headers.location!, new RegExp(`#comment-${reply}$`));
  });

  it('moderator mail about a held comment links to that one comment in the queue', async () => {
    const site = commentingApp(testDb.db);
    const browser = site.browser();
    const { fields } = await loadForm(browser);
    site.advanceSeconds(6);
    await postPairs(browser, typed(fields, { comment: 'A first comment, held.' }), { ip: '192.0.2.70' }).expect(303);
    const id = String((await testDb.db('comments').first()).id);
    const [held] = await mailRows('held');
    assert.ok(
      held!.body.includes(`Review it: ${BASE}/admin/comments/${id}\n`) || held!.body.endsWith(`Review it: ${BASE}/admin/comments/${id}`),
      held!.body,
    );
    assert.equal(held!.list_unsubscribe, null, 'staff mail is not a list a commenter leaves');
  });
});

describe('List-Unsubscribe headers', () => {
  it('every mail to a commenter carries the https link and the one-click header; staff mail carries neither', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    const held = await comment({ status: 'pending', author_email: 'cy@example.org' }, { onApproval: true });
    await admin.post(`/admin/comments/${held}/status`, { status: 'approved' }).expect(303);
    await approvedReplyTo(parent);

    for (const kind of ['approved', 'reply']) {
      const [row] = await mailRows(kind);
      const footer = /^Stop these emails: (\S+)$/m.exec(row!.body)?.[1];
      assert.equal(row!.list_unsubscribe, footer, `${kind}: the header and the footer give the same link`);
      unsubscribePath(row!.list_unsubscribe);
    }
    const delivered = await deliverQueuedMail(testDb.db);
    const toCommenters = delivered.filter((mail) => mail.headers.get('to') !== 'moderation@127.0.0.1');
    assert.equal(toCommenters.length, 2);
    for (const mail of toCommenters) {
      const row = (await testDb
        .db('mail_outbox')
        .where({ recipient: mail.headers.get('to') })
        .first()) as MailRow;
      assert.equal(mail.headers.get('list-unsubscribe'), `<${row.list_unsubscribe}>`, 'no mailto: is invented');
      assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    }
  });

  it('a one-click POST to the link unsubscribes at once: no token field, no confirmation page', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    await approvedReplyTo(parent);
    const [row] = await mailRows('reply');
    // As a mail provider sends it: from its own server, no Origin, no cookies.
    const response = await request(app).post(unsubscribePath(row!.list_unsubscribe!)).type('form').send('List-Unsubscribe=One-Click');
    assert.equal(response.status, 200);
    assert.deepEqual(
      await conversationUnsubscribes(),
      [`${ADA} ${(await testDb.db('articles').first()).id}`],
      'a reply mail’s link leaves that conversation',
    );
    assert.deepEqual(await globalUnsubscribes(), []);

    const forged = row!.list_unsubscribe!.replace(/token=([^&]+)/, (_all, token: string) => `token=${token.slice(0, -2)}xx`);
    await request(app).post(unsubscribePath(forged)).type('form').send('List-Unsubscribe=One-Click').expect(400);
  });

  it('the approval mail’s one-click link stops every comment email', async () => {
    const held = await comment({ status: 'pending', author_email: ADA }, { onApproval: true });
    await admin.post(`/admin/comments/${held}/status`, { status: 'approved' }).expect(303);
    const [row] = await mailRows('approved');
    await request(app).post(unsubscribePath(row!.list_unsubscribe!)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    assert.deepEqual(await globalUnsubscribes(), [ADA]);
  });
});

describe('unsubscribing from one conversation or from everything', () => {
  it('the page offers both, this conversation chosen for a reply mail’s link', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    await approvedReplyTo(parent);
    const link = unsubscribePath((await mailRows('reply'))[0]!.list_unsubscribe!);
    const page = parsePage((await request(app).get(link).expect(200)).text);
    const choices = page('input[name="scope"]')
      .toArray()
      .map((input) => `${page(input).attr('value')}${page(input).attr('checked') === undefined ? '' : ' (checked)'}`);
    assert.deepEqual(choices, ['conversation (checked)', 'all']);
    assert.match(squash(page('main').text()), /Xi Ducks Putin’s Push for Expanded Military Ties/);
    assert.ok(squash(page('main').text()).includes(ADA));
    assert.deepEqual(await conversationUnsubscribes(), [], 'a GET changes nothing');
  });

  it('leaving a conversation stops reply mail there and only there', async () => {
    const other = await insertArticle(testDb.db, { slug: 'another-article' });
    const here = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    const there = await comment({ status: 'approved', author_email: ADA, article_id: other }, { onReply: true });
    await approvedReplyTo(here);
    const link = unsubscribePath((await mailRows('reply'))[0]!.list_unsubscribe!);
    const fields = formFields(parsePage((await request(app).get(link).expect(200)).text), 'form[action="/unsubscribe"]');
    assert.equal(fields.scope, 'conversation');
    const done = await postPairs(request.agent(app), fields, { path: '/unsubscribe', origin: APP_ORIGIN }).expect(200);
    assert.equal(textAt(parsePage(done.text), 'h1'), 'You are unsubscribed');
    assert.match(squash(parsePage(done.text)('main').text()), /replies on “Xi Ducks/);

    const againHere = await approvedReplyTo(here);
    const againThere = await approvedReplyTo(there, other);
    assert.deepEqual(
      (await mailRows('reply')).map((mail) => mail.dedupe_key).slice(1),
      [`reply:${againThere}:to:${there}`],
      `no mail for ${againHere}, in the conversation left`,
    );
  });

  it('choosing everything stops reply mail in every conversation', async () => {
    const other = await insertArticle(testDb.db, { slug: 'another-article' });
    const here = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    const there = await comment({ status: 'approved', author_email: ADA, article_id: other }, { onReply: true });
    await approvedReplyTo(here);
    const link = unsubscribePath((await mailRows('reply'))[0]!.list_unsubscribe!);
    const fields = formFields(parsePage((await request(app).get(link).expect(200)).text), 'form[action="/unsubscribe"]');
    await postPairs(request.agent(app), { ...fields, scope: 'all' }, { path: '/unsubscribe', origin: APP_ORIGIN }).expect(200);
    assert.deepEqual(await globalUnsubscribes(), [ADA]);

    await approvedReplyTo(here);
    await approvedReplyTo(there, other);
    assert.equal((await mailRows('reply')).length, 1, 'only the mail from before');
  });

  it('a mail queued before the unsubscribe is not sent after it', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    await approvedReplyTo(parent);
    const [row] = await mailRows('reply');
    await request(app).post(unsubscribePath(row!.list_unsubscribe!)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    const delivered = await deliverQueuedMail(testDb.db);
    assert.deepEqual(
      delivered.map((mail) => mail.headers.get('to')),
      [],
      'nothing reaches Ada',
    );
    assert.deepEqual(await mailRows('reply'), [], 'and the mail, with the reply’s text, is not kept');
  });
});

describe('a ticked box after an unsubscribe', () => {
  it('re-subscribes for that comment, records when and by which comment, and leaves older comments unsubscribed', async () => {
    const old = await comment({ status: 'approved', author_email: ADA, created_at: LONG_AGO }, { onReply: true });
    await testDb.db('mail_unsubscribes').insert({ email: ADA, created_at: new Date(Date.UTC(2024, 0, 1)) });
    const fresh = await comment(
      { status: 'approved', author_email: 'Ada@Example.org', created_at: new Date(Date.UTC(2025, 0, 1)) },
      { onReply: true },
    );

    await approvedReplyTo(old);
    assert.deepEqual(await mailRows('reply'), [], 'the comment from before the unsubscribe stays quiet');
    const reply = await approvedReplyTo(fresh);
    assert.deepEqual(
      (await mailRows('reply')).map((mail) => `${mail.dedupe_key} → ${mail.recipient}`),
      [`reply:${reply}:to:${fresh} → Ada@Example.org`],
    );
    const [record, ...more] = await testDb.db('mail_resubscriptions');
    assert.deepEqual(more, []);
    assert.equal(String(record.comment_id), fresh);
    assert.equal(record.email, ADA);
    assert.equal(record.unsubscribed_at.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.ok(record.created_at instanceof Date);
  });

  it('a ticked box in a conversation one left re-subscribes to it as well; an unticked one does not', async () => {
    const articleId = String((await testDb.db('articles').first()).id);
    await testDb.db('conversation_unsubscribes').insert({ email: ADA, article_id: articleId, created_at: new Date(Date.UTC(2024, 0, 1)) });
    const quiet = await comment(
      { status: 'approved', author_email: ADA, created_at: new Date(Date.UTC(2025, 0, 1)) },
      { onApproval: true },
    );
    const ticked = await comment({ status: 'approved', author_email: ADA, created_at: new Date(Date.UTC(2025, 0, 2)) }, { onReply: true });
    await approvedReplyTo(quiet);
    const reply = await approvedReplyTo(ticked);
    assert.deepEqual(
      (await mailRows('reply')).map((mail) => mail.dedupe_key),
      [`reply:${reply}:to:${ticked}`],
    );
    assert.deepEqual((await testDb.db('mail_resubscriptions').pluck('comment_id')).map(String), [ticked]);
  });
});

describe('mail queued by the posting path (a reply published at once)', () => {
  async function replyPublishedAtOnce(parent: string) {
    await insertComment(testDb.db, { status: 'approved', author_name: 'Bea Writer', author_email: 'bea@example.org' });
    const site = commentingApp(testDb.db);
    const browser = site.browser();
    const { fields } = await loadForm(browser, `${DEMO_PATH}?replytocom=${parent}`);
    site.advanceSeconds(6);
    const fromBea = { author: 'Bea Writer', email: 'bea@example.org', url: '', comment: 'An answer published at once.' };
    await postPairs(browser, typed(fields, fromBea), { ip: '192.0.2.71' }).expect(303);
  }

  it('carries the List-Unsubscribe link too', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    await replyPublishedAtOnce(parent);
    const [row] = await mailRows('reply');
    assert.ok(row, 'the reply mail is queued');
    assert.ok(row.list_unsubscribe, 'with its List-Unsubscribe link');
  });

  it('reaches a commenter whose ticked box came after an unsubscribe from everything', async () => {
    await testDb.db('mail_unsubscribes').insert({ email: ADA, created_at: new Date(Date.UTC(2024, 0, 1)) });
    const fresh = await comment({ status: 'approved', author_email: ADA, created_at: new Date(Date.UTC(2025, 0, 1)) }, { onReply: true });
    await replyPublishedAtOnce(fresh);
    assert.equal((await mailRows('reply')).length, 1);
  });

  it('is not sent to a commenter who left that conversation', async () => {
    const parent = await comment({ status: 'approved', author_email: ADA }, { onReply: true });
    await testDb.db('conversation_unsubscribes').insert({ email: ADA, article_id: (await testDb.db('articles').first()).id });
    await replyPublishedAtOnce(parent);
    const delivered = await deliverQueuedMail(testDb.db);
    assert.deepEqual(
      delivered.filter((mail) => mail.headers.get('to') === ADA),
      [],
    );
  });
});

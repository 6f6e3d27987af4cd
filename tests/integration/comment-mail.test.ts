import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { HELD_MAILS_PER_MINUTE } from '../../src/mail/held-mail-budget.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { unsubscribeToken } from '../../src/mail/notifications.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { selfServiceToken } from '../../src/comments/self-service.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { APP_ORIGIN, DEMO_PATH, commentingApp, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { deliverQueuedMail } from '../helpers/security.js';

/**
 * The mail that comments cause, as queued in mail_outbox by posting through
 * HTTP: the moderator hears about held comments, a commenter who asked hears
 * about replies and can stop that with a signed link, and the worker writes
 * each queued mail exactly once.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

const nextIp = () => `192.0.2.${(ipCounter++ % 250) + 1}`;

const TITLE = 'Xi Ducks Putin’s Push for Expanded Military Ties';
const MODERATOR = 'moderation@127.0.0.1';
const ADA = { author: 'Ada Reader', email: 'ada@example.org' };
const BEA = { author: 'Bea Writer', email: 'bea@example.org' };

interface MailRow {
  id: string;
  dedupe_key: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  status: string;
  next_attempt_at: Date;
}

async function changeSettings(changes: Partial<DiscussionSettings>) {
  const current = await loadDiscussionSettings(database.db);
  await saveDiscussionSettings(database.db, { ...current, ...changes }, null);
}

const outbox = async (): Promise<MailRow[]> =>
  (await database.db('mail_outbox').orderBy('id')).map((row: MailRow) => ({ ...row, id: String(row.id) }));
const outboxOf = async (kind: string) => (await outbox()).filter((mail) => mail.kind === kind);

/** An approved comment by this person already on the site, so their next one is published at once. */
async function makeReturning(person: { author: string; email: string }) {
  await insertComment(database.db, {
    author_name: person.author,
    author_email: person.email,
    body: `Earlier words from ${person.author}.`,
  });
}

/** Posts a comment from a fresh browser as a person would and returns its id and stored status. */
async function postComment(overrides: Record<string, string>, pagePath?: string, browser: Client = harness.browser()) {
  await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser, pagePath);
  harness.advanceSeconds(5);
  const response = await postPairs(browser, typed(fields, overrides), { ip: nextIp() });
  assert.equal(response.status, 303, `accepted (got ${response.status})`);
  const id = /#comment-(\d+)$/.exec(response.headers.location ?? '')?.[1];
  assert.ok(id, `Location ${response.headers.location}`);
  const row = await database.db('comments').where({ id }).first<{ status: string; notify_on_reply: boolean }>();
  return { id, status: row.status, notifyOnReply: row.notify_on_reply };
}

/** Ada's approved comment, posted asking to hear about replies, and approved by a moderator. */
async function adaAskingForReplies() {
  const parent = await postComment({ ...ADA, comment: 'Tell me when someone answers.', notify_replies: 'yes' });
  assert.equal(parent.status, 'pending');
  assert.equal(parent.notifyOnReply, true, 'the form’s box is stored');
  await database.db('comments').where({ id: parent.id }).update({ status: 'approved', approved_at: new Date() });
  return parent.id;
}

const replyPage = (parentId: string) => `${DEMO_PATH}?replytocom=${parentId}`;

/** The path and query of the unsubscribe link in a mail body. */
function unsubscribeLink(body: string): string {
  const match = /^Stop these emails: (http:\/\/127\.0\.0\.1:3000)(\/unsubscribe\?token=\S+)$/m.exec(body);
  assert.ok(match, `an unsubscribe link in:\n${body}`);
  return match[2]!;
}

describe('mail to the moderator about held comments', () => {
  it('queues exactly one mail to the moderator address, linking to the queue and naming the reasons', async () => {
    const { id, status } = await postComment({ ...ADA, comment: 'My first comment here.' });
    assert.equal(status, 'pending');
    const mails = await outbox();
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.equal(mail!.kind, 'held');
    assert.equal(mail!.dedupe_key, `held:${id}`);
    assert.equal(mail!.recipient, MODERATOR);
    assert.equal(mail!.status, 'pending');
    assert.equal(mail!.subject, `A comment on “${TITLE}” is waiting for approval`);
    assert.ok(mail!.body.includes(`Review it: http://127.0.0.1:3000/admin/comments/${id}`), mail!.body);
    assert.ok(mail!.body.includes('  - held: no earlier approved comment from this name and email'), mail!.body);
    assert.ok(mail!.body.includes('My first comment here.'));
  });

  it('goes to the address in the settings and lists every reason the comment was held for', async () => {
    await makeReturning(ADA);
    await changeSettings({ notificationEmail: 'editor@example.com', moderationWords: ['bargain'] });
    const { id, status } = await postComment({ ...ADA, comment: 'A bargain: https://a.example/ https://b.example/ https://c.example/' });
    assert.equal(status, 'pending');
    const [mail, ...more] = await outbox();
    assert.deepEqual(more, []);
    assert.equal(mail!.recipient, 'editor@example.com');
    assert.equal(mail!.dedupe_key, `held:${id}`);
    assert.ok(mail!.body.includes('  - held: 3 links, limit 2'), mail!.body);
    assert.ok(mail!.body.includes('  - held: moderation word "bargain" in text'), mail!.body);
  });

  it('queues nothing for a comment published at once, nor for spam', async () => {
    await makeReturning(ADA);
    assert.equal((await postComment({ ...ADA, comment: 'Published at once.' })).status, 'approved');
    await changeSettings({ disallowedWords: ['casino'] });
    assert.equal((await postComment({ ...BEA, comment: 'Play at my casino.' })).status, 'spam');
    assert.equal((await postComment({ ...BEA, comment: 'A bot.', comment_subject: 'filled' })).status, 'spam');
    assert.deepEqual(await outbox(), []);
  });

  it('queues nothing when the moderator mail is turned off', async () => {
    await changeSettings({ adminNotification: 'off' });
    assert.equal((await postComment(ADA)).status, 'pending');
    assert.deepEqual(await outbox(), []);
  });

  it('mails held comments one by one up to the per-minute budget, then folds the rest into one mail for the minute', async () => {
    await changeSettings({ moderationWords: ['bargain'] });
    // Every post below lands inside one minute's window (the helper moves the clock 5 s a post).
    const posted = [];
    for (let n = 0; n <= HELD_MAILS_PER_MINUTE; n += 1) {
      posted.push(await postComment({ author: `Reader ${n}`, email: `reader${n}@example.org`, comment: `A bargain, number ${n}.` }));
    }
    assert.ok(posted.every((comment) => comment.status === 'pending'));
    const held = await outboxOf('held');
    assert.deepEqual(
      held.map((mail) => mail.dedupe_key),
      posted.slice(0, HELD_MAILS_PER_MINUTE).map((comment) => `held:${comment.id}`),
    );
    const [surge, ...more] = await outboxOf('held-surge');
    assert.equal(more.length, 0);
    assert.equal(surge!.recipient, MODERATOR);
    assert.ok(surge!.next_attempt_at.getTime() > Date.now(), 'sent when the minute is over');
    assert.ok(!surge!.body.includes('bargain'), surge!.body);

    harness.advanceSeconds(60);
    const calm = await postComment({ author: 'Late Reader', email: 'late@example.org', comment: 'A bargain, after the wave.' });
    assert.ok(
      (await outboxOf('held')).some((mail) => mail.dedupe_key === `held:${calm.id}`),
      'a minute later each held comment is mailed again',
    );
  });

  it('gathers held comments into one digest, sent at the end of its period, without their text', async () => {
    await changeSettings({ adminNotification: 'digest', digestMinutes: 60 });
    // Both posts inside one period whatever the time: a minute past the next hour (periods start on the hour).
    const hourMs = 60 * 60 * 1000;
    harness.advanceSeconds((hourMs - (Date.now() % hourMs)) / 1000 + 60);
    await postComment({ ...ADA, comment: 'First held words.' });
    await postComment({ ...BEA, comment: 'Second held words.' });
    const mails = await outbox();
    assert.equal(mails.length, 1);
    const [digest] = mails;
    assert.equal(digest!.kind, 'held-digest');
    assert.equal(digest!.recipient, MODERATOR);
    assert.ok(digest!.next_attempt_at.getTime() > Date.now(), 'held back until the period ends');
    assert.ok(digest!.body.includes('http://127.0.0.1:3000/admin/comments?status=pending'), digest!.body);
    assert.ok(!digest!.body.includes('held words'));
  });

  it('tells the moderator when an edit holds a published comment again', async () => {
    await makeReturning(ADA);
    const browser = harness.browser();
    const { id, status } = await postComment({ ...ADA, comment: 'Clean at first.' }, undefined, browser);
    assert.equal(status, 'approved');
    assert.deepEqual(await outbox(), []);

    const edit = await browser.get(`/comments/${id}/edit`);
    assert.equal(edit.status, 200);
    const fields = formFields(parsePage(edit.text), '#edit-form');
    const response = await postPairs(
      browser,
      { ...fields, comment: 'Now: https://a.example/ https://b.example/ https://c.example/' },
      {
        path: `/comments/${id}/edit`,
      },
    );
    assert.equal(response.status, 303);
    assert.equal((await database.db('comments').where({ id }).first()).status, 'pending');
    const held = await outboxOf('held');
    assert.equal(held.length, 1, 'the comment is waiting in the queue again, so the moderator hears of it');
    assert.equal(held[0]!.recipient, MODERATOR);
    assert.ok(held[0]!.body.includes('held: 3 links, limit 2'), held[0]!.body);
  });
});

describe('mail to a commenter about replies', () => {
  it('queues one reply mail to the author who asked, with a signed unsubscribe link', async () => {
    const parentId = await adaAskingForReplies();
    await makeReturning(BEA);
    const reply = await postComment({ ...BEA, comment: 'Here is an answer, Ada.' }, replyPage(parentId));
    assert.equal(reply.status, 'approved');

    const mails = await outboxOf('reply');
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.equal(mail!.recipient, ADA.email);
    assert.equal(mail!.dedupe_key, `reply:${reply.id}:to:${parentId}`);
    assert.equal(mail!.subject, `Bea Writer replied to your comment on “${TITLE}”`);
    assert.ok(mail!.body.includes('Here is an answer, Ada.'), mail!.body);
    assert.ok(mail!.body.includes(`Read the conversation: http://127.0.0.1:3000/comments/${reply.id}`), mail!.body);
    assert.equal(
      unsubscribeLink(mail!.body),
      `/unsubscribe?token=${unsubscribeToken(TEST_COOKIE_SECRET, ADA.email, { commentId: parentId, scope: 'conversation' })}`,
    );
    assert.equal((await outboxOf('held')).length, 1, 'plus only the moderator’s mail about Ada’s own held comment');
  });

  it('queues no reply mail to an author who did not ask, for a held or spam reply, or for a reply to oneself', async () => {
    const quiet = await postComment({ author: 'Cy Quiet', email: 'cy@example.org', comment: 'Do not mail me.' });
    await database.db('comments').where({ id: quiet.id }).update({ status: 'approved', approved_at: new Date() });
    await makeReturning(BEA);
    assert.equal((await postComment({ ...BEA, comment: 'Answer to Cy.' }, replyPage(quiet.id))).status, 'approved');

    const parentId = await adaAskingForReplies();
    const held = await postComment({ author: 'Dee New', email: 'dee@example.org', comment: 'A first-timer answers.' }, replyPage(parentId));
    assert.equal(held.status, 'pending');
    await changeSettings({ disallowedWords: ['casino'] });
    assert.equal((await postComment({ ...BEA, comment: 'Casino answer.' }, replyPage(parentId))).status, 'spam');
    const self = await postComment({ ...ADA, comment: 'Answering myself.' }, replyPage(parentId));
    assert.equal(self.status, 'approved');

    assert.deepEqual(await outboxOf('reply'), []);
  });
});

describe('GET and POST /unsubscribe', () => {
  it('confirms first, unsubscribes on POST without a login, and stops later reply mail', async () => {
    const parentId = await adaAskingForReplies();
    await makeReturning(BEA);
    await postComment({ ...BEA, comment: 'First answer.' }, replyPage(parentId));
    const link = unsubscribeLink((await outboxOf('reply'))[0]!.body);

    const reader = harness.browser();
    const confirm = await reader.get(link);
    assert.equal(confirm.status, 200);
    assert.equal(confirm.headers['cache-control'], 'no-store');
    const page = parsePage(confirm.text);
    assert.equal(textAt(page, 'h1'), 'Stop comment emails?');
    assert.ok(squash(page('main').text()).includes(ADA.email));
    assert.equal(
      await database
        .db('conversation_unsubscribes')
        .count<{ count: string }>({ count: '*' })
        .first()
        .then((row) => Number(row?.count)),
      0,
      'a GET changes nothing',
    );

    const fields = formFields(page, 'form[action="/unsubscribe"]');
    const done = await postPairs(reader, fields, { path: '/unsubscribe', origin: APP_ORIGIN });
    assert.equal(done.status, 200);
    assert.equal(textAt(parsePage(done.text), 'h1'), 'You are unsubscribed');
    // A reply mail's link leaves that conversation unless the reader chooses everything.
    assert.deepEqual(
      (await database.db('conversation_unsubscribes').select('email')).map((row: { email: string }) => row.email),
      [ADA.email],
    );
    const again = await postPairs(reader, fields, { path: '/unsubscribe' });
    assert.equal(again.status, 200, 'a second click is harmless');

    await postComment({ author: 'Eve Other', email: 'eve@example.org', comment: 'Second answer, held.' }, replyPage(parentId));
    await makeReturning({ author: 'Fay Later', email: 'fay@example.org' });
    assert.equal(
      (await postComment({ author: 'Fay Later', email: 'fay@example.org', comment: 'Third answer.' }, replyPage(parentId))).status,
      'approved',
    );
    // A reply published at once may be queued; the worker asks again before sending and drops it,
    // like the first answer's mail, still waiting when Ada unsubscribed.
    const delivered = await deliverQueuedMail(database.db);
    assert.deepEqual(
      delivered.filter((mail) => mail.headers.get('to') === ADA.email),
      [],
      'nothing reaches Ada after she unsubscribed',
    );
    assert.deepEqual(await outboxOf('reply'), [], 'and the dropped mail is not kept');
  });

  it('stores the address in lower case whatever case the commenter typed', async () => {
    const token = unsubscribeToken(TEST_COOKIE_SECRET, 'Ada.Reader@Example.ORG');
    const response = await postPairs(harness.browser(), { token }, { path: '/unsubscribe' });
    assert.equal(response.status, 200);
    assert.deepEqual(
      (await database.db('mail_unsubscribes').select('email')).map((row: { email: string }) => row.email),
      ['ada.reader@example.org'],
    );
  });

  it('answers a forged, borrowed or missing token with 400 and unsubscribes nobody', async () => {
    const real = unsubscribeToken(TEST_COOKIE_SECRET, ADA.email);
    const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    const forged = [
      flipped,
      `${Buffer.from(ADA.email).toString('base64url')}.`,
      Buffer.from(ADA.email).toString('base64url'),
      unsubscribeToken('another-secret-that-is-long-enough-4567', ADA.email),
      selfServiceToken(TEST_COOKIE_SECRET, Buffer.from(ADA.email).toString('base64url')),
    ];
    for (const token of forged) {
      const shown = await harness.browser().get(`/unsubscribe?token=${encodeURIComponent(token)}`);
      assert.equal(shown.status, 400, `GET with ${token}`);
      assert.match(squash(parsePage(shown.text)('main').text()), /not valid/);
      assert.equal((await postPairs(harness.browser(), { token }, { path: '/unsubscribe' })).status, 400, `POST with ${token}`);
    }
    assert.equal((await harness.browser().get('/unsubscribe')).status, 400);
    assert.equal((await postPairs(harness.browser(), {}, { path: '/unsubscribe' })).status, 400);
    assert.deepEqual(await database.db('mail_unsubscribes').select('email'), []);
  });
});

describe('delivering the queued mail', () => {
  let outboxDir: string;
  let mailer: Mailer;

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-comment-mail-'));
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  /** A written mail's headers as they are, and its body with quoted-printable undone so links read whole. */
  const readMail = (eml: string) => {
    const split = eml.indexOf('\n\n');
    const body = eml
      .slice(split + 2)
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return { headers: eml.slice(0, split), body: Buffer.from(body, 'latin1').toString('utf8') };
  };

  it('writes each queued mail exactly once as an .eml file', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    const parentId = await adaAskingForReplies();
    await makeReturning(BEA);
    const reply = await postComment({ ...BEA, comment: 'Delivered answer.' }, replyPage(parentId));
    const queued = await outbox();
    assert.deepEqual(queued.map((mail) => mail.kind).sort(), ['held', 'reply']);

    assert.equal(await deliverDueMail(database.db, mailer), 2);
    assert.equal(await deliverDueMail(database.db, mailer), 0, 'nothing is sent twice');
    const files = (await readdir(outboxDir)).filter((name) => name.endsWith('.eml')).sort();
    assert.deepEqual(files, queued.map((mail) => `${mail.id.padStart(8, '0')}.eml`).sort());

    for (const mail of queued) {
      const { headers, body } = readMail(await readFile(path.join(outboxDir, `${mail.id.padStart(8, '0')}.eml`), 'utf8'));
      assert.match(headers, new RegExp(`^To: ${mail.recipient.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(headers, new RegExp(`^Message-ID: <outbox-${mail.id}@example\\.com>$`, 'mi'));
      assert.equal(body.trimEnd(), mail.body, 'the body is the queued text');
      if (mail.kind === 'reply') {
        assert.ok(body.includes(`/comments/${reply.id}`), body);
        assert.ok(
          body.includes(
            `/unsubscribe?token=${unsubscribeToken(TEST_COOKIE_SECRET, ADA.email, { commentId: parentId, scope: 'conversation' })}`,
          ),
          body,
        );
      } else {
        assert.ok(body.includes(`/admin/comments/${parentId}`), body);
      }
    }
    assert.deepEqual(
      (await outbox()).map((mail) => mail.status),
      ['sent', 'sent'],
    );
  });
});

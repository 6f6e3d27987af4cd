import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { signInAdmin } from '../helpers/admin.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';
import {
  acceptedId,
  assertRefused,
  attackHarness,
  deliverQueuedMail,
  parseMail,
  rowCounts,
  type AttackHarness,
} from '../helpers/security.js';

/**
 * Mail headers made of what commenters type: their email is the To of the
 * mail they asked for, their name is in the Subject of reply mail. A line
 * break there must never become a header of its own, nor a comma a second
 * recipient.
 */

const database = useTestDatabase();
let harness: AttackHarness;

beforeEach(() => {
  harness = attackHarness(database.db);
});

const INJECTED_HEADER = /^(bcc|cc|reply-to|x-injected|content-type: text\/html)/im;

describe('header injection through the comment form', () => {
  const emails = {
    'CR LF and a Bcc header': 'ada@example.org\r\nBcc: victim@example.com',
    'a bare CR': 'ada@example.org\rBcc: victim@example.com',
    'a percent-encoded line break, sent already decoded': 'ada@example.org%0d%0aBcc:victim@example.com',
    'a display name and a second address': '"Ada" <ada@example.org>, victim@example.com',
    'a group': 'friends: ada@example.org, victim@example.com;',
  };
  for (const [name, email] of Object.entries(emails)) {
    it(`an email with ${name} is refused (422) and no mail is queued`, async () => {
      const before = await rowCounts(database.db);
      const response = await harness.post({ email, notify_approval: 'yes', notify_replies: 'yes' });
      await assertRefused(database.db, before, response, 422, 'email');
    });
  }

  it('a name with a line break cannot reach a Subject, and a well-formed one reaches it as one line', async () => {
    const before = await rowCounts(database.db);
    await assertRefused(database.db, before, await harness.post({ author: 'Eve\r\nBcc: victim@example.com' }), 422, 'author');

    const parent = await insertComment(database.db, { author_email: 'ada@example.org' });
    await database.db('comments').where({ id: parent }).update({ notify_on_reply: true });
    const id = acceptedId(
      await harness.post(
        { author: 'Eve Bcc: victim@example.com', email: 'eve@example.net', parent_id: parent },
        { pagePath: `${DEMO_PATH}?replytocom=${parent}` },
      ),
    );
    const admin = await signInAdmin(harness.app, database.db);
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    const reply = (await deliverQueuedMail(database.db)).find((mail) => mail.headers.get('to') === 'ada@example.org');
    assert.ok(reply, 'the reply mail was sent');
    assert.equal(
      reply.headers.get('subject'),
      'Eve Bcc: victim@example.com replied to your comment on “Xi Ducks Putin’s Push for Expanded Military Ties”',
    );
    assert.equal(reply.rawHeaders.filter((line) => INJECTED_HEADER.test(line)).length, 0, reply.rawHeaders.join('\n'));
  });
});

describe('the mailer, for rows written before the form checked (or by hand)', () => {
  let outboxDir: string;
  let mailer: Mailer;

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-mail-headers-'));
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  const written = async () => (await readdir(outboxDir)).filter((name) => name.endsWith('.eml'));

  for (const to of [
    'ada@example.org\r\nBcc: victim@example.com',
    'ada@example.org\nBcc: victim@example.com',
    'ada@example.org, victim@example.com',
    'Ada <ada@example.org>',
    '"x@example.com Bcc":victim@example.com;',
    'ada@example.org victim@example.com',
  ]) {
    it(`refuses to send to ${JSON.stringify(to)} and writes nothing`, async () => {
      const count = (await written()).length;
      await assert.rejects(mailer.send({ id: '9001', to, subject: 'Hello', text: 'Body' }), /not one plain address/);
      assert.equal((await written()).length, count);
    });
  }

  it('writes a Subject with line breaks in it as one header line', async () => {
    await mailer.send({
      id: '9002',
      to: 'ada@example.org',
      subject: 'Eve\r\nBcc: victim@example.com\r\n\r\nX-Injected: yes',
      text: 'Body\r\nBcc: not a header',
    });
    const mail = parseMail(await readFile(path.join(outboxDir, '00009002.eml'), 'utf8'));
    assert.equal(mail.headers.get('subject'), 'Eve Bcc: victim@example.com X-Injected: yes');
    assert.equal(mail.rawHeaders.filter((line) => INJECTED_HEADER.test(line)).length, 0, mail.rawHeaders.join('\n'));
    assert.equal(mail.headers.get('to'), 'ada@example.org');
    assert.match(mail.body, /^Body\r?\nBcc: not a header$/, 'the body is text, not headers');
  });

  it('writes an unsubscribe link as List-Unsubscribe and List-Unsubscribe-Post, and refuses one that could break a header', async () => {
    const link = 'https://blog.example/unsubscribe?token=YWRh~4~c.sig-_0';
    await mailer.send({ id: '9003', to: 'ada@example.org', subject: 'Hello', text: 'Body', listUnsubscribe: link });
    const mail = parseMail(await readFile(path.join(outboxDir, '00009003.eml'), 'utf8'));
    assert.equal(mail.headers.get('list-unsubscribe'), `<${link}>`);
    assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');

    const count = (await written()).length;
    for (const bad of [`${link}\r\nBcc: victim@example.com`, `${link}>, <mailto:victim@example.com`, 'javascript:alert(1)', `${link} x`]) {
      await assert.rejects(
        mailer.send({ id: '9004', to: 'ada@example.org', subject: 'Hello', text: 'Body', listUnsubscribe: bad }),
        /unsubscribe link/,
      );
    }
    assert.equal((await written()).length, count);
  });
});

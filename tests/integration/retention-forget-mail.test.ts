import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { enqueueMail } from '../../src/mail/outbox-queries.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { approvedCommentMail, heldCommentMail, heldDigestMail, replyMail } from '../../src/mail/notifications.js';
import { forgetMailRows, outboxIdsWithFiles, removeMailFiles } from '../../src/privacy/forget-mail.js';
import { useTestDatabase } from '../helpers/database.js';

const context = useTestDatabase();
const BASE = 'http://127.0.0.1:3000';
const SECRET = 'test-cookie-secret-that-is-long-enough-123';
const article = { title: 'An article' };

const comment = (id: string, email: string) => ({ id, authorName: `Name ${id}`, authorEmail: email, body: `Text of comment ${id}` });

describe('forgetting mail about a comment or an address', () => {
  let outboxDir: string;
  let mailer: Mailer;

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-forget-'));
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  const keys = async () =>
    (await context.db('mail_outbox').orderBy('id').select<Array<{ dedupe_key: string }>>('dedupe_key')).map((row) => row.dedupe_key);

  it('removes held, approval and reply mail about a comment, sent and pending, and leaves the rest', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    const db = context.db;
    await enqueueMail(db, heldCommentMail(BASE, 'mod@example.com', comment('11', 'a@example.net'), article, ['held']));
    await enqueueMail(db, approvedCommentMail(BASE, SECRET, comment('11', 'a@example.net'), article));
    await deliverDueMail(db, mailer);
    await enqueueMail(db, replyMail(BASE, SECRET, comment('11', 'a@example.net'), comment('12', 'b@example.net'), article));
    await enqueueMail(db, replyMail(BASE, SECRET, comment('13', 'c@example.net'), comment('11', 'a@example.net'), article));
    await enqueueMail(db, heldCommentMail(BASE, 'mod@example.com', comment('14', 'd@example.net'), article, ['held']));
    await enqueueMail(db, heldDigestMail(BASE, 'mod@example.com', '1000', 60));
    assert.equal((await outboxIdsWithFiles(outboxDir)).length, 2, 'two mails were written before the deletion');

    const removed = await db.transaction((trx) => forgetMailRows(trx, { commentIds: ['11'] }));
    assert.equal(removed.length, 4);
    assert.deepEqual(await keys(), ['held:14', 'held-digest:1000']);
    await removeMailFiles(outboxDir, removed);
    assert.deepEqual(await readdir(outboxDir), []);
  });

  it('removes every mail to an address, whatever its case, and nothing when given nothing', async () => {
    const db = context.db;
    await enqueueMail(db, approvedCommentMail(BASE, SECRET, comment('21', 'Someone@Example.net'), article));
    await enqueueMail(db, heldCommentMail(BASE, 'mod@example.com', comment('22', 'other@example.net'), article, ['held']));
    assert.deepEqual(await db.transaction((trx) => forgetMailRows(trx, {})), []);
    const removed = await db.transaction((trx) => forgetMailRows(trx, { emails: ['someone@example.NET'] }));
    assert.equal(removed.length, 1);
    assert.deepEqual(await keys(), ['held:22']);
  });

  it('keeps the rows when the caller’s transaction rolls back', async () => {
    const db = context.db;
    await enqueueMail(db, heldCommentMail(BASE, 'mod@example.com', comment('31', 'e@example.net'), article, ['held']));
    await assert.rejects(
      db.transaction(async (trx) => {
        assert.equal((await forgetMailRows(trx, { commentIds: ['31'] })).length, 1);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(await keys(), ['held:31']);
  });

  it('removes half-written files too, and does not mind files that are already gone', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    await mailer.send({ id: '7', to: 'x@example.net', subject: 'S', text: 'T' });
    await writeFile(path.join(outboxDir, '00000008.eml.tmp'), 'partial');
    await writeFile(path.join(outboxDir, 'notes.txt'), 'not mail');
    assert.deepEqual((await outboxIdsWithFiles(outboxDir)).sort(), ['7', '8']);
    await removeMailFiles(outboxDir, ['7', '8', '9']);
    assert.deepEqual(await readdir(outboxDir), ['notes.txt']);
    await rm(outboxDir, { recursive: true, force: true });
    await removeMailFiles(outboxDir, ['7']);
    assert.deepEqual(await outboxIdsWithFiles(outboxDir), []);
  });
});

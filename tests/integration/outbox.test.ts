import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claimDueMails, enqueueMail, type OutboxRow } from '../../src/mail/outbox-queries.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { createLogger } from '../../src/platform/logger.js';
import { deliverDueMail, MAX_ATTEMPTS, retryDelaySeconds, startOutboxWorker } from '../../src/mail/outbox-worker.js';
import { useTestDatabase } from '../helpers/database.js';

const context = useTestDatabase();

const mail = (key: string) => ({
  dedupe_key: key,
  kind: 'held',
  recipient: 'editor@example.com',
  subject: `A comment is waiting (${key})`,
  body: 'Review it at http://127.0.0.1:3000/admin/comments',
});

describe('mail outbox', () => {
  let outboxDir: string;
  let mailer: Mailer;

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-outbox-'));
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  const files = async () => (await readdir(outboxDir)).filter((name) => name.endsWith('.eml'));
  const rows = () => context.db<OutboxRow>('mail_outbox').orderBy('id');

  it('writes each queued mail once as an .eml file and marks it sent', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    assert.equal(await enqueueMail(context.db, mail('event-1')), true);
    assert.equal(await enqueueMail(context.db, mail('event-1')), false, 'the same event is queued once');
    assert.equal(await deliverDueMail(context.db, mailer), 1);
    assert.equal(await deliverDueMail(context.db, mailer), 0, 'nothing is sent twice');
    const written = await files();
    assert.equal(written.length, 1);
    const eml = await readFile(path.join(outboxDir, written[0]!), 'utf8');
    assert.match(eml, /^To: editor@example\.com$/m);
    assert.match(eml, /^Subject: A comment is waiting \(event-1\)$/m);
    assert.match(eml, /admin\/comments/);
    const [row] = await rows();
    assert.equal(row!.status, 'sent');
    assert.equal(row!.attempts, 1);
  });

  it('sends exactly once after a worker dies between claiming and sending', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    await enqueueMail(context.db, mail('event-2'));
    const claimedByDeadWorker = await claimDueMails(context.db, 10, 120);
    assert.equal(claimedByDeadWorker.length, 1);
    assert.equal(await deliverDueMail(context.db, mailer), 0, 'a leased mail is left alone');
    await context.db('mail_outbox').update({ locked_until: context.db.raw("now() - interval '1 second'") });
    assert.equal(await deliverDueMail(context.db, mailer), 1, 'the expired lease is taken over');
    assert.equal(await deliverDueMail(context.db, mailer), 0);
    assert.equal((await files()).length, 1);
    assert.equal((await rows())[0]!.status, 'sent');
  });

  it('retries with backoff and gives up after the last attempt', async () => {
    const failing: Mailer = { send: async () => Promise.reject(new Error('SMTP 451 try later')), close() {} };
    await enqueueMail(context.db, mail('event-3'));
    assert.equal(await deliverDueMail(context.db, failing), 0);
    let [row] = await rows();
    assert.equal(row!.status, 'pending');
    assert.equal(row!.last_error, 'SMTP 451 try later');
    assert.ok(row!.next_attempt_at.getTime() > Date.now() + 50_000, 'the next try waits about a minute');

    await context.db('mail_outbox').update({ attempts: MAX_ATTEMPTS - 1, next_attempt_at: context.db.fn.now() });
    await deliverDueMail(context.db, failing);
    [row] = await rows();
    assert.equal(row!.status, 'failed');
    assert.equal(row!.attempts, MAX_ATTEMPTS);
  });

  it('marks a batch sent together, one failure apart', async () => {
    let calls = 0;
    const everySecondFails: Mailer = {
      send: () => {
        calls += 1;
        return calls % 2 === 0 ? Promise.reject(new Error('SMTP 452 mailbox busy')) : Promise.resolve();
      },
      close() {},
    };
    for (const n of [1, 2, 3]) await enqueueMail(context.db, mail(`batch-${n}`));
    assert.equal(await deliverDueMail(context.db, everySecondFails), 2);
    assert.deepEqual(
      (await rows()).map((row) => [row.dedupe_key, row.status, row.last_error]),
      [
        ['batch-1', 'sent', null],
        ['batch-2', 'pending', 'SMTP 452 mailbox busy'],
        ['batch-3', 'sent', null],
      ],
    );
  });

  it('a stopping worker finishes the batch in hand and leaves the rest queued', async () => {
    for (let n = 0; n < 60; n++) await enqueueMail(context.db, mail(`backlog-${n}`));
    let sent = 0;
    let firstSent!: () => void;
    const started = new Promise<void>((resolve) => (firstSent = resolve));
    const slow: Mailer = {
      send: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent += 1;
        firstSent();
      },
      close() {},
    };
    const worker = startOutboxWorker(context.db, slow, createLogger('silent'), 10);
    await started;
    await worker.stop();
    const statuses = (await rows()).map((row) => row.status);
    assert.ok(sent >= 1 && sent <= 20, `one batch at most was sent before stopping, not ${sent}`);
    assert.equal(statuses.filter((status) => status === 'sent').length, sent, 'what was sent is marked sent');
    assert.equal(statuses.filter((status) => status === 'pending').length, 60 - sent, 'the rest waits in the outbox');
  });

  it('backs off 1, 4, 16 minutes and caps at 6 hours', () => {
    assert.deepEqual([1, 2, 3].map(retryDelaySeconds), [60, 240, 960]);
    assert.equal(retryDelaySeconds(20), 6 * 60 * 60);
  });
});

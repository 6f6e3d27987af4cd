import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { approvedCommentMail } from '../../src/mail/notifications.js';
import { enqueueMail } from '../../src/mail/outbox-queries.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { runCleanupOnce, type CleanupOutcome } from '../../src/privacy/cleanup-job.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';

const context = useTestDatabase();
const DAY = 24 * 60 * 60 * 1000;
const T = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(T.getTime() + ms);

describe('the privacy clean-up, with time moved forward', () => {
  let outboxDir: string;
  let mailer: Mailer;

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-retention-'));
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  const run = (now: Date) => runCleanupOnce({ db: context.db, databaseUrl: process.env.DATABASE_URL!, outboxDir, now });
  const done = (outcome: CleanupOutcome) => {
    assert.equal(outcome.kind, 'done');
    return outcome.kind === 'done' ? outcome.report : assert.fail('the run was not done');
  };

  it('clears sent mail’s recipient, subject, text and unsubscribe link after the mail period, and removes its file', async () => {
    await rm(outboxDir, { recursive: true, force: true });
    const db = context.db;
    const comment = { id: '5', authorName: 'Ann', authorEmail: 'ann@example.net', body: 'Hello' };
    await enqueueMail(db, approvedCommentMail('http://127.0.0.1:3000', 'test-secret-test-secret-test-secret', comment, { title: 'A' }));
    await deliverDueMail(db, mailer);
    await db('mail_outbox').update({ sent_at: T });
    await enqueueMail(db, {
      dedupe_key: 'still-pending',
      kind: 'held',
      recipient: 'mod@example.com',
      subject: 'S',
      body: 'B',
      next_attempt_at: T,
    });
    await writeFile(path.join(outboxDir, '00000999.eml'), 'a file whose mail is gone');
    assert.equal((await readdir(outboxDir)).length, 2);

    const early = done(await run(later(7 * DAY - 1000)));
    assert.equal(early.mailTextCleared, 0, 'within the period the mail is kept');
    assert.equal(early.mailFilesRemoved, 1, 'a file with no mail row is swept at once');
    assert.deepEqual(await readdir(outboxDir), ['00000001.eml']);

    const report = done(await run(later(7 * DAY + 1000)));
    assert.equal(report.mailTextCleared, 1);
    assert.equal(report.mailFilesRemoved, 1);
    assert.deepEqual(await readdir(outboxDir), []);
    const rows = await db('mail_outbox').orderBy('id');
    assert.deepEqual(
      rows.map((row) => [row.dedupe_key, row.kind, row.status, row.recipient, row.subject, row.body, row.list_unsubscribe]),
      [
        ['approved:5', 'approved', 'sent', '', '', '', null],
        ['still-pending', 'held', 'pending', 'mod@example.com', 'S', 'B', null],
      ],
    );
    assert.deepEqual(rows[0].sent_at, T, 'the times stay');
    assert.equal(
      await enqueueMail(db, approvedCommentMail('http://x', 'test-secret-test-secret-test-secret', comment, { title: 'A' })),
      false,
      'the same event still mails once',
    );
  });

  it('follows the mail period set in the settings', async () => {
    const db = context.db;
    await saveDiscussionSettings(db, { ...DEFAULT_DISCUSSION_SETTINGS, mailRetentionDays: 1 }, null);
    await db('mail_outbox').insert({
      dedupe_key: 'k',
      kind: 'held',
      recipient: 'a@example.com',
      subject: 'S',
      body: 'B',
      status: 'sent',
      sent_at: T,
    });
    assert.equal(done(await run(later(DAY - 1000))).mailTextCleared, 0);
    assert.equal(done(await run(later(DAY + 1000))).mailTextCleared, 1);
  });

  it('removes IP address and browser from approved and trashed comments after the IP period, and keeps them on pending and spam', async () => {
    const db = context.db;
    const ids = {
      approved: await insertComment(db, { status: 'approved', created_at: T }),
      trash: await insertComment(db, { status: 'trash', created_at: T }),
      pending: await insertComment(db, { status: 'pending', created_at: T }),
      spam: await insertComment(db, { status: 'spam', created_at: T }),
      recent: await insertComment(db, { status: 'approved', created_at: later(30 * DAY) }),
    };
    const kept = async () => {
      const rows = await db('comments').select('id', 'ip', 'user_agent').orderBy('id');
      return Object.fromEntries(rows.map((row) => [String(row.id), row.ip !== null && row.user_agent !== '']));
    };
    assert.equal(done(await run(later(60 * DAY - 1000))).commentIpsCleared, 0);
    assert.equal(done(await run(later(60 * DAY + 1000))).commentIpsCleared, 2);
    assert.deepEqual(await kept(), {
      [ids.approved]: false,
      [ids.trash]: false,
      [ids.pending]: true,
      [ids.spam]: true,
      [ids.recent]: true,
    });
    await saveDiscussionSettings(db, { ...DEFAULT_DISCUSSION_SETTINGS, ipRetentionDays: 10 }, null);
    assert.equal(done(await run(later(40 * DAY + 1000))).commentIpsCleared, 1, 'a shorter period set later applies at the next run');
    assert.equal((await kept())[ids.recent], false);
  });

  it('deletes expired sessions and rate-limit counts, and keeps live ones', async () => {
    const db = context.db;
    await db('session').insert([
      { sid: 'live', sess: JSON.stringify({ cookie: {} }), expire: later(2 * DAY) },
      { sid: 'stale', sess: JSON.stringify({ cookie: {} }), expire: later(-1000) },
    ]);
    await db('rate_limits').insert([
      { key: 'flood:ip:192.0.2.1', points: 1, expire: T.getTime() - 1 },
      { key: 'flood:ip:192.0.2.2', points: 1, expire: T.getTime() + 60_000 },
    ]);
    const report = done(await run(T));
    assert.equal(report.sessions, 1);
    assert.equal(report.rateLimits, 1);
    assert.deepEqual(
      (await db('session').select('sid')).map((row) => row.sid),
      ['live'],
    );
    assert.deepEqual(
      (await db('rate_limits').select('key')).map((row) => row.key),
      ['flood:ip:192.0.2.2'],
    );
    const afterwards = done(await run(later(3 * DAY)));
    assert.equal(afterwards.sessions, 1);
    assert.equal(afterwards.rateLimits, 1);
  });

  it('deletes invitation and reset links a day after they expire or are used, used recovery codes, and abandoned two-factor enrolments', async () => {
    const db = context.db;
    const [user] = await db('users')
      .insert({ username: 'editor', display_name: 'Editor', password_hash: 'x', role: 'administrator' })
      .returning<Array<{ id: string }>>('id');
    const [other] = await db('users')
      .insert({ username: 'author', display_name: 'Author', password_hash: 'x', role: 'author' })
      .returning<Array<{ id: string }>>('id');
    const hash = (n: number) => Buffer.from([n]);
    await db('invitations').insert([
      { token_hash: hash(1), email: 'new@example.com', role: 'author', expires_at: later(2 * DAY) },
      { token_hash: hash(2), email: 'used@example.com', role: 'author', expires_at: later(2 * DAY), used_at: T },
      { token_hash: hash(3), email: 'late@example.com', role: 'author', expires_at: later(-3 * DAY) },
    ]);
    await db('password_resets').insert([
      { token_hash: hash(1), user_id: user!.id, expires_at: later(60 * 60 * 1000) },
      { token_hash: hash(2), user_id: user!.id, expires_at: later(60 * 60 * 1000), used_at: later(-DAY - 1000) },
    ]);
    await db('two_factor_recovery_codes').insert([
      { user_id: user!.id, code_hash: 'unused' },
      { user_id: user!.id, code_hash: 'used', used_at: later(-2 * DAY) },
    ]);
    await db('two_factor').insert([
      { user_id: user!.id, secret: 'sealed', enabled_at: later(-9 * DAY), pending_secret: 'sealed-new', pending_since: later(-2 * DAY) },
      { user_id: other!.id, pending_secret: 'sealed', pending_since: later(-2 * DAY) },
    ]);

    const report = done(await run(T));
    assert.deepEqual([report.invitations, report.passwordResets, report.recoveryCodes, report.twoFactorEnrolments], [1, 1, 1, 2]);
    assert.deepEqual(
      (await db('invitations').select('email').orderBy('email')).map((row) => row.email),
      ['new@example.com', 'used@example.com'],
    );
    assert.equal(
      await db('password_resets')
        .count<Array<{ count: string }>>({ count: '*' })
        .then((rows) => Number(rows[0]!.count)),
      1,
    );
    assert.deepEqual(
      (await db('two_factor_recovery_codes').select('code_hash')).map((row) => row.code_hash),
      ['unused'],
    );
    const twoFactor = await db('two_factor').select('user_id', 'secret', 'pending_secret');
    assert.deepEqual(twoFactor, [{ user_id: user!.id, secret: 'sealed', pending_secret: null }], 'the confirmed secret stays');

    const nextDay = done(await run(later(DAY + 1000)));
    assert.equal(nextDay.invitations, 1, 'the used invitation goes a day after its use');
    assert.equal(done(await run(later(4 * DAY))).invitations, 1, 'the unused one a day after it expires');
    assert.equal(
      await db('invitations')
        .count<Array<{ count: string }>>({ count: '*' })
        .then((rows) => Number(rows[0]!.count)),
      0,
    );
  });

  it('deletes unconfirmed privacy requests a day after their week, and makes confirmed ones forget the address', async () => {
    const db = context.db;
    const request = (email: string, expires: number, confirmed: boolean) => ({
      email,
      kind: 'export',
      token_hash: Buffer.from(email),
      expires_at: later(expires),
      confirmed_at: confirmed ? later(expires - 6 * DAY) : null,
    });
    await db('privacy_requests').insert([
      request('waiting@example.com', 3 * DAY, false),
      request('lapsed@example.com', -2 * DAY, false),
      request('confirmed@example.com', -2 * DAY, true),
      request('recent@example.com', 3 * DAY, true),
    ]);
    assert.equal(done(await run(T)).privacyRequests, 2);
    const rows = await db('privacy_requests').select('email', 'token_hash', 'confirmed_at').orderBy('id');
    assert.deepEqual(
      rows.map((row) => [row.email, row.token_hash === null, row.confirmed_at !== null]),
      [
        ['waiting@example.com', false, false],
        [null, true, true],
        ['recent@example.com', false, true],
      ],
    );
  });

  it('ends a run early when the process is stopping', async () => {
    await insertComment(context.db, { status: 'approved', created_at: T });
    const outcome = await runCleanupOnce({
      db: context.db,
      databaseUrl: process.env.DATABASE_URL!,
      outboxDir,
      now: later(365 * DAY),
      stopping: () => true,
    });
    assert.equal(outcome.kind, 'stopped');
    assert.equal(
      await context
        .db('comments')
        .whereNotNull('ip')
        .count<Array<{ count: string }>>({ count: '*' })
        .then((rows) => Number(rows[0]!.count)),
      1,
    );
  });
});

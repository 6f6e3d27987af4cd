import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHeldMailBudget, HELD_MAILS_PER_MINUTE, surgeMinute } from '../../src/mail/held-mail-budget.js';
import { mailForNewComment, noteNewCommentMailQueued } from '../../src/mail/comment-notifications.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';

describe('held-comment mail budget', () => {
  it('allows the set number in any 60 seconds, then refuses until the oldest is a minute old', () => {
    const budget = createHeldMailBudget(3);
    assert.deepEqual(
      [0, 1_000, 2_000, 3_000].map((at) => budget.take(at)),
      [true, true, true, false],
    );
    assert.equal(budget.take(59_999), false, 'the first is not yet a minute old');
    assert.equal(budget.take(60_000), true, 'the first mail has left the window');
    assert.equal(budget.take(60_500), false, 'the second is still inside it');
    assert.equal(budget.take(61_000), true);
  });

  it('counts only what it allowed: refusals do not push the window on', () => {
    const budget = createHeldMailBudget(1);
    assert.equal(budget.take(0), true);
    for (let at = 1_000; at < 60_000; at += 1_000) assert.equal(budget.take(at), false);
    assert.equal(budget.take(60_000), true);
  });

  it('puts the surge mail at the end of the minute', () => {
    assert.equal(surgeMinute(120_000).endMs, 180_000);
    assert.equal(surgeMinute(179_999).endMs, 180_000);
    assert.equal(surgeMinute(179_999).startMs, 120_000);
  });
});

describe('held-comment mail in a surge', () => {
  const event = (id: string, nowMs: number, budget = createHeldMailBudget()) => ({
    baseUrl: 'https://blog.example',
    secret: 'x'.repeat(32),
    settings: { ...DEFAULT_DISCUSSION_SETTINGS, adminNotification: 'each' as const },
    article: { title: 'A title', slug: 'a-title' },
    comment: { id, status: 'pending' as const, author_name: 'Ada', author_email: 'ada@example.org', body: `Words ${id}` },
    parent: null,
    reasons: ['held: a reason'],
    nowMs,
    heldMailBudget: budget,
  });

  it('mails each held comment up to the budget, then one surge mail per minute without comment text', () => {
    const budget = createHeldMailBudget();
    const start = 600_000;
    const kinds = Array.from(
      { length: HELD_MAILS_PER_MINUTE + 5 },
      (_, n) => mailForNewComment(event(String(n), start + n * 100, budget)).staff,
    );
    assert.deepEqual(
      kinds.map((staff) => staff.length),
      kinds.map(() => 1),
    );
    const surge = kinds.slice(HELD_MAILS_PER_MINUTE).map(([mail]) => mail!);
    assert.deepEqual(
      kinds.slice(0, HELD_MAILS_PER_MINUTE).map(([mail]) => mail!.kind),
      Array(HELD_MAILS_PER_MINUTE).fill('held'),
    );
    assert.deepEqual(new Set(surge.map((mail) => mail.dedupe_key)), new Set([`held-surge:${surgeMinute(start).endMs}`]), 'one per minute');
    assert.equal(surge[0]!.kind, 'held-surge');
    assert.equal(surge[0]!.next_attempt_at!.getTime(), surgeMinute(start).endMs);
    assert.ok(surge[0]!.body.includes('https://blog.example/admin/comments?status=pending'), surge[0]!.body);
    assert.ok(!surge.some((mail) => mail.body.includes('Words')), 'no comment text in a surge mail');
  });

  it('stops carrying the surge mail once it is queued, until the next minute', () => {
    const budget = createHeldMailBudget(1);
    const minute = surgeMinute(600_000);
    const staffAt = (nowMs: number) => mailForNewComment(event(String(nowMs), nowMs, budget)).staff;
    assert.equal(staffAt(minute.startMs)[0]!.kind, 'held');
    const surge = staffAt(minute.startMs + 1_000);
    assert.equal(surge[0]!.kind, 'held-surge');
    assert.equal(staffAt(minute.startMs + 2_000)[0]!.kind, 'held-surge', 'not yet known to be queued: sent again (the outbox keeps one)');
    noteNewCommentMailQueued({ heldMailBudget: budget, nowMs: minute.startMs + 1_000 }, surge);
    assert.deepEqual(staffAt(minute.startMs + 3_000), [], 'queued for this minute already');
    assert.deepEqual(staffAt(minute.endMs - 1), []);
    assert.equal(staffAt(minute.endMs)[0]!.kind, 'held', 'the first held mail has left the window');
    const next = staffAt(minute.endMs + 1_000);
    assert.equal(next[0]!.dedupe_key, `held-surge:${minute.endMs + 60_000}`, 'a new minute needs its own');
  });

  it('takes only a surge mail as queued', () => {
    const budget = createHeldMailBudget(1);
    const own = mailForNewComment(event('1', 0, budget)).staff;
    noteNewCommentMailQueued({ heldMailBudget: budget, nowMs: 0 }, own);
    assert.equal(mailForNewComment(event('2', 1_000, budget)).staff[0]!.kind, 'held-surge');
  });

  it('mails every held comment when no budget is given', () => {
    const { heldMailBudget: _none, ...unlimited } = event('1', 0);
    for (let n = 0; n < HELD_MAILS_PER_MINUTE * 2; n += 1) {
      assert.equal(mailForNewComment({ ...unlimited, comment: { ...unlimited.comment, id: String(n) } }).staff[0]!.kind, 'held');
    }
  });
});

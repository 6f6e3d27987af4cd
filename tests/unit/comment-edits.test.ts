import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OwnCommentRow } from '../../src/comments/comment-edit-queries.js';
import { ownCommentState, planEditStatus } from '../../src/comments/comment-edits.js';
import type { Decision } from '../../src/comments/discussion-rules.js';

/** A commenter's edit only ever makes a comment's standing stricter, and only for what the edit itself adds. */

const clean: Decision = { status: 'approved', reasons: [] };
const links = (count: number): Decision => ({
  status: 'pending',
  reasons: [{ code: 'too_many_links', text: `held: ${count} links, limit 2` }],
});
const word = (w: string): Decision => ({
  status: 'pending',
  reasons: [{ code: 'moderation_word', text: `held: moderation word "${w}" in text` }],
});
const spamWord: Decision = { status: 'spam', reasons: [{ code: 'disallowed_word', text: 'spam: disallowed word "casino" in text' }] };
const firstTime: Decision = { status: 'pending', reasons: [{ code: 'first_time_commenter', text: 'held: no earlier approved comment' }] };
const approved = { status: 'approved' as const, reasons: [] };

describe('planEditStatus', () => {
  it('keeps a published comment published when the edit trips nothing new', () => {
    assert.deepEqual(planEditStatus(approved, clean, clean), approved);
    assert.deepEqual(planEditStatus(approved, word('bargain'), word('bargain')), approved, 'the word was there already');
    assert.deepEqual(planEditStatus(approved, links(3), links(4)), approved, 'it was over the link limit already');
    assert.deepEqual(planEditStatus(approved, clean, firstTime), approved, 'never "no earlier approved comment"');
  });

  it('holds a published comment for what the edit newly adds, and only that', () => {
    assert.deepEqual(
      planEditStatus(approved, word('bargain'), { status: 'pending', reasons: [...word('bargain').reasons, ...word('casino').reasons] }),
      {
        status: 'pending',
        reasons: word('casino').reasons,
      },
    );
    assert.deepEqual(planEditStatus(approved, clean, links(3)), { status: 'pending', reasons: links(3).reasons });
    assert.deepEqual(planEditStatus(approved, clean, spamWord), { status: 'spam', reasons: spamWord.reasons });
  });

  it('keeps a held comment held, its reasons with any new one, and spam spam', () => {
    const held = { status: 'pending' as const, reasons: [{ code: 'too_fast', text: 'held: posted 1.0 s after the form was shown' }] };
    assert.deepEqual(planEditStatus(held, clean, clean), held, 'a clean edit does not publish it');
    assert.deepEqual(planEditStatus(held, clean, word('casino')), {
      status: 'pending',
      reasons: [...held.reasons, ...word('casino').reasons],
    });
    assert.deepEqual(planEditStatus(held, clean, spamWord), { status: 'spam', reasons: spamWord.reasons });
    const spam = { status: 'spam' as const, reasons: [{ code: 'honeypot', text: 'spam: trap' }] };
    assert.deepEqual(planEditStatus(spam, clean, clean), spam);
  });
});

describe('ownCommentState', () => {
  const createdAt = new Date('2026-12-07T10:00:00Z');
  const row = (changes: Partial<OwnCommentRow>) =>
    ({
      status: 'approved',
      status_reasons: [],
      created_at: createdAt,
      moderated_at: null,
      moderator_edited_at: null,
      ...changes,
    }) as OwnCommentRow;
  const at = (minutes: number) => createdAt.getTime() + minutes * 60_000;

  it('is open for 15 minutes, unless a moderator moved or edited it, or its author withdrew it', () => {
    assert.equal(ownCommentState(row({}), at(14)), 'open');
    assert.equal(ownCommentState(row({}), at(16)), 'too-late');
    assert.equal(ownCommentState(row({ moderated_at: new Date() }), at(1)), 'moderated');
    assert.equal(ownCommentState(row({ moderator_edited_at: new Date() }), at(1)), 'moderated');
    assert.equal(ownCommentState(row({ status: 'trash', status_reasons: [{ code: 'withdrawn', text: '' }] }), at(30)), 'withdrawn');
    assert.equal(ownCommentState(row({ status: 'trash', moderated_at: new Date() }), at(1)), 'moderated', 'trashed by a moderator');
  });
});

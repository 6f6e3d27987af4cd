import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  countLinks,
  decideComment,
  findListedWords,
  type CommentCandidate,
  type CommenterFacts,
} from '../../src/comments/discussion-rules.js';
import { DEFAULT_DISCUSSION_SETTINGS, parseWordList, settingsFromStored } from '../../src/settings/discussion-settings.js';

const candidate: CommentCandidate = {
  authorName: 'Ann Reader',
  authorEmail: 'ann@example.com',
  authorUrl: '',
  body: 'A thoughtful comment.',
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
};
const returning: CommenterFacts = { previouslyApproved: true, honeypotFilled: false, secondsSinceRender: 30, block: null };
const firstTime: CommenterFacts = { ...returning, previouslyApproved: false };
const settings = DEFAULT_DISCUSSION_SETTINGS;
const codes = (decision: { reasons: Array<{ code: string }> }) => decision.reasons.map((reason) => reason.code);

describe('link counting', () => {
  it('counts URLs as WordPress does', () => {
    assert.equal(countLinks('no links here'), 0);
    assert.equal(countLinks('see https://a.example and http://b.example'), 2);
    assert.equal(countLinks('<a href="https://a.example">a</a> and //c.example'), 1);
  });

  it('counts one per <a href> tag, the address that is its text not again', () => {
    assert.equal(countLinks('<a href="http://x/">http://x/</a>'), 1);
    assert.equal(countLinks('<A HREF="http://x/">one</A> <a title="t" href=y>two</a>'), 2);
    assert.equal(countLinks('<a name="top">no address</a>'), 0);
  });

  it('counts bare www. addresses, as make_clickable links them', () => {
    assert.equal(countLinks('www.a-example.com'), 1);
    assert.equal(countLinks('see www.a-example.com and www.b-example.com'), 2);
    assert.equal(countLinks('ftp://files.example and ftp.example.org'), 2);
  });

  it('does not count a // that starts no address', () => {
    assert.equal(countLinks('In C, // starts a comment'), 0);
    assert.equal(countLinks('a // b // c'), 0);
  });

  it('looks at each character a bounded number of times, whatever the text', () => {
    // Each of these made a single regular expression retry the rest of the text from every opening.
    for (const text of ['<a '.repeat(21_841), '<a href'.repeat(9_360), 'http://'.repeat(9_360), 'İ'.repeat(65_525)]) {
      assert.ok(countLinks(text) >= 0);
    }
    assert.equal(countLinks('<a href=x>'.repeat(6_552)), 6_552);
  });
});

describe('word lists', () => {
  it('parses one entry a line, trimmed, blank lines and repeats dropped', () => {
    assert.deepEqual(parseWordList(' casino \n\n viagra\r\ncasino\n'), ['casino', 'viagra']);
  });

  it('match case-insensitive substrings in every field and say where', () => {
    const found = findListedWords({ ...candidate, authorUrl: 'https://CASINO.example', body: 'Casinos!' }, ['casino']);
    assert.deepEqual(found, [
      { word: 'casino', field: 'website' },
      { word: 'casino', field: 'text' },
    ]);
    assert.deepEqual(findListedWords(candidate, ['203.0.113.']), [{ word: '203.0.113.', field: 'IP address' }]);
  });
});

describe('the decision with default settings', () => {
  it('holds a first-time commenter and publishes a returning one, as WordPress does', () => {
    const held = decideComment(candidate, settings, firstTime);
    assert.equal(held.status, 'pending');
    assert.deepEqual(codes(held), ['first_time_commenter']);
    assert.deepEqual(decideComment(candidate, settings, returning), { status: 'approved', reasons: [] });
  });

  it('holds at 2 links and says how many', () => {
    const decision = decideComment({ ...candidate, body: 'http://a.example http://b.example http://c.example' }, settings, returning);
    assert.equal(decision.status, 'pending');
    assert.deepEqual(decision.reasons, [{ code: 'too_many_links', text: 'held: 3 links, limit 2' }]);
    assert.equal(decideComment({ ...candidate, body: 'one http://a.example' }, settings, returning).status, 'approved');
  });

  it('treats a filled honeypot as spam', () => {
    assert.deepEqual(codes(decideComment(candidate, settings, { ...returning, honeypotFilled: true })), ['honeypot']);
  });

  it('holds a too-fast post from someone unknown for review, saying why, and never calls it spam', () => {
    const quick = decideComment(
      candidate,
      { ...settings, autoApprovePreviouslyApproved: false },
      { ...firstTime, secondsSinceRender: 1.2 },
    );
    assert.deepEqual(quick, {
      status: 'pending',
      reasons: [{ code: 'too_fast', text: 'held: posted 1.2 s after the form was shown (minimum 3 s)' }],
    });
    const unstamped = decideComment(candidate, settings, { ...firstTime, secondsSinceRender: null });
    assert.equal(unstamped.status, 'pending');
    assert.deepEqual(unstamped.reasons.at(-1), { code: 'too_fast', text: 'held: the form’s time stamp was missing or altered' });
  });

  it('lets the ordinary rules alone decide a too-fast post from a returning commenter or one with saved details', () => {
    assert.deepEqual(decideComment(candidate, settings, { ...returning, secondsSinceRender: 1.8 }), { status: 'approved', reasons: [] });
    assert.deepEqual(decideComment(candidate, settings, { ...returning, secondsSinceRender: null }), { status: 'approved', reasons: [] });
    const saved = decideComment(candidate, settings, { ...firstTime, savedDetails: true, secondsSinceRender: 0.5 });
    assert.deepEqual(codes(saved), ['first_time_commenter']);
    const open = { ...settings, autoApprovePreviouslyApproved: false };
    assert.deepEqual(decideComment(candidate, open, { ...firstTime, savedDetails: true, secondsSinceRender: 0.5 }), {
      status: 'approved',
      reasons: [],
    });
  });

  it('never catches a form sent 3 s or more after it was shown', () => {
    const open = { ...settings, autoApprovePreviouslyApproved: false };
    for (const seconds of [3, 3.5, 86_400]) {
      assert.deepEqual(decideComment(candidate, open, { ...firstTime, secondsSinceRender: seconds }), { status: 'approved', reasons: [] });
    }
  });

  it('keeps a bot trap spam even with saved details or an approved comment', () => {
    assert.equal(
      decideComment(candidate, settings, { ...returning, savedDetails: true, honeypotFilled: true, secondsSinceRender: 0 }).status,
      'spam',
    );
  });
});

describe('the decision with options changed', () => {
  it('holds everything when manual approval is on, even a returning commenter', () => {
    const decision = decideComment(candidate, { ...settings, holdEveryComment: true }, returning);
    assert.deepEqual(decision, { status: 'pending', reasons: [{ code: 'manual_approval', text: 'held: manual approval required' }] });
  });

  it('records every rule that fired, spam reasons first', () => {
    const noisy = { ...candidate, authorUrl: 'https://casino.example', body: 'cheap pills http://a.example http://b.example' };
    const decision = decideComment(
      noisy,
      { ...settings, holdEveryComment: true, moderationWords: ['pills'], disallowedWords: ['casino'] },
      { ...firstTime, honeypotFilled: true },
    );
    assert.equal(decision.status, 'spam');
    assert.deepEqual(codes(decision), ['disallowed_word', 'honeypot', 'manual_approval', 'too_many_links', 'moderation_word']);
    assert.equal(decision.reasons[0]!.text, 'spam: disallowed word "casino" in website');
    assert.equal(decision.reasons[4]!.text, 'held: moderation word "pills" in text');
  });

  it('makes a disallowed word spam even for a returning commenter', () => {
    const decision = decideComment({ ...candidate, body: 'Visit my casino' }, { ...settings, disallowedWords: ['casino'] }, returning);
    assert.deepEqual(decision.reasons, [{ code: 'disallowed_word', text: 'spam: disallowed word "casino" in text' }]);
  });

  it('approves a clean comment when the previously-approved rule is off', () => {
    const decision = decideComment(candidate, { ...settings, autoApprovePreviouslyApproved: false }, firstTime);
    assert.deepEqual(decision, { status: 'approved', reasons: [] });
  });

  it('ignores a link limit of 0 (off)', () => {
    assert.equal(
      decideComment({ ...candidate, body: 'http://a.example http://b.example' }, { ...settings, holdAtLinkCount: 0 }, returning).status,
      'approved',
    );
  });

  it('makes a blocked commenter spam and says which block', () => {
    const decision = decideComment(candidate, settings, { ...returning, block: 'email ann@example.com' });
    assert.deepEqual(decision.reasons, [{ code: 'blocked', text: 'spam: blocked email ann@example.com' }]);
  });
});

describe('stored settings', () => {
  it('fall back to the default key by key when a stored value is invalid', () => {
    const stored = settingsFromStored({ threadDepth: 11, holdAtLinkCount: 4, moderationWords: [' a ', ''], unknown: 1 });
    assert.equal(stored.threadDepth, 5);
    assert.equal(stored.holdAtLinkCount, 4);
    assert.deepEqual(stored.moderationWords, ['a']);
    assert.equal('unknown' in stored, false);
  });
});

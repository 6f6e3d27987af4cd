import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decideComment, findListedWords, type CommentCandidate } from '../../src/comments/discussion-rules.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { findWordsInFields, wordMatchingWork, type WordMatchingWork } from '../../src/comments/discussion-word-lists.js';

/**
 * The word lists against a comment: the same answers as a case-insensitive
 * substring test, from one pass over each field however many words there
 * are. Work is bounded by counting what the matcher is handed, not by a clock.
 */

const THOUSAND = (prefix: string) => Array.from({ length: 1000 }, (_, index) => `${prefix}${index}İ`);

function workDuring(action: () => void): WordMatchingWork {
  const before = wordMatchingWork();
  action();
  const after = wordMatchingWork();
  return {
    compiles: after.compiles - before.compiles,
    fieldScans: after.fieldScans - before.fieldScans,
    unitsScanned: after.unitsScanned - before.unitsScanned,
  };
}

const RETURNING = { previouslyApproved: true, honeypotFilled: false, secondsSinceRender: 30, block: null };

const worstCase: CommentCandidate = {
  authorName: 'İ'.repeat(245),
  authorEmail: 'ada@example.org',
  authorUrl: 'https://example.org/',
  body: 'İ'.repeat(65_525),
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
};

describe('matching a thousand words in each list', () => {
  const settings = { ...DEFAULT_DISCUSSION_SETTINGS, moderationWords: THOUSAND('held'), disallowedWords: THOUSAND('spam') };

  it('scans each field once for both lists, handing the matcher at most twice the folded text', () => {
    const foldedUnits = Object.values(worstCase).reduce((sum, text) => sum + text.toLowerCase().length, 0);
    const first = workDuring(() => decideComment(worstCase, settings, RETURNING));
    assert.equal(first.fieldScans, 6, 'one scan per field, both lists together');
    assert.ok(first.unitsScanned <= 2 * foldedUnits, `${first.unitsScanned} units handed over for ${foldedUnits}`);
    assert.ok(first.compiles <= 1);
  });

  it('compiles the lists once and reuses the matcher for the next comment', () => {
    decideComment(worstCase, settings, RETURNING);
    const again = workDuring(() => decideComment({ ...worstCase, body: 'held7İ and spam9i̇' }, settings, RETURNING));
    assert.equal(again.compiles, 0);
  });

  it('still finds the words, case-insensitively, and says where', () => {
    const decision = decideComment({ ...worstCase, authorName: 'HELD7İ', body: `${'İ'.repeat(5000)} spam12İ` }, settings, RETURNING);
    assert.equal(decision.status, 'spam');
    assert.deepEqual(
      decision.reasons.map((reason) => reason.text),
      ['spam: disallowed word "spam12İ" in text', 'held: moderation word "held7İ" in name'],
    );
  });
});

describe('the same answers as a substring test', () => {
  const naive = (texts: string[], words: string[]) =>
    words.flatMap((word) =>
      texts.flatMap((text, field) => (text.toLowerCase().includes(word.toLowerCase()) ? [{ word, field: String(field) }] : [])),
    );

  it('finds a word wherever it falls, across the windows a long field is scanned in', () => {
    for (const at of [0, 2040, 2045, 2047, 2048, 2049, 4090, 4095, 4096, 6000]) {
      const text = `${'x'.repeat(at)}Casino😀${'y'.repeat(8000 - at)}`;
      assert.deepEqual(findWordsInFields([{ label: 'text', text }], [['casino😀']]), [[{ word: 'casino😀', field: 'text' }]], `at ${at}`);
    }
  });

  it('agrees with lower-cased includes on random fields and words', () => {
    const letter = fc.constantFrom('a', 'b', 'C', ' ', 'é', '😀', 'ß', 'Ω');
    const word = fc.array(letter, { minLength: 1, maxLength: 4 }).map((letters) => letters.join(''));
    const text = fc.array(letter, { maxLength: 60 }).map((letters) => letters.join(''));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), fc.uniqueArray(word, { maxLength: 6 }), (texts, words) => {
        const fields = texts.map((value, index) => ({ label: String(index), text: value }));
        assert.deepEqual(findWordsInFields(fields, [words])[0], naive(texts, words));
      }),
    );
  });

  it('keeps findListedWords as the edit path calls it', () => {
    const candidate = { ...worstCase, authorName: 'Ann', authorUrl: 'https://CASINO.example', body: 'Casinos!' };
    assert.deepEqual(findListedWords(candidate, ['casino']), [
      { word: 'casino', field: 'website' },
      { word: 'casino', field: 'text' },
    ]);
    assert.deepEqual(findListedWords(candidate, []), []);
  });
});

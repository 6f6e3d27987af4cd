import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countWords, paragraphsOf, readingBarLabel, readingMinutes, truncateTitle } from '../../src/articles/reading.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('reading time', () => {
  it('is words / 200, rounded, at least one minute', () => {
    assert.equal(readingMinutes(''), 1);
    assert.equal(readingMinutes(words(99)), 1);
    assert.equal(readingMinutes(words(299)), 1);
    assert.equal(readingMinutes(words(300)), 2);
    assert.equal(readingMinutes(words(1000)), 5);
  });

  it('does not count punctuation-only tokens as words', () => {
    assert.equal(countWords('Dec. 30 – the Kremlin’s latest'), 5);
  });
});

describe('title truncation', () => {
  it('cuts a long title to 23 characters and an ellipsis', () => {
    assert.equal(truncateTitle('Xi Ducks Putin’s Push for Expanded Military Ties'), 'Xi Ducks Putin’s Push f…');
  });

  it('leaves a short title alone', () => {
    assert.equal(truncateTitle('Short title'), 'Short title');
    assert.equal(truncateTitle('x'.repeat(24)), 'x'.repeat(24));
  });

  it('counts characters, not UTF-16 units, and drops a trailing space before the ellipsis', () => {
    assert.equal(truncateTitle('😀'.repeat(30)), '😀'.repeat(23) + '…');
    assert.equal(truncateTitle('abcdefghijklmnopqrstuvw and more', 24), 'abcdefghijklmnopqrstuvw…');
    assert.equal(truncateTitle('abcdefghijklmnopqrstuv and more', 24), 'abcdefghijklmnopqrstuv…');
  });
});

describe('reading bar label', () => {
  it('reads as the demo article page shows it', () => {
    const label = readingBarLabel({
      title: 'Xi Ducks Putin’s Push for Expanded Military Ties',
      author_name: 'Kareem Salem',
      body: words(250),
    });
    assert.equal(label, 'Xi Ducks Putin’s Push f… by Kareem Salem time to read: 1 min');
  });
});

describe('paragraphs', () => {
  it('splits on blank lines and joins wrapped lines', () => {
    assert.deepEqual(paragraphsOf('One\nline.\n\n\nTwo.\r\n\r\nThree.  \n'), ['One line.', 'Two.', 'Three.']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countWords, readingBarLabel, readingMinutes, truncateTitle } from '../../src/articles/reading.js';
import { prepareArticleBody, splitAfterBlock } from '../../src/articles/article-body.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('reading time', () => {
  it('is words / 200, rounded, at least one minute', () => {
    assert.equal(readingMinutes(0), 1);
    assert.equal(readingMinutes(99), 1);
    assert.equal(readingMinutes(299), 1);
    assert.equal(readingMinutes(300), 2);
    assert.equal(readingMinutes(1000), 5);
  });

  it('counts the rendered text, not the Markdown around it', () => {
    const body = prepareArticleBody(
      `## ${words(3)}\n\n**${words(150)}** [link](https://example.org/${'x'.repeat(40)})\n\n- ${words(146)}`,
      'markdown',
      null,
    );
    assert.equal(body.wordCount, 300);
    assert.equal(readingMinutes(body.wordCount), 2);
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
    const label = readingBarLabel('Xi Ducks Putin’s Push for Expanded Military Ties', 'Kareem Salem', readingMinutes(250));
    assert.equal(label, 'Xi Ducks Putin’s Push f… by Kareem Salem time to read: 1 min');
  });
});

describe('the body around its figure', () => {
  const html = prepareArticleBody('# Title\n\nOne.\n\n- a\n- b\n\n---\n\nLast.', 'markdown', null).html;

  it('splits after the n-th top-level block, nested ones not counted', () => {
    assert.deepEqual(splitAfterBlock(html, 2), [
      '<h2 id="title">Title</h2>\n<p>One.</p>',
      '\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<hr />\n<p>Last.</p>\n',
    ]);
    assert.equal(splitAfterBlock(html, 4)[1], '\n<p>Last.</p>\n');
  });

  it('puts a figure placed past the end after everything', () => {
    assert.deepEqual(splitAfterBlock(html, 99), [html, '']);
  });

  it('summarises by the excerpt, else the first paragraph', () => {
    assert.equal(prepareArticleBody('# T\n\nFirst  *one*.\n\nSecond.', 'markdown', null).summary, 'First one.');
    assert.equal(prepareArticleBody('First.', 'markdown', '  Typed\n excerpt ').summary, 'Typed excerpt');
  });
});

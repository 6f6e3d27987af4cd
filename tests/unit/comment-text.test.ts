import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import fc from 'fast-check';
import { plainTextHtml, renderCommentMarkdown, renderCommentText } from '../../src/comments/comment-text.js';

const ALLOWED = new Set(['p', 'br', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a']);

/** Every element and attribute of the output: nothing beyond the allow-list. */
function assertOnlyAllowedMarkup(html: string) {
  const page = cheerio.load(`<div id="x">${html}</div>`);
  page('#x *').each((_index, element) => {
    const name = element.tagName;
    assert.ok(ALLOWED.has(name), `<${name}> is not allowed: ${html}`);
    const attributes = Object.keys(element.attribs);
    const allowed = name === 'a' ? ['href', 'rel'] : name === 'ol' ? ['start'] : [];
    for (const attribute of attributes) assert.ok(allowed.includes(attribute), `${attribute} on <${name}>: ${html}`);
    if (name === 'a') {
      assert.match(element.attribs.href ?? '', /^https?:\/\//, html);
      assert.equal(element.attribs.rel, 'nofollow ugc noopener');
    }
  });
}

const textOf = (html: string) => cheerio.load(`<div id="x">${html}</div>`)('#x').text();

describe('renderCommentText', () => {
  it('keeps plain paragraphs and single line breaks, as comments were shown before', () => {
    assert.equal(
      renderCommentText('First line\nsecond line\n\nNext paragraph.'),
      '<p>First line<br />\nsecond line</p>\n<p>Next paragraph.</p>\n',
    );
  });

  it('turns web addresses into links that pass no ranking and no opener', () => {
    const html = renderCommentText('See https://example.org/a?b=1&c=2 and www.example.net/page.');
    assert.equal(
      html,
      '<p>See <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.org/a?b=1&amp;c=2</a> and ' +
        '<a href="http://www.example.net/page" rel="nofollow ugc noopener">www.example.net/page</a>.</p>\n',
    );
    assertOnlyAllowedMarkup(html);
  });

  it('links nothing that is not an http(s) or www. address', () => {
    for (const text of [
      'mailto:ada@example.org',
      'ada@example.org',
      'ftp://example.org/file',
      '//example.org/x',
      'example.com',
      'see file.py',
      'javascript:alert(1)',
    ]) {
      const html = renderCommentText(text);
      assert.equal(cheerio.load(html)('a').length, 0, `${text}: ${html}`);
      assert.equal(textOf(html).trim(), text);
    }
  });

  it('renders the small set of formatting: emphasis, strong, code, code blocks, quotes and lists', () => {
    const html = renderCommentText('*soft* **loud** `x < y`\n\n```\nif (a && b) {}\n```\n\n> quoted\n\n- one\n- two\n\n3. three\n4. four');
    assert.equal(
      html,
      '<p><em>soft</em> <strong>loud</strong> <code>x &lt; y</code></p>\n<pre><code>if (a &amp;&amp; b) {}\n</code></pre>\n' +
        '<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n',
    );
    assertOnlyAllowedMarkup(html);
  });

  it('shows headings, images, rules, tables, strikethrough and Markdown links as the text typed', () => {
    for (const text of [
      '# Not a heading',
      'Underlined\n===',
      '![alt](https://example.org/i.png)',
      '[click](https://example.org/)',
      '---',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      '~~gone~~',
    ]) {
      const html = renderCommentText(text);
      assertOnlyAllowedMarkup(html);
      assert.equal(cheerio.load(html)('img, h1, h2, hr, table, s, del').length, 0, html);
      assert.equal(textOf(html).replace(/\s+/g, ' ').trim(), text.replace(/\s+/g, ' ').trim(), html);
    }
  });

  it('escapes raw HTML and entities: they read exactly as typed', () => {
    for (const text of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<b>bold</b>',
      '&lt;script&gt; &amp;amp; &#60;b&#62;',
      '<a href="javascript:alert(1)">x</a>',
      '<!-- comment --> <![CDATA[ x ]]>',
    ]) {
      const html = renderCommentText(text);
      assertOnlyAllowedMarkup(html);
      assert.equal(textOf(html).trim(), text, html);
    }
  });

  it('never makes a link of a dangerous address, however it is written', () => {
    for (const text of [
      '[x](javascript:alert(1))',
      '<javascript:alert(1)>',
      '<data:text/html,<script>alert(1)</script>>',
      '[x](vbscript:msgbox(1))',
      'https://example.org/"onmouseover="alert(1)',
      "https://example.org/'><script>alert(1)</script>",
      '<https://example.org/" onclick="alert(1)>',
      '[a]: javascript:alert(1)\n\n[a]',
    ]) {
      const html = renderCommentText(text);
      assertOnlyAllowedMarkup(html);
      assert.equal(cheerio.load(html)('script, [onmouseover], [onclick]').length, 0, html);
    }
  });

  it('renders nothing for nothing', () => {
    assert.equal(renderCommentText(''), '');
  });

  it('takes the short way for plain text with exactly the output of the full way', () => {
    const pieces = [
      'a',
      'Zeb',
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\n\n',
      '&',
      '"',
      "'",
      '1',
      '2.',
      '3)',
      '-',
      '+',
      '#',
      '=',
      '!',
      '|',
      '.',
      ':',
      '/',
      'é',
      '😀',
      '\u00a0',
      '\t',
      '*',
      '_',
      '`',
      '~',
      '<',
      '>',
      '[',
      ']',
      '\\',
      'http',
      's://x.org',
      'www.',
      'example.com',
      'mailto:',
      '&amp;',
    ];
    const text = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((parts) => parts.join(''));
    let shortWays = 0;
    fc.assert(
      fc.property(text, (body) => {
        const plain = plainTextHtml(body);
        if (plain !== null) shortWays += 1;
        assert.equal(plain ?? renderCommentMarkdown(body), renderCommentMarkdown(body), JSON.stringify(body));
        assert.equal(renderCommentText(body), renderCommentMarkdown(body));
      }),
      { numRuns: 3000, seed: 15 },
    );
    assert.ok(shortWays > 300, `the short way was taken ${shortWays} times`);
  });

  it('takes the short way for everyday sentences, and the full way for anything it cannot be sure of', () => {
    assert.equal(
      plainTextHtml('I agree.\r\nMostly!\r\n\r\n“Quotes” & ‘apostrophes’ aren’t markup.'),
      '<p>I agree.<br />\nMostly!</p>\n<p>“Quotes” &amp; ‘apostrophes’ aren’t markup.</p>\n',
    );
    for (const body of ['*a*', 'see www.x.org', '- item', '1. item', '    code', '\tx', 'a\u00a0b', '> q', 'a\\b'])
      assert.equal(plainTextHtml(body), null, body);
  });
});

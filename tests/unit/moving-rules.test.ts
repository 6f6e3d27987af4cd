import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdata, commentContentOf, rfc822, wpDateGmt, wpDateLocal, xmlSafe, xmlText } from '../../src/moving/wordpress-export-xml.js';
import { readBroadsheetMeta } from '../../src/moving/wordpress-export-meta.js';
import { legacyPathForm, threadAddress } from '../../src/moving/disqus-threads.js';

describe('WXR text', () => {
  it('splits a CDATA end across two sections', () => {
    assert.equal(cdata('a ]]> b'), '<![CDATA[a ]]]]><![CDATA[> b]]>');
    assert.equal(cdata(']]>]]>'), '<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>');
  });

  it('drops what XML 1.0 cannot carry and keeps the rest', () => {
    assert.equal(xmlSafe('a\u0000b\u0007c\u000bd\u001fe\tf\ng\rh'), 'abcde\tf\ng\rh');
    assert.equal(xmlSafe('\uffff\ufffe\ud800x'), 'x');
    assert.equal(xmlSafe('émoji 🦆 日本語'), 'émoji 🦆 日本語');
    assert.equal(xmlText('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('writes a comment’s plain text as WordPress stores comment HTML', () => {
    assert.equal(commentContentOf('1 < 2 & <b>bold</b>\n\nnext'), '1 &lt; 2 &amp; &lt;b&gt;bold&lt;/b&gt;\n\nnext');
  });
});

describe('WXR dates', () => {
  it('writes GMT and the site’s wall clock, across summer time', () => {
    const winter = new Date('2024-01-15T12:34:56Z');
    const summer = new Date('2024-07-15T12:34:56Z');
    assert.equal(wpDateGmt(winter), '2024-01-15 12:34:56');
    assert.equal(wpDateLocal(winter, 'Europe/Paris'), '2024-01-15 13:34:56');
    assert.equal(wpDateLocal(summer, 'Europe/Paris'), '2024-07-15 14:34:56');
    assert.equal(wpDateLocal(summer, 'Asia/Kathmandu'), '2024-07-15 18:19:56');
    assert.equal(wpDateLocal(new Date('2024-03-10T06:59:59Z'), 'America/New_York'), '2024-03-10 01:59:59');
    assert.equal(wpDateLocal(new Date('2024-03-10T07:00:00Z'), 'America/New_York'), '2024-03-10 03:00:00');
    assert.equal(rfc822(winter), 'Mon, 15 Jan 2024 12:34:56 +0000');
  });
});

describe('readBroadsheetMeta', () => {
  it('reads a Markdown article’s source and its figure', () => {
    assert.deepEqual(
      readBroadsheetMeta({
        _broadsheet_format: 'markdown',
        _broadsheet_markdown: '# Title\n\nText',
        _broadsheet_figure_image: '/media/abc.jpg',
        _broadsheet_figure_alt: 'A duck',
        _broadsheet_figure_caption: 'Source: a pond',
        _broadsheet_figure_after_paragraph: '2',
      }),
      { markdown: '# Title\n\nText', figure: { image: '/media/abc.jpg', alt: 'A duck', caption: 'Source: a pond', afterParagraph: 2 } },
    );
  });

  it('leaves out what is not a Broadsheet export’s or is malformed', () => {
    assert.deepEqual(readBroadsheetMeta({}), { markdown: null, figure: null });
    assert.deepEqual(readBroadsheetMeta({ _broadsheet_format: 'html', _broadsheet_markdown: 'x' }), { markdown: null, figure: null });
    assert.deepEqual(
      readBroadsheetMeta({ _broadsheet_figure_image: 'https://evil.example/x.jpg', _broadsheet_figure_after_paragraph: '-3' }),
      {
        markdown: null,
        figure: null,
      },
    );
    assert.deepEqual(readBroadsheetMeta({ _broadsheet_figure_caption: 'Only words', _broadsheet_figure_after_paragraph: 'x' }), {
      markdown: null,
      figure: { image: null, alt: null, caption: 'Only words', afterParagraph: 1 },
    });
  });
});

describe('a Disqus thread’s address', () => {
  const base = 'https://blog.example.org';

  it('is its path on this site, after a domain that moved', () => {
    assert.deepEqual(threadAddress('https://blog.example.org/articles/x', base, {}), { ok: true, path: '/articles/x', postId: null });
    assert.deepEqual(threadAddress('http://old.example.com/2013/01/caf%C3%A9/', base, { 'https://Old.Example.com/': 'blog.example.org' }), {
      ok: true,
      path: '/2013/01/café/',
      postId: null,
    });
    assert.deepEqual(threadAddress('https://blog.example.org/?p=42&foo=1', base, {}), { ok: true, path: '/', postId: '42' });
    assert.deepEqual(threadAddress('https://blog.example.org/?page_id=7', base, {}), { ok: true, path: '/', postId: '7' });
  });

  it('takes off the site’s own path', () => {
    assert.deepEqual(threadAddress('https://example.org/blog/hello/', 'https://example.org/blog', {}), {
      ok: true,
      path: '/hello/',
      postId: null,
    });
    const outside = threadAddress('https://example.org/other/', 'https://example.org/blog', {});
    assert.equal(outside.ok, false);
  });

  it('is refused elsewhere, saying what to do', () => {
    const elsewhere = threadAddress('https://old.example.com/x/', base, {});
    assert.equal(elsewhere.ok, false);
    assert.match(!elsewhere.ok ? elsewhere.reason : '', /--map-domain old\.example\.com=blog\.example\.org/);
    assert.equal(threadAddress('not a url', base, {}).ok, false);
    assert.equal(threadAddress('ftp://blog.example.org/x', base, {}).ok, false);
  });

  it('is kept in one form with a leading and trailing slash', () => {
    assert.equal(legacyPathForm('/2013/01/hello'), '/2013/01/hello/');
    assert.equal(legacyPathForm('/2013/01/hello/'), '/2013/01/hello/');
    assert.equal(legacyPathForm('hello'), '/hello/');
    assert.equal(legacyPathForm('/'), '/');
  });
});

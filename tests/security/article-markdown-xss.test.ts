import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { ARTICLE_IMAGE_SIZES, renderArticleBody } from '../../src/articles/article-markdown.js';
import type { MediaLookup } from '../../src/media/index.js';
import { HOSTILE_BODIES, assertInert, assertOnlyArticleMarkup, inertnessProblems } from '../helpers/hostile-markdown.js';

/**
 * An article body is HTML we serve as is, so the renderer alone decides
 * what runs on the page. Every hostile body, as Markdown and as imported
 * HTML, comes out inert and within the articles' allow-list.
 */

describe('hostile article bodies', () => {
  it('are a corpus of at least 30 distinct attacks', () => {
    assert.ok(HOSTILE_BODIES.length >= 30, `${HOSTILE_BODIES.length} bodies`);
    assert.equal(new Set(HOSTILE_BODIES.map((body) => body.name)).size, HOSTILE_BODIES.length);
    assert.equal(new Set(HOSTILE_BODIES.map((body) => body.source)).size, HOSTILE_BODIES.length);
  });

  for (const format of ['markdown', 'html'] as const) {
    describe(`rendered as ${format}`, () => {
      for (const { name, source } of HOSTILE_BODIES) {
        it(`${name} is inert`, () => {
          const html = renderArticleBody(source, format);
          assertInert(html, `${name} (${format})`);
          assertOnlyArticleMarkup(html);
        });
      }
    });
  }

  it('all of them at once, in one body, are inert too', () => {
    const everything = HOSTILE_BODIES.map((body) => body.source).join('\n\n');
    assertInert(renderArticleBody(everything, 'markdown'));
    assertInert(renderArticleBody(everything, 'html'));
  });
});

describe('what is left of an attack', () => {
  const md = (source: string) => cheerio.load(renderArticleBody(source, 'markdown'), null, false);

  it('a refused Markdown link or image reads as the text typed, so the author sees why', () => {
    assert.equal(md('[click](javascript:alert(1))').text().trim(), '[click](javascript:alert(1))');
    assert.equal(md('![x](data:image/png;base64,AAAA)')('img').length, 0);
  });

  it('a refused HTML link keeps its words but goes nowhere', () => {
    const page = md('<a href="java&#x09;script:alert(1)">words</a>');
    assert.equal(page('a').text(), 'words');
    assert.equal(page('a').attr('href'), undefined);
  });

  it('script and style text is dropped, not shown', () => {
    const page = md('before <script>alert(1)</script><style>p{}</style> after');
    assert.doesNotMatch(page.text(), /alert|p\{\}/);
  });

  it('an image whose address is refused is no image at all', () => {
    assert.equal(md('<img src=x onerror=alert(1)>')('img').length, 0);
    assert.equal(md('<img src="//evil.example/a.png">')('img').length, 0);
    assert.equal(md('<img src="/media/../admin/x">')('img').length, 0);
  });

  it('a link off the site by protocol-relative address loses its address', () => {
    assert.equal(md('<a href="//evil.example/">x</a>')('a').attr('href'), undefined);
    assert.equal(md('<a href="/\\evil.example/">x</a>')('a').attr('href'), undefined);
  });

  it('the checker itself sees what it is meant to see', () => {
    assert.deepEqual(inertnessProblems('<p>fine <a href="https://example.org/">x</a></p><h2 id="a">a</h2>'), []);
    assert.deepEqual(inertnessProblems('<a href=" java&#x09;script:x">x</a>'), ['javascript: URL in href on <a>']);
    assert.deepEqual(inertnessProblems('<p onclick="x" style="c">x</p>'), ['event handler onclick on <p>', 'style attribute style on <p>']);
    assert.deepEqual(inertnessProblems('<svg><script></script></svg>'), ['<script> element', '<svg> element']);
  });
});

describe('srcset and sizes: only as the site writes them', () => {
  const STORED_URL = `/media/${'d'.repeat(32)}.webp`;
  const OURS = `/media/${'d'.repeat(32)}-480.webp 480w, ${STORED_URL} 1200w`;
  const media: MediaLookup = new Map([[STORED_URL, { url: STORED_URL, width: 1200, height: 800, srcset: OURS }]]);
  const INJECTIONS = [
    `<img src="${STORED_URL}" srcset="javascript:alert(1) 1x" alt="a">`,
    `<img src="${STORED_URL}" SRCSET="data:image/svg+xml,<svg onload=alert(1)> 2x" alt="a">`,
    `<img src="${STORED_URL}" srcset="https://tracker.example/p.gif 1w" sizes="100vw" alt="a">`,
    `<img src="${STORED_URL}" alt="a" srcset=" java\tscript:alert(1) 480w, ${STORED_URL} 1200w">`,
    `<img src="/images/video-call.svg" srcset="https://evil.example/a.svg 1x" sizes="1px" alt="a">`,
    `<img src="x" srcset="${STORED_URL} 1x" alt="a">`,
    `<picture><source srcset="javascript:alert(1)"><img src="${STORED_URL}" alt="a"></picture>`,
    `![a](${STORED_URL} "t\" srcset=\"javascript:alert(1) 1x")`,
    `<img src="${STORED_URL}" alt='a" srcset="javascript:alert(1)'>`,
    `<img src="${STORED_URL}" sizes="(min-width: 1px) 1px" onerror="alert(1)" alt="a">`,
  ];

  for (const [index, source] of INJECTIONS.entries()) {
    for (const format of ['markdown', 'html'] as const) {
      it(`injection ${index + 1} (${format}): no srcset or sizes but the stored image's own`, () => {
        const html = renderArticleBody(source, format, media);
        assertInert(html, source);
        const page = cheerio.load(html, null, false);
        page('[srcset], [sizes]').each((_i, element) => {
          assert.equal(element.tagName, 'img', html);
          assert.equal(element.attribs.src, STORED_URL, html);
          assert.equal(element.attribs.srcset, OURS, html);
          assert.equal(element.attribs.sizes, ARTICLE_IMAGE_SIZES, html);
        });
        assert.equal(page('source, picture').length, 0, html);
        page(`img[src="${STORED_URL}"]`).each((_i, image) => assert.equal(image.attribs.srcset, OURS, html));
      });
    }
  }

  it('every hostile body is inert with a lookup too', () => {
    for (const { name, source } of HOSTILE_BODIES) {
      for (const format of ['markdown', 'html'] as const) assertInert(renderArticleBody(source, format, media), `${name} (${format})`);
    }
  });

  it('a stored srcset is written as an escaped attribute value, whatever it holds', () => {
    const odd: MediaLookup = new Map([
      [STORED_URL, { url: STORED_URL, width: 10, height: 10, srcset: `${STORED_URL} 10w" onerror="alert(1)` }],
    ]);
    const html = renderArticleBody(`![a](${STORED_URL})`, 'markdown', odd);
    assertInert(html);
    assert.doesNotMatch(html, /" onerror=/);
  });
});

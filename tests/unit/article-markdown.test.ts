import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import {
  ARTICLE_IMAGE_SIZES,
  articleText,
  firstParagraphText,
  isPageId,
  renderArticleBody,
  slugify,
} from '../../src/articles/article-markdown.js';
import type { MediaLookup } from '../../src/media/index.js';
import { countWords, readingMinutes } from '../../src/articles/reading.js';
import { assertOnlyArticleMarkup } from '../helpers/hostile-markdown.js';

const md = (source: string) => renderArticleBody(source, 'markdown');
const html = (source: string) => renderArticleBody(source, 'html');
const parse = (rendered: string) => cheerio.load(rendered, null, false);

describe('article Markdown: headings', () => {
  it('start at h2 (the page title is the h1) and carry ids made from their text', () => {
    assert.equal(
      md('# Why it matters\n\n## The *long* view\n\n### Asia & the Arctic\n\n###### Notes'),
      '<h2 id="why-it-matters">Why it matters</h2>\n<h2 id="the-long-view">The <em>long</em> view</h2>\n' +
        '<h3 id="asia-the-arctic">Asia &amp; the Arctic</h3>\n<h6 id="notes">Notes</h6>\n',
    );
  });

  it('ids are unique in the document, and never one the article page itself uses', () => {
    const page = parse(md('## Background\n\n## Background\n\n## Background-2\n\n## Comments\n\n## Email\n\n## Comment 12'));
    assert.deepEqual(
      page('h2')
        .map((_index, heading) => heading.attribs.id)
        .get(),
      ['background', 'background-2', 'background-2-2', 'comments-2', 'email-2', 'comment-12-2'],
    );
  });

  it('slugs drop accents and apostrophes, keep other scripts, and fall back to "section"', () => {
    assert.equal(slugify('Café déjà vu'), 'cafe-deja-vu');
    assert.equal(slugify('Putin’s push: what’s next?'), 'putins-push-whats-next');
    assert.equal(slugify('北京 2023'), '北京-2023');
    assert.equal(parse(md('## ![only an image](/media/a.png)'))('h2').attr('id'), 'section');
  });

  it('imported HTML headings get ids too, and an h1 becomes an h2', () => {
    assert.equal(
      html('<h1 id="clobber" class="x">Intro</h1><h3 style="color:red">Intro</h3>'),
      '<h2 id="intro">Intro</h2><h3 id="intro-2">Intro</h3>',
    );
  });

  it('the reserved ids are the ones the article page and its partials use', () => {
    const ids = new Set<string>();
    const read = (file: string) => {
      const template = readFileSync(file, 'utf8');
      for (const [, id] of template.matchAll(/\bid="([\w-]+)"/g)) ids.add(id!);
      for (const [, field] of template.matchAll(/include\('(?:\.\.\/shared\/)?field-error', \{ field: '(\w+)'/g)) ids.add(`${field}-error`);
      for (const [, partial] of template.matchAll(/include\('([^']+)'/g)) read(path.resolve(path.dirname(file), `${partial}.ejs`));
    };
    read('views/articles/article.ejs');
    read('views/layouts/site.ejs');
    assert.ok(ids.has('comments') && ids.has('email'), 'the templates were read');
    for (const id of ids) assert.ok(isPageId(id), `the article page uses id="${id}": reserve it in article-markdown.ts`);
    assert.ok(isPageId('comment-42') && isPageId('div-comment-42'));
    assert.ok(!isPageId('comment-section'));
  });
});

describe('article Markdown: links', () => {
  it('external links get rel="noopener"; site, fragment and mail links get none', () => {
    assert.equal(
      md(
        '[a](https://example.org/x?y=1&z=2 "Title") [b](http://example.org) [c](/articles/other) [d](#why) [e](mailto:ed@example.org) [f](other-page)',
      ),
      '<p><a href="https://example.org/x?y=1&amp;z=2" title="Title" rel="noopener">a</a> <a href="http://example.org" rel="noopener">b</a> ' +
        '<a href="/articles/other">c</a> <a href="#why">d</a> <a href="mailto:ed@example.org">e</a> <a href="other-page">f</a></p>\n',
    );
  });

  it('an author’s own rel and target are replaced by ours', () => {
    assert.equal(
      md('<a href="https://example.org/" rel="opener" target="_blank">x</a>'),
      '<p><a href="https://example.org/" rel="noopener">x</a></p>\n',
    );
  });

  it('CommonMark autolinks work; bare addresses stay text', () => {
    assert.equal(
      md('<https://example.org/a> and https://example.org/b'),
      '<p><a href="https://example.org/a" rel="noopener">https://example.org/a</a> and https://example.org/b</p>\n',
    );
  });

  it('links of any other scheme read as the text typed', () => {
    assert.equal(md('[call](tel:123) [file](ftp://example.org/f)'), '<p>[call](tel:123) [file](ftp://example.org/f)</p>\n');
  });
});

describe('article Markdown: images', () => {
  it('are lazy, decoded asynchronously, and always have alt', () => {
    assert.equal(
      md('![A harbour at dawn](/media/3f2a.webp "At dawn") ![](https://cdn.example.org/a.jpg)'),
      '<p><img src="/media/3f2a.webp" alt="A harbour at dawn" title="At dawn" loading="lazy" decoding="async" /> ' +
        '<img src="https://cdn.example.org/a.jpg" alt="" loading="lazy" decoding="async" /></p>\n',
    );
    assert.equal(html('<img src="/images/video-call.svg">'), '<img src="/images/video-call.svg" alt="" loading="lazy" decoding="async" />');
  });

  it('keep width and height when given as numbers', () => {
    assert.equal(
      html(
        '<img src="/media/a.png" alt="a" width="640" height="360"><img src="/media/b.png" alt="b" width="50%" height="auto" loading="eager">',
      ),
      '<img src="/media/a.png" alt="a" width="640" height="360" loading="lazy" decoding="async" />' +
        '<img src="/media/b.png" alt="b" loading="lazy" decoding="async" />',
    );
  });

  it('only from http(s) or the site’s /media/ and /images/ folders; any other is left out', () => {
    for (const src of [
      'photo.jpg',
      '../media/a.png',
      '/admin/a.png',
      '/media/../admin',
      '//cdn.example.org/a.png',
      'ftp://example.org/a.png',
      '/media\\a.png',
    ]) {
      assert.equal(parse(html(`<img src="${src}" alt="x">`))('img').length, 0, src);
    }
  });

  it('a figure with its caption, written as HTML in Markdown', () => {
    assert.equal(
      md(
        'Before.\n\n<figure>\n<img src="/images/video-call.svg" alt="Two leaders on a call">\n<figcaption>Source: seungyeon kim</figcaption>\n</figure>\n\nAfter.',
      ),
      '<p>Before.</p>\n<figure>\n<img src="/images/video-call.svg" alt="Two leaders on a call" loading="lazy" decoding="async" />\n' +
        '<figcaption>Source: seungyeon kim</figcaption>\n</figure>\n<p>After.</p>\n',
    );
  });
});

const WIDE = `/media/${'a'.repeat(32)}.jpg`;
const SMALL = `/media/${'b'.repeat(32)}.png`;
const STORED: MediaLookup = new Map([
  [WIDE, { url: WIDE, width: 2000, height: 1000, srcset: `/media/${'a'.repeat(32)}-480.jpg 480w, ${WIDE} 2000w` }],
  [SMALL, { url: SMALL, width: 300, height: 200, srcset: '' }],
]);

describe('article Markdown: stored uploads', () => {
  const withMedia = (source: string, format: 'markdown' | 'html' = 'markdown') => parse(renderArticleBody(source, format, STORED));

  it('an uploaded image gets its width, height, srcset and the column’s sizes', () => {
    assert.equal(
      renderArticleBody(`![Dunes](${WIDE})`, 'markdown', STORED),
      `<p><img src="${WIDE}" alt="Dunes" width="2000" height="1000" srcset="${STORED.get(WIDE)!.srcset}" ` +
        `sizes="${ARTICLE_IMAGE_SIZES}" loading="lazy" decoding="async" /></p>\n`,
    );
  });

  it('a size the author gave is kept, the other one following the image’s shape', () => {
    const page = withMedia(
      `<img src="${WIDE}" alt="a" width="600"><img src="${WIDE}" alt="b" height="250"><img src="${WIDE}" alt="c" width="10" height="10">`,
      'html',
    );
    assert.deepEqual(
      page('img')
        .map((_index, image) => `${image.attribs.width}x${image.attribs.height}`)
        .get(),
      ['600x300', '500x250', '10x10'],
    );
  });

  it('an upload stored at one width only gets its size and no srcset; an image not stored gets neither', () => {
    const page = withMedia(`![s](${SMALL}) ![other](/media/${'c'.repeat(32)}.jpg) ![far](https://cdn.example.org/a.jpg)`);
    const [small, other, far] = page('img').toArray();
    assert.deepEqual({ ...small!.attribs }, { src: SMALL, alt: 's', width: '300', height: '200', loading: 'lazy', decoding: 'async' });
    assert.equal(other!.attribs.width, undefined);
    assert.equal(far!.attribs.srcset, undefined);
  });

  it('without a lookup, a body renders as it always did', () => {
    assert.equal(
      renderArticleBody(`![Dunes](${WIDE})`, 'markdown'),
      `<p><img src="${WIDE}" alt="Dunes" loading="lazy" decoding="async" /></p>\n`,
    );
  });

  it('an author’s own srcset and sizes are dropped, stored upload or not', () => {
    const page = withMedia(
      `<img src="${WIDE}" alt="a" srcset="https://evil.example/x.jpg 9000w" sizes="1px">` +
        `<img src="${SMALL}" alt="b" srcset="https://evil.example/y.jpg 2x" sizes="1px">` +
        `<img src="https://cdn.example.org/a.jpg" alt="c" srcset="https://cdn.example.org/b.jpg 2x">`,
      'html',
    );
    const [wide, small, far] = page('img').toArray();
    assert.equal(wide!.attribs.srcset, STORED.get(WIDE)!.srcset);
    assert.equal(wide!.attribs.sizes, ARTICLE_IMAGE_SIZES);
    assert.equal(small!.attribs.srcset, undefined);
    assert.equal(small!.attribs.sizes, undefined);
    assert.equal(far!.attribs.srcset, undefined);
  });
});

describe('article Markdown: text blocks', () => {
  it('emphasis, strong, inline code and hard line breaks', () => {
    assert.equal(
      md('*soft* _soft_ **loud** `a < b`  \nnext line'),
      '<p><em>soft</em> <em>soft</em> <strong>loud</strong> <code>a &lt; b</code><br />\nnext line</p>\n',
    );
  });

  it('lists, numbered from where the author starts', () => {
    assert.equal(
      md('- one\n- two\n\n3. three\n4. four'),
      '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n',
    );
  });

  it('quotes, rules and code blocks with their language', () => {
    assert.equal(
      md('> Quoted *words*\n\n---\n\n```ts\nconst a = 1 < 2 && true;\n```\n\n    indented'),
      '<blockquote>\n<p>Quoted <em>words</em></p>\n</blockquote>\n<hr />\n<pre><code class="language-ts">const a = 1 &lt; 2 &amp;&amp; true;\n</code></pre>\n' +
        '<pre><code>indented\n</code></pre>\n',
    );
  });

  it('tables (alignment is dropped with the style attribute that carried it)', () => {
    assert.equal(
      md('| City | Days |\n|:-----|-----:|\n| Moscow | 21 |'),
      '<table>\n<thead>\n<tr>\n<th>City</th>\n<th>Days</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>Moscow</td>\n<td>21</td>\n</tr>\n</tbody>\n</table>\n',
    );
  });

  it('strikethrough and markup off the list read as typed or lose only their tags', () => {
    assert.equal(md('~~gone~~'), '<p>~~gone~~</p>\n');
    assert.equal(md('<span class="x">kept</span> <u>words</u>'), '<p>kept words</p>\n');
  });

  it('a kitchen-sink article holds nothing beyond the allow-list', () => {
    const source = readFileSync('content/seed-article.md', 'utf8').split(/^---$/m)[2]!;
    assertOnlyArticleMarkup(
      md(
        `# Head\n\n${source}\n\n[x](https://a.example) ![y](/media/y.png)\n\n> q\n\n- l\n\n1. n\n\n\`c\`\n\n| a |\n|---|\n| b |\n\n<figure><img src="/media/f.png" width="1" height="2"><figcaption>c</figcaption></figure>`,
      ),
    );
  });
});

describe('imported HTML (format "html")', () => {
  it('goes through the same allow-list, WordPress’s b and i becoming strong and em', () => {
    assert.equal(
      html(
        '<p class="has-text" style="color:red">A <b>bold</b> and <i>italic</i> <a href="https://example.org/" target="_blank">link</a>.</p>\n<div>Loose words</div>',
      ),
      '<p>A <strong>bold</strong> and <em>italic</em> <a href="https://example.org/" rel="noopener">link</a>.</p>\nLoose words',
    );
  });

  it('is not read as Markdown', () => {
    assert.equal(html('<p>*not emphasis* and [not](/a-link)</p>'), '<p>*not emphasis* and [not](/a-link)</p>');
  });

  it('renders the same page as the equivalent Markdown', () => {
    assert.equal(html('<h2>Title</h2>\n<p>Text with <a href="/x">a link</a>.</p>\n'), md('## Title\n\nText with [a link](/x).'));
  });
});

describe('articleText and firstParagraphText', () => {
  const rendered = md(
    '## A heading\n\n![Alt text is not read](/media/a.png)\n\nFirst **real**ly\nparagraph with [a link](https://example.org) &amp; more.\n\n- item one\n- item two\n\n<script>never()</script>',
  );

  it('the text a reader reads, one block a line, without markup, alt text, or script', () => {
    assert.equal(articleText(rendered), 'A heading\nFirst really paragraph with a link & more.\nitem one\nitem two');
    assert.equal(
      articleText(
        html(
          '<table><tr><th>a</th><td>b<br>c</td></tr></table><ol start="2"><li>d</li></ol><pre><code class="language-js">e\nf</code></pre>',
        ),
      ),
      'a\nb\nc\nd\ne f',
    );
  });

  it('the first paragraph holding text, on one line', () => {
    assert.equal(firstParagraphText(rendered), 'First really paragraph with a link & more.');
    assert.equal(firstParagraphText(md('## Only a heading')), '');
    assert.equal(firstParagraphText(html('<p>a<br>b &lt;c&gt; <em>d</em>e</p><p>f</p>')), 'a b <c> de');
  });

  it('counts words of the body only, so the demo still reads in 1 minute', () => {
    const source = readFileSync('content/seed-article.md', 'utf8').split(/^---$/m)[2]!;
    const text = articleText(md(source));
    assert.equal(countWords(text), countWords(source));
    assert.equal(readingMinutes(countWords(text)), 1);
    assert.equal(
      countWords(articleText(md('**Two** [words](https://example.org/a-very-long-address) ![not counted at all](/media/a.png)'))),
      2,
    );
  });
});

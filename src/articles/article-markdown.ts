import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { MediaImage, MediaLookup } from '../media/index.js';

/**
 * An article's body as the page shows it. Staff write Markdown (CommonMark
 * plus tables); an import may store WordPress HTML instead. Both end in the
 * same allow-list, which is the one line of defence that counts: whatever
 * the source, only the elements and addresses below reach a reader.
 *
 * Raw HTML in Markdown is let through to the allow-list (`html: true`), as
 * CommonMark and WordPress writers expect: a `<figure>` with its caption,
 * an `<img>` with width and height, a table too wide for pipes. Refusing it
 * would show such markup as text without making anything safer.
 */

export type ArticleFormat = 'markdown' | 'html';

const markdown = new MarkdownIt('default', { html: true, linkify: false, typographer: false });
// `~~struck~~` stays as typed: <s> is not on the list, and dropping only the tag would hide the author's intent.
markdown.disable(['strikethrough']);
// A link or image Markdown would not make (javascript:, data:, vbscript:, file:, …) stays the text typed.
markdown.validateLink = (url: string) => {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(stripIgnored(url))?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https' || scheme === 'mailto';
};

/** What browsers skip inside a URL (controls and spaces), so a scheme is read as they read it. */
function stripIgnored(url: string): string {
  return url.replace(/[\x00-\x20]+/g, '');
}

/** Absolute http(s), or a path under the site's own image folders: uploads and bundled illustrations. */
function safeImageSource(src: string | undefined): string {
  const url = stripIgnored(src ?? '');
  if (/^https?:\/\/[^/\\]/i.test(url)) return url;
  if (/^\/(?:media|images)\/[^\\]*$/.test(url) && !/\.\.|\/\//.test(url)) return url;
  return '';
}

const DIMENSION = /^\d{1,5}$/;

/** How wide an article's image is shown: the reading column (65ch of the body font), else the screen. */
export const ARTICLE_IMAGE_SIZES = '(min-width: 44rem) 41rem, 100vw';

/** Width and height as the author gave them, the missing ones (or both) from the stored upload, keeping its shape. */
function dimensions(attribs: sanitizeHtml.Attributes, stored: MediaImage | undefined): sanitizeHtml.Attributes {
  let width = DIMENSION.test(attribs.width ?? '') ? Number(attribs.width) : null;
  let height = DIMENSION.test(attribs.height ?? '') ? Number(attribs.height) : null;
  if (stored) {
    if (width === null && height === null) ({ width, height } = stored);
    else if (height === null) height = Math.round((width! * stored.height) / stored.width);
    else if (width === null) width = Math.round((height * stored.width) / stored.height);
  }
  const result: sanitizeHtml.Attributes = {};
  if (width !== null) result.width = String(width);
  if (height !== null) result.height = String(height);
  return result;
}

/**
 * An image's attributes, rebuilt from nothing: only those named here reach
 * the page. `srcset` and `sizes` come from the stored upload alone, never
 * from the author's markup (a srcset is a list of addresses, each one a
 * way around the check on `src`).
 */
function imageAttributes(attribs: sanitizeHtml.Attributes, media: MediaLookup | undefined): sanitizeHtml.Attributes {
  const src = safeImageSource(attribs.src);
  const stored = src === '' ? undefined : media?.get(src);
  const image: sanitizeHtml.Attributes = { src, alt: attribs.alt ?? '' };
  if (attribs.title) image.title = attribs.title;
  Object.assign(image, dimensions(attribs, stored));
  if (stored && stored.srcset !== '') Object.assign(image, { srcset: stored.srcset, sizes: ARTICLE_IMAGE_SIZES });
  return { ...image, loading: 'lazy', decoding: 'async' };
}

const ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'a',
    'em',
    'strong',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'hr',
    'br',
    'img',
    'figure',
    'figcaption',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'rel', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height', 'srcset', 'sizes', 'loading', 'decoding'],
    code: ['class'],
    ol: ['start'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // The page's <h1> is the title; a heading in the body is at most the next level.
    h1: 'h2',
    b: 'strong',
    i: 'em',
    a: (tagName, attribs) => {
      const link: sanitizeHtml.Attributes = {};
      if (attribs.href !== undefined) link.href = attribs.href;
      if (attribs.title) link.title = attribs.title;
      if (/^https?:/i.test(stripIgnored(attribs.href ?? ''))) link.rel = 'noopener';
      return { tagName, attribs: link };
    },
    img: (tagName, attribs) => ({ tagName, attribs: imageAttributes(attribs, undefined) }),
  },
  // An image whose address was refused is no image at all.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** The allow-list, with images sized from the stored uploads they show. */
function allowListWith(media: MediaLookup | undefined): sanitizeHtml.IOptions {
  if (!media || media.size === 0) return ALLOW_LIST;
  const img: sanitizeHtml.Transformer = (tagName, attribs) => ({ tagName, attribs: imageAttributes(attribs, media) });
  return { ...ALLOW_LIST, transformTags: { ...ALLOW_LIST.transformTags, img } };
}

/**
 * The body as safe HTML, ready to store beside the source and serve as is.
 * Headings get ids for anchors, made from their text, unique in the page.
 * An image that is a stored upload (found in `media`, see lookUpMedia) gets
 * its width and height and a `srcset` of the widths it is served at.
 */
export function renderArticleBody(source: string, format: ArticleFormat, media?: MediaLookup): string {
  const text = source.replace(/\0/g, '\uFFFD');
  const html = format === 'markdown' ? markdown.render(text) : text;
  return addHeadingIds(sanitizeHtml(html, allowListWith(media)));
}

/**
 * Ids the article page itself uses (its sections, the comment form and its
 * fields): a heading must not take one, or `#comments` and a label's `for`
 * would lead to it. A unit test keeps this list in step with the templates.
 */
const PAGE_IDS = new Set([
  'main',
  'post-title',
  'reading-bar-label',
  'comments',
  'comments-title',
  'respond',
  'respond-home',
  'reply-title',
  'commentform',
  'comment',
  'author',
  'email',
  'url',
  'comment_parent',
  'comment_subject',
  'comment-copy',
  'comment-cookies-consent',
  'cancel-comment-reply-link',
  'avatar-note',
  'email-notes',
  'form-notice',
  'notify-approval',
  'notify-replies',
  'error-summary-title',
  'comment-error',
  'author-error',
  'email-error',
  'url-error',
]);

export function isPageId(id: string): boolean {
  return PAGE_IDS.has(id) || /^(?:div-)?comment-\d+$/.test(id);
}

/** Lower case letters and digits joined by hyphens; accents dropped, other scripts kept. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Works on the sanitiser's own output, where every `<` in text or in an
 * attribute is escaped and headings carry no attributes: `<hN>` there is a
 * heading and nothing else.
 */
function addHeadingIds(html: string): string {
  const taken = new Set<string>();
  // A heading inside a heading (possible in imported HTML) is the one a browser keeps as a heading.
  return html.replace(/<(h[2-6])>((?:(?!<h[2-6]>)[\s\S])*?)<\/\1>/g, (_heading, tag: string, inner: string) => {
    const base = slugify(decodeText(inner.replace(/<[^>]*>/g, ''))) || 'section';
    let id = base;
    for (let n = 2; taken.has(id) || isPageId(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return `<${tag} id="${id}">${inner}</${tag}>`;
  });
}

/** The only references sanitize-html writes into text and attribute values. */
function decodeText(html: string): string {
  return html.replace(/&(lt|gt|quot|amp);/g, (_entity, name: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[name]!);
}

/** Tags that end a line of text as a reader sees it. */
const BLOCK_TAG = /<(?:\/?(?:p|h[2-6]|li|blockquote|pre|figure|figcaption|tr|th|td|ul|ol|table|thead|tbody)\b[^>]*|br \/|hr \/)>/g;

/**
 * What a reader reads of a rendered body (renderArticleBody's output, whose
 * tags and escapes are regular enough to read without a second parse): the
 * text of each block on its own line, runs of white space as one space; no
 * markup, no alt text. Word counts (reading.ts `countWords`) and excerpts
 * are taken from this.
 */
export function articleText(html: string): string {
  return decodeText(
    html
      .replace(/\s+/g, ' ')
      .replace(BLOCK_TAG, '\n')
      .replace(/<[^>]*>/g, ''),
  )
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** The first paragraph of a rendered body that holds any text, as one line; '' when there is none. The default excerpt. */
export function firstParagraphText(html: string): string {
  for (const [, inner] of html.matchAll(/<p>([\s\S]*?)<\/p>/g)) {
    const text = decodeText(inner!.replace(/<br \/>/g, ' ').replace(/<[^>]*>/g, ''))
      .replace(/\s+/g, ' ')
      .trim();
    if (text !== '') return text;
  }
  return '';
}

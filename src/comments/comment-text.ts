import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * What a comment's text looks like on the page. The text is stored exactly as
 * typed; on the way out a small, safe part of Markdown is rendered, much as
 * WordPress allows a few tags in comments and Remark42 and Isso allow Markdown:
 * paragraphs and line breaks (a single newline stays a line break, as
 * comments always showed it), emphasis, strong, inline code, code blocks,
 * block quotes and lists, and web addresses as links. Everything else reads
 * as the text typed: raw HTML, entities, headings, images, rules, tables and
 * Markdown's own link syntax (a link's words could hide where it goes).
 */

const markdown = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
markdown.disable([
  'table',
  'hr',
  'reference',
  'html_block',
  'heading',
  'lheading',
  'strikethrough',
  'link',
  'image',
  'html_inline',
  'entity',
]);

// Addresses that start http://, https:// or www., as WordPress's make_clickable
// links them: not every word with a dot (file.py, Node.js), nor mail addresses.
// Links of any other scheme, however written (autolinks too), stay text.
markdown.linkify.set({ fuzzyLink: true, fuzzyEmail: false });
markdown.validateLink = (url: string) => /^https?:\/\//i.test(url);
const findLinks = markdown.linkify.match.bind(markdown.linkify);
markdown.linkify.match = (text: string) =>
  (findLinks(text) ?? []).filter(
    (link) => link.schema === 'http:' || link.schema === 'https:' || (link.schema === '' && /^www\./i.test(link.raw)),
  );

/**
 * A second line of defence after Markdown (which already escapes all HTML):
 * only the elements above survive, links only to http(s), each marked as
 * user content that passes no ranking and gets no handle on this page.
 */
const ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { href: attribs.href ?? '', rel: 'nofollow ugc noopener' } }),
  },
};

/** The comment's text as sanitised HTML, ready for the page as it is. */
export function renderCommentText(body: string): string {
  return plainTextHtml(body) ?? renderCommentMarkdown(body);
}

/** The full way: Markdown, then the allow-list. */
export function renderCommentMarkdown(body: string): string {
  return sanitizeHtml(markdown.render(body), ALLOW_LIST);
}

/**
 * Most comments are plain sentences, and a long discussion is rendered whole:
 * text that holds nothing Markdown or the link finder could act on (no
 * markup characters, no address, no indented or list-like line, no
 * whitespace but spaces and newlines) is turned into the very paragraphs and
 * line breaks the full way makes, without parsing it twice. Null: not
 * plain, take the full way. A property test holds the two to the same output.
 */
export function plainTextHtml(body: string): string | null {
  const text = body.replace(/\r\n?/g, '\n');
  if (/[*_`~<>[\]\\\0]|[^\S \n]|https?:|www\./i.test(text)) return null;
  const lines = text.split('\n');
  if (lines.some((line) => /^(?: +\S|[-+]|\d+[.)])/.test(line))) return null;
  let html = '';
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) html += `<p>${paragraph.join('<br />\n')}</p>\n`;
    paragraph = [];
  };
  for (const line of lines) {
    if (/^ *$/.test(line)) endParagraph();
    else paragraph.push(line.trimEnd().replaceAll('&', '&amp;'));
  }
  endParagraph();
  return html;
}

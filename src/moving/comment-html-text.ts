import { Parser } from 'htmlparser2';

/**
 * A WordPress comment's HTML as the plain text a reader saw, since comments
 * are stored as plain text here: paragraphs (blank lines, as WordPress's
 * wpautop makes them, and `<p>`) stay paragraphs, `<br>` a line break, a
 * link its words followed by its address in brackets (unless the words are
 * the address), list items on lines of their own, every other tag removed
 * and entities decoded.
 */

const BLOCKS = new Set(['p', 'div', 'blockquote', 'pre', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'tr']);
const SKIPPED = new Set(['script', 'style', 'head', 'title']);

export function commentHtmlText(html: string): string {
  let text = '';
  let skipping = 0;
  const links: Array<{ href: string; from: number }> = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (SKIPPED.has(name)) skipping++;
        else if (BLOCKS.has(name)) text += '\n\n';
        else if (name === 'br') text += '\n';
        else if (name === 'li') text += '\n';
        else if (name === 'a') links.push({ href: (attributes.href ?? '').trim(), from: text.length });
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCKS.has(name)) text += '\n\n';
        else if (name === 'a') {
          const link = links.pop();
          if (!link || !/^https?:\/\//i.test(link.href)) return;
          const words = text.slice(link.from).trim();
          if (words !== link.href && words !== link.href.replace(/^https?:\/\//i, '')) text += words === '' ? link.href : ` (${link.href})`;
        }
      },
      ontext(data) {
        if (skipping === 0) text += data;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

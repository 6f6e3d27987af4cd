import { autop } from '@wordpress/autop';

/**
 * A WordPress post's content as the HTML source of an article. Block-editor
 * content carries its structure in `<!-- wp:… -->` comments around ordinary
 * HTML: the comments go, the HTML stays. Classic-editor content is stored
 * with blank lines for paragraphs, which WordPress turns into `<p>` on every
 * page view (wpautop): that is done once here, with WordPress's own port.
 * The result is then rendered through the articles' sanitiser at save.
 */

const BLOCK_COMMENT = /<!--\s*\/?wp:[\s\S]*?-->/g;
const REMOTE_IMAGE = /<img\b[^>]*?\bsrc\s*=\s*["']?\s*(?:https?:)?\/\//gi;

export function wordpressBodySource(content: string): string {
  const text = content.replace(/\r\n?/g, '\n');
  if (/<!--\s*\/?wp:/.test(text)) return text.replace(BLOCK_COMMENT, '').trim();
  return text.trim() === '' ? '' : autop(text);
}

/** Images the body still loads from another site: an import never fetches them. */
export function remoteImageCount(html: string): number {
  return html.match(REMOTE_IMAGE)?.length ?? 0;
}

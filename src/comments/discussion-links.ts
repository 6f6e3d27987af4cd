/**
 * Counts links as WordPress's comment_max_links check does. WordPress
 * counts the `<a … href` tags in the comment after make_clickable has turned
 * its bare addresses into links: so each `<a href` tag counts once, and so
 * does each address outside a link that make_clickable would link, one with
 * a scheme (`https://…`) or one starting `www.` or `ftp.`. The address that
 * is the text of a link is not counted again, and a `//` with no scheme
 * before it (`In C, // starts a comment`) is no link at all.
 *
 * Hand-written scans rather than one regular expression: each position of
 * the text is looked at a bounded number of times, whatever it holds (an
 * expression such as `<a [^>]*href` tries every `<a ` against the rest of
 * the text).
 */
export function countLinks(text: string): number {
  const lower = text.toLowerCase();
  const openings = anchorOpenings(lower);
  return openings.filter((opening) => opening.hasHref).length + bareAddresses(outsideAnchors(lower, openings));
}

interface AnchorOpening {
  /** Where `<a` starts. */
  start: number;
  /** Just after the tag's `>`, or the end of the text when it has none. */
  end: number;
  hasHref: boolean;
}

/** The next index at or after `from` where `needle` occurs; `from` never goes back, so a found index is reused while still ahead. */
function forwardFinder(text: string, needle: string) {
  let found: number | undefined;
  return (from: number): number => {
    if (found === undefined || (found !== -1 && found < from)) found = text.indexOf(needle, from);
    return found;
  };
}

/** Every `<a` followed by white space, as WordPress's `<a [^>]*href` would try it. */
function anchorOpenings(lower: string): AnchorOpening[] {
  const openings: AnchorOpening[] = [];
  const nextClose = forwardFinder(lower, '>');
  const nextHref = forwardFinder(lower, 'href');
  for (const match of lower.matchAll(/<a\s/g)) {
    const start = match.index;
    const close = nextClose(start);
    const end = close === -1 ? lower.length : close + 1;
    const href = nextHref(start);
    openings.push({ start, end, hasHref: href !== -1 && href < end });
  }
  return openings;
}

/** The text outside `<a …>…</a>` (an unclosed link runs to the end), pieces joined by line breaks. */
function outsideAnchors(lower: string, openings: readonly AnchorOpening[]): string {
  const pieces: string[] = [];
  const nextEnd = forwardFinder(lower, '</a>');
  let cursor = 0;
  for (const opening of openings) {
    if (opening.start < cursor) continue;
    pieces.push(lower.slice(cursor, opening.start));
    const end = nextEnd(opening.end);
    cursor = end === -1 ? lower.length : end + 4;
    if (end === -1) break;
  }
  pieces.push(lower.slice(cursor));
  return pieces.join('\n');
}

/**
 * make_clickable's bare addresses: a scheme of word characters and `://`
 * after white space or punctuation, or `www.`/`ftp.` after white space,
 * each followed by a character an address may hold.
 */
const BARE_ADDRESS = /(?:(?<=^|[\s(<.,;:!?])\w{1,20}:\/\/|(?<=^|[\s>])(?:www|ftp)\.)[\w\u0080-\uffff#%~/@[\]*(+=&$-]/g;

function bareAddresses(text: string): number {
  let count = 0;
  for (const _match of text.matchAll(BARE_ADDRESS)) count += 1;
  return count;
}

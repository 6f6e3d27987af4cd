import transliterate from '@sindresorhus/transliterate';
import { SLUG_MAX } from '../articles/index.js';
import { addressSlug } from '../articles/index.js';
import { parseLocalDateTime } from '../articles/index.js';
import type { WxrItem } from './wxr-items.js';

/**
 * WordPress's own values read as Broadsheet's: the old site's address as the
 * import key, its dates, its slugs and the paths it served a post at. Used
 * by the rules for posts (post-plan) and for comments (comment-plan).
 */

const ZERO_DATE = /^0000-00-00/;
const WP_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The old site's address as the import key: scheme and host in lower case, no trailing slash. */
export function siteKeyOf(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

export function sitePathOf(siteKey: string): string {
  return new URL(siteKey).pathname.replace(/\/+$/, '');
}

/** A WordPress date: `post_date_gmt` (UTC) when set, else the wall-clock `post_date` in the site's time zone. */
export function wordpressDate(gmt: string, local: string, timeZone: string): Date | null {
  if (gmt !== '' && !ZERO_DATE.test(gmt)) {
    const match = WP_DATE.exec(gmt);
    if (!match) return null;
    const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
    const date = new Date(Date.UTC(year!, month! - 1, day, hour, minute, second));
    return Number.isNaN(date.getTime()) || date.getUTCDate() !== day ? null : date;
  }
  const match = WP_DATE.exec(local);
  if (!match || ZERO_DATE.test(local)) return null;
  const wall = parseLocalDateTime(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}`, timeZone);
  return wall && new Date(wall.getTime() + Number(match[6] ?? 0) * 1000);
}

export function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** At most `max` characters (code points, so a surrogate pair is never cut in two). */
export function cutText(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : characters.slice(0, max).join('');
}

/**
 * The article slug rule applied to a WordPress slug: percent-decoded,
 * transliterated to Latin letters (“επίπεδο” → “epipedo”), then the editor's
 * rule (addressSlug: a-z, 0-9 and hyphens). Empty: from the title.
 */
export function normaliseSlug(postName: string, title: string): string {
  const slugOf = (text: string) =>
    addressSlug(transliterate(text))
      .slice(0, SLUG_MAX - 6)
      .replace(/-+$/, '');
  return slugOf(decodePercent(postName)) || slugOf(title) || 'article';
}

/** The paths WordPress may have served the item at: its link's, and for posts the date and slug shapes. */
export function legacyPathsOf(item: WxrItem, kind: 'post' | 'page', sitePath: string): string[] {
  const paths = new Set<string>();
  const withSlashes = (path: string) => `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  try {
    const link = new URL(item.link);
    if (link.search === '' && link.pathname.length > 1) paths.add(withSlashes(decodePercent(link.pathname)));
  } catch {
    // No usable link: the shapes below remain.
  }
  const slug = decodePercent(item.postName).trim();
  const date = WP_DATE.exec(item.postDate);
  if (slug !== '' && !slug.includes('/')) {
    paths.add(withSlashes(`${sitePath}/${slug}`));
    if (kind === 'post' && date && !ZERO_DATE.test(item.postDate)) {
      paths.add(withSlashes(`${sitePath}/${date[1]}/${date[2]}/${date[3]}/${slug}`));
      paths.add(withSlashes(`${sitePath}/${date[1]}/${date[2]}/${slug}`));
    }
  }
  paths.delete('/');
  return [...paths].sort();
}

import { ID_PATTERN } from '../platform/http/route-patterns.js';
/**
 * A commenter is recognised by cookies, never by a server session: a signed
 * list of their own pending comment ids, and (only when they ask) the name,
 * email and website to prefill next time.
 */

export const PENDING_COOKIE = 'broadsheet_pending';
export const REMEMBER_COOKIES = {
  author: 'comment_author',
  email: 'comment_author_email',
  url: 'comment_author_url',
} as const;
const MAX_PENDING_REMEMBERED = 20;

export function parsePendingIds(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value.split('.').filter((id) => ID_PATTERN.test(id));
}

export function addPendingId(value: unknown, id: string): string {
  const ids = parsePendingIds(value).filter((existing) => existing !== id);
  ids.push(id);
  return ids.slice(-MAX_PENDING_REMEMBERED).join('.');
}

export interface RememberedCommenter {
  author: string;
  email: string;
  url: string;
}

/** Lengths the comment form allows; a longer value was never written by this site. */
const MAX_LENGTH = { author: 245, email: 100, url: 200 } as const;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const WEBSITE_SHAPE = /^https?:\/\/./i;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * The details to prefill the form with, when the cookies look as this site
 * writes them: all three together (the website possibly empty), each within
 * the form's limits, the email and website shaped as the form accepts them.
 * Anything else is treated as no cookie at all, so junk neither prefills a
 * form nor makes a reader's page their own (and uncached).
 */
export function rememberedCommenter(cookies: Record<string, unknown>): RememberedCommenter | null {
  const remembered = {
    author: cookies[REMEMBER_COOKIES.author],
    email: cookies[REMEMBER_COOKIES.email],
    url: cookies[REMEMBER_COOKIES.url],
  };
  const { author, email, url } = remembered;
  if (typeof author !== 'string' || typeof email !== 'string' || typeof url !== 'string') return null;
  if (!author && !email && !url) return null;
  if (author.length > MAX_LENGTH.author || email.length > MAX_LENGTH.email || url.length > MAX_LENGTH.url) return null;
  if (CONTROL_CHARACTERS.test(author + email + url)) return null;
  if ((email && !EMAIL_SHAPE.test(email)) || (url && !WEBSITE_SHAPE.test(url))) return null;
  return { author, email, url };
}

/**
 * Whether the reader's article page is their own: a list of their held
 * comments signed by this site, or remembered details as the site writes
 * them. `signedPending` is cookie-parser's reading of the pending cookie
 * (false when its signature is wrong).
 */
export function isKnownCommenter(cookies: Record<string, unknown>, signedPending: unknown): boolean {
  return parsePendingIds(signedPending).length > 0 || rememberedCommenter(cookies) !== null;
}

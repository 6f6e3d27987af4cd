import { createHash } from 'node:crypto';
import cookieParser from 'cookie-parser';

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
  return value.split('.').filter((id) => /^[1-9]\d{0,17}$/.test(id));
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
 * form nor makes a reader's page their own (and uncacheable).
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

/**
 * The same judgement from the raw Cookie header, read as cookie-parser
 * reads it (first of a name wins, values URL-decoded, `s:` signed, `j:`
 * JSON): the cached-page fast path runs before cookie-parser.
 */
export function isKnownCommenterByHeader(cookieHeader: string | undefined, secret: string): boolean {
  if (!cookieHeader || !COMMENTER_COOKIE_NAME.test(cookieHeader)) return false;
  const cookies: Record<string, unknown> = {};
  for (const pair of cookieHeader.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    if (!COMMENTER_COOKIE_NAMES.has(name) || Object.hasOwn(cookies, name)) continue;
    cookies[name] = cookieValue(pair.slice(equals + 1).trim());
  }
  const pending = cookies[PENDING_COOKIE];
  const signedPending = typeof pending === 'string' && pending.startsWith('s:') ? cookieParser.signedCookie(pending, secret) : undefined;
  if (typeof pending === 'string' && pending.startsWith('s:')) delete cookies[PENDING_COOKIE];
  return isKnownCommenter(cookies, signedPending);
}

const COMMENTER_COOKIE_NAMES = new Set<string>([PENDING_COOKIE, ...Object.values(REMEMBER_COOKIES)]);
const COMMENTER_COOKIE_NAME = /broadsheet_pending|comment_author/;

function cookieValue(raw: string): unknown {
  let value = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      // cookie-parser keeps a value it cannot decode as it came.
    }
  }
  if (value.startsWith('j:')) {
    try {
      return JSON.parse(value.slice(2)) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * What makes a commenter's article page theirs, as part of a cache key: their
 * own comment ids (each once, sorted) and a hash of what the form is
 * prefilled with, so no email sits in a key.
 */
export function commenterKey(ownIds: readonly string[], remembered: RememberedCommenter | null): string {
  const ids = [...new Set(ownIds)].sort().join('.');
  const prefill = remembered
    ? createHash('sha256').update(JSON.stringify([remembered.author, remembered.email, remembered.url])).digest('base64url')
    : '-';
  return `own:${ids}:prefill:${prefill}`;
}

import { createHash } from 'node:crypto';

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

export function rememberedCommenter(cookies: Record<string, unknown>): RememberedCommenter | null {
  const read = (name: string) => (typeof cookies[name] === 'string' ? (cookies[name] as string) : '');
  const remembered = {
    author: read(REMEMBER_COOKIES.author),
    email: read(REMEMBER_COOKIES.email),
    url: read(REMEMBER_COOKIES.url),
  };
  return remembered.author || remembered.email || remembered.url ? remembered : null;
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

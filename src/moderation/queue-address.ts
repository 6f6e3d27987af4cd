import { isIP } from 'node:net';
import { COMMENT_STATUSES } from '../comments/index.js';
import { safeNextPath } from '../admin-auth/index.js';
import { decodeCursor, encodeCursor, type Cursor } from '../platform/db/keyset-page.js';
import { ID_PATTERN, PAGE_NUMBER_PATTERN, SLUG_PATTERN } from '../platform/http/route-patterns.js';

/** How the moderation queue is addressed: its views, filters, page cursors and the ids forms send. No I/O. */

export const QUEUE_VIEWS = [...COMMENT_STATUSES, 'all'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export const QUEUE_PATH = '/admin/comments';
/** Rows a page shows unless the account chose otherwise, and the range it may choose from. */
export const PAGE_SIZE = 20;
export const PER_PAGE_MIN = 20;
export const PER_PAGE_MAX = 200;
/** The bulk form sends one id per row of the longest page. */
export const BULK_IDS_MAX = PER_PAGE_MAX;

export { decodeCursor, encodeCursor, type Cursor };

/** A LIKE pattern that finds `text` literally: %, _ and \ lose their meaning. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export const SEARCH_MAX = 200;

export interface QueueFilters {
  view: QueueView;
  article: string | null;
  q: string;
  commentId: string | null;
  /** An exact address (the row's "every comment from this address" link), unlike `q` which finds text. */
  ip: string | null;
  before: Cursor | null;
  after: Cursor | null;
  /** A numbered page (2 and up) jumped to from the page list; the Newer/Older links use cursors. */
  page: number | null;
  /** Only comments on this account's articles (an author's queue); never part of the address. */
  ownerId?: string | null;
}

export const DEFAULT_FILTERS: QueueFilters = {
  view: 'pending',
  article: null,
  q: '',
  commentId: null,
  ip: null,
  before: null,
  after: null,
  page: null,
};

export type QueueQueryResult = { ok: true; filters: QueueFilters } | { ok: false; message: string };

function single(query: Record<string, unknown>, key: string): string | undefined | null {
  const value = query[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** Reads the queue's query string. Blank values mean "not set"; anything malformed is refused, never guessed. */
export function parseQueueQuery(query: Record<string, unknown>): QueueQueryResult {
  const read = (key: string) => single(query, key);
  const values = {
    status: read('status'),
    article: read('article'),
    q: read('q'),
    comment: read('comment'),
    ip: read('ip'),
    before: read('before'),
    after: read('after'),
    page: read('page'),
  };
  if (Object.values(values).some((value) => value === null)) return { ok: false, message: 'A filter was given more than once.' };
  const filters: QueueFilters = { ...DEFAULT_FILTERS };

  if (values.status) {
    if (!(QUEUE_VIEWS as readonly string[]).includes(values.status)) return { ok: false, message: 'There is no such comment status.' };
    filters.view = values.status as QueueView;
  }
  if (values.article) {
    if (!SLUG_PATTERN.test(values.article) || values.article.length > 200) return { ok: false, message: 'There is no such article.' };
    filters.article = values.article;
  }
  const q = (values.q ?? '').trim();
  if (q.length > SEARCH_MAX) return { ok: false, message: `Search for at most ${SEARCH_MAX} characters.` };
  if (/[\u0000-\u001F\u007F]/.test(q)) return { ok: false, message: 'The search contains characters that cannot be searched for.' };
  filters.q = q;
  if (values.comment) {
    if (!ID_PATTERN.test(values.comment)) return { ok: false, message: 'There is no such comment.' };
    filters.commentId = values.comment;
  }
  if (values.ip) {
    if (values.ip.length > 45 || isIP(values.ip) === 0) return { ok: false, message: 'That is not an IP address.' };
    filters.ip = values.ip;
  }
  if ([values.before, values.after, values.page].filter(Boolean).length > 1)
    return { ok: false, message: 'A page cannot start and end at once.' };
  if (values.page) {
    if (!PAGE_NUMBER_PATTERN.test(values.page)) return { ok: false, message: 'There is no such page.' };
    filters.page = Number(values.page) > 1 ? Number(values.page) : null;
  }
  for (const key of ['before', 'after'] as const) {
    const text = values[key];
    if (!text) continue;
    const cursor = decodeCursor(text);
    if (!cursor) return { ok: false, message: 'That page link is damaged. Go back to the first page.' };
    filters[key] = cursor;
  }
  return { ok: true, filters };
}

/** The queue URL for these filters, leaving out what is the default. */
export function queueHref(filters: Partial<QueueFilters>): string {
  const params = new URLSearchParams();
  if (filters.view && filters.view !== 'pending') params.set('status', filters.view);
  if (filters.article) params.set('article', filters.article);
  if (filters.q) params.set('q', filters.q);
  if (filters.commentId) params.set('comment', filters.commentId);
  if (filters.ip) params.set('ip', filters.ip);
  if (filters.page && filters.page > 1) params.set('page', String(filters.page));
  if (filters.before) params.set('before', encodeCursor(filters.before));
  if (filters.after) params.set('after', encodeCursor(filters.after));
  const query = params.toString();
  return query ? `${QUEUE_PATH}?${query}` : QUEUE_PATH;
}

/** Where a form goes back to: a queue view on this site, or the queue itself. */
export function safeQueuePath(value: unknown): string {
  const path = safeNextPath(value);
  const pathname = path.split(/[?#]/, 1)[0];
  return pathname === QUEUE_PATH ? path : QUEUE_PATH;
}

/** The filters of a queue path made by safeQueuePath (unreadable ones give the default view). */
export function filtersOfQueuePath(path: string): QueueFilters {
  const search = new URL(path, 'http://broadsheet.invalid').searchParams;
  const parsed = parseQueueQuery(Object.fromEntries(search));
  return parsed.ok ? parsed.filters : { ...DEFAULT_FILTERS };
}

/** Ids from a form: one or repeated, each a positive integer; duplicates dropped. Null when any is malformed. */
export function parseIds(value: unknown, max = BULK_IDS_MAX): string[] | null {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length > max || !list.every((id) => typeof id === 'string' && ID_PATTERN.test(id))) return null;
  return [...new Set(list as string[])];
}

/** The page list: every page when there are few, else the first, the last and the current one's neighbours, null for a gap. */
export function pageNumbers(current: number, pageCount: number): Array<number | null> {
  if (pageCount <= 7) return Array.from({ length: pageCount }, (_v, n) => n + 1);
  const shown = [...new Set([1, current - 1, current, current + 1, pageCount])]
    .filter((n) => n >= 1 && n <= pageCount)
    .sort((a, b) => a - b);
  return shown.flatMap((n, index) => (index > 0 && n - shown[index - 1]! > 1 ? [null, n] : [n]));
}

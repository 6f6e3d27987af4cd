import { COMMENT_STATUSES } from '../queries/comments.js';
import { safeNextPath } from './safe-redirect.js';

/** How the moderation queue is addressed: its views, filters, page cursors and the ids forms send. No I/O. */

export const QUEUE_VIEWS = [...COMMENT_STATUSES, 'all'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export const QUEUE_PATH = '/admin/comments';
export const PAGE_SIZE = 20;

/** Where a newest-first page starts or ends: a comment's exact time (µs, UTC) and id. */
export interface Cursor {
  createdAt: string;
  id: string;
}

const CURSOR_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([1-9]\d{0,17})$/;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.createdAt}_${cursor.id}`;
}

export function decodeCursor(text: string): Cursor | null {
  const match = CURSOR_PATTERN.exec(text);
  if (!match || Number.isNaN(Date.parse(match[1]!))) return null;
  return { createdAt: match[1]!, id: match[2]! };
}

/** A LIKE pattern that finds `text` literally: %, _ and \ lose their meaning. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export const ID_PATTERN = /^[1-9]\d{0,17}$/;
const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const SEARCH_MAX = 200;

export interface QueueFilters {
  view: QueueView;
  article: string | null;
  q: string;
  commentId: string | null;
  before: Cursor | null;
  after: Cursor | null;
}

export const DEFAULT_FILTERS: QueueFilters = { view: 'pending', article: null, q: '', commentId: null, before: null, after: null };

export type QueueQueryResult = { ok: true; filters: QueueFilters } | { ok: false; message: string };

function single(query: Record<string, unknown>, key: string): string | undefined | null {
  const value = query[key];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/** Reads the queue's query string. Blank values mean "not set"; anything malformed is refused, never guessed. */
export function parseQueueQuery(query: Record<string, unknown>): QueueQueryResult {
  const read = (key: string) => single(query, key);
  const values = { status: read('status'), article: read('article'), q: read('q'), comment: read('comment'), before: read('before'), after: read('after') };
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
  if (values.before && values.after) return { ok: false, message: 'A page cannot start and end at once.' };
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
export function parseIds(value: unknown, max = 100): string[] | null {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length > max || !list.every((id) => typeof id === 'string' && ID_PATTERN.test(id))) return null;
  return [...new Set(list as string[])];
}

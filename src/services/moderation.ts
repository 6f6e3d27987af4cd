import { COMMENT_STATUSES, type CommentStatus } from '../queries/comments.js';
import { safeNextPath } from './safe-redirect.js';

/** The moderation rules: which action moves which status where, and how the queue is addressed. No I/O. */

export const QUEUE_VIEWS = [...COMMENT_STATUSES, 'all'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

export const BULK_ACTIONS = ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const QUEUE_PATH = '/admin/comments';
export const PAGE_SIZE = 20;

export type SkipReason = 'unchanged' | 'not-allowed';
export type Move = { kind: 'status'; to: CommentStatus } | { kind: 'delete' } | { kind: 'skip'; reason: SkipReason };

const toStatus = (to: CommentStatus): Move => ({ kind: 'status', to });
const skip = (reason: SkipReason): Move => ({ kind: 'skip', reason });

/**
 * What one bulk action does to one comment. `previous` is the status it had
 * before it reached its current one (from the log), used by restore.
 */
export function planAction(action: BulkAction, current: CommentStatus, previous: CommentStatus | null): Move {
  switch (action) {
    case 'approve':
      return current === 'approved' ? skip('unchanged') : toStatus('approved');
    case 'unapprove':
      return current === 'approved' ? toStatus('pending') : skip('not-allowed');
    case 'spam':
      return current === 'spam' ? skip('unchanged') : toStatus('spam');
    case 'trash':
      return current === 'trash' ? skip('unchanged') : toStatus('trash');
    case 'restore':
      // As WordPress: out of trash or spam, back to where it was (held, when nobody knows).
      if (current !== 'trash' && current !== 'spam') return skip('not-allowed');
      if (!previous || previous === current || (current === 'spam' && previous === 'trash')) return toStatus('pending');
      return toStatus(previous);
    case 'delete':
      return current === 'spam' || current === 'trash' ? { kind: 'delete' } : skip('not-allowed');
  }
}

/** A single comment set to a status: any status may go to any other. */
export function planStatusChange(current: CommentStatus, target: CommentStatus): Move {
  return current === target ? skip('unchanged') : toStatus(target);
}

export interface StatusChange {
  id: string;
  from: CommentStatus;
  to: CommentStatus;
}

/** Undo puts a comment back only if nobody has moved it since. */
export function planUndo(change: StatusChange, current: CommentStatus): Move {
  return current === change.to ? toStatus(change.from) : skip('not-allowed');
}

/** Actions worth an Undo: the ones that hide a comment. */
export function isUndoable(action: BulkAction | CommentStatus): boolean {
  return action === 'spam' || action === 'trash';
}

export interface RowAction {
  label: string;
  /** Where the button posts: a status change, a restore, or a permanent delete. */
  kind: 'status' | 'restore' | 'delete';
  status?: CommentStatus;
  /** The keyboard shortcut that presses it. */
  key?: string;
  tone: 'primary' | 'normal' | 'danger';
}

const ROW_ACTIONS: Record<CommentStatus, RowAction[]> = {
  pending: [
    { label: 'Approve', kind: 'status', status: 'approved', key: 'a', tone: 'primary' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'danger' },
  ],
  approved: [
    { label: 'Unapprove', kind: 'status', status: 'pending', key: 'u', tone: 'normal' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'danger' },
  ],
  spam: [
    { label: 'Not spam', kind: 'status', status: 'pending', key: 'u', tone: 'normal' },
    { label: 'Approve', kind: 'status', status: 'approved', key: 'a', tone: 'primary' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'normal' },
    { label: 'Delete permanently', kind: 'delete', tone: 'danger' },
  ],
  trash: [
    { label: 'Restore', kind: 'restore', key: 'u', tone: 'primary' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Delete permanently', kind: 'delete', tone: 'danger' },
  ],
};

/** The buttons a row in this status offers. */
export function rowActions(status: CommentStatus): RowAction[] {
  return ROW_ACTIONS[status];
}

/** Only live discussion gets a reply: nobody answers spam or trash. */
export function canReplyTo(status: CommentStatus): boolean {
  return status === 'pending' || status === 'approved';
}

/** Replying to a held comment publishes it first: a site would not answer what readers cannot see. */
export function planReplyParent(status: CommentStatus): Move {
  if (status === 'pending') return toStatus('approved');
  return status === 'approved' ? skip('unchanged') : skip('not-allowed');
}

const BULK_LABELS: Record<BulkAction, string> = {
  approve: 'Approve',
  unapprove: 'Unapprove',
  spam: 'Mark as spam',
  trash: 'Move to trash',
  restore: 'Restore (not spam)',
  delete: 'Delete permanently',
};

const BULK_BY_VIEW: Record<QueueView, BulkAction[]> = {
  pending: ['approve', 'spam', 'trash'],
  approved: ['unapprove', 'spam', 'trash'],
  spam: ['restore', 'approve', 'trash', 'delete'],
  trash: ['restore', 'spam', 'delete'],
  all: ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'],
};

export function bulkActionsFor(view: QueueView): Array<{ value: BulkAction; label: string }> {
  return BULK_BY_VIEW[view].map((value) => ({ value, label: BULK_LABELS[value] }));
}

const PAST_TENSE: Record<BulkAction, string> = {
  approve: 'approved',
  unapprove: 'unapproved',
  spam: 'marked as spam',
  trash: 'moved to the trash',
  restore: 'restored',
  delete: 'deleted permanently',
};

const SKIP_EXPLANATION: Record<BulkAction, string> = {
  approve: 'already approved',
  unapprove: 'only approved comments can be unapproved',
  spam: 'already spam',
  trash: 'already in the trash',
  restore: 'only comments in spam or trash can be restored',
  delete: 'only comments in spam or trash can be deleted permanently',
};

const comments = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;

export interface ActionTally {
  done: number;
  unchanged: number;
  notAllowed: number;
  missing: number;
}

/** The flash message after an action, saying what was skipped and why. */
export function describeOutcome(action: BulkAction, tally: ActionTally): string {
  const parts: string[] = [];
  if (tally.done > 0) parts.push(`${tally.done === 1 ? '1 comment' : comments(tally.done)} ${PAST_TENSE[action]}.`);
  else parts.push(`No comments ${PAST_TENSE[action]}.`);
  const skipped = tally.unchanged + tally.notAllowed;
  if (skipped > 0) parts.push(`${comments(skipped)} skipped: ${SKIP_EXPLANATION[action]}.`);
  if (tally.missing > 0) parts.push(`${comments(tally.missing)} no longer exist${tally.missing === 1 ? 's' : ''}.`);
  return parts.join(' ');
}

/** The bulk action a single-row status change amounts to, for its message. */
export function actionForStatus(from: CommentStatus, to: CommentStatus): BulkAction {
  if (to === 'approved') return 'approve';
  if (to === 'spam') return 'spam';
  if (to === 'trash') return 'trash';
  return from === 'approved' ? 'unapprove' : 'restore';
}

export interface LogEntryFacts {
  action: 'status' | 'delete' | 'edit' | 'reply';
  from_status: string | null;
  to_status: string | null;
}

/** One moderation log row in words. */
export function describeLogEntry(entry: LogEntryFacts): string {
  switch (entry.action) {
    case 'status':
      return `${entry.from_status ?? '?'} → ${entry.to_status ?? '?'}`;
    case 'delete':
      return `deleted permanently (was ${entry.from_status ?? 'unknown'})`;
    case 'edit':
      return 'edited';
    case 'reply':
      return 'replied as the site';
  }
}

export interface StatusExplanation {
  /** Who put it in this state. */
  decidedBy: 'moderator' | 'rules' | 'site';
  reasons: string[];
}

/** Why a comment is where it is: a moderator's decision, the site's own reply, or the rules at submission. */
export function explainStatus(comment: {
  status: CommentStatus;
  reasons: string[];
  moderated: boolean;
  isSiteReply: boolean;
}): StatusExplanation {
  if (comment.isSiteReply) return { decidedBy: 'site', reasons: ['a reply written by the site'] };
  if (comment.moderated) return { decidedBy: 'moderator', reasons: comment.reasons };
  const reasons = comment.reasons.length > 0 ? comment.reasons : [comment.status === 'approved' ? 'passed every check' : 'no reason recorded'];
  return { decidedBy: 'rules', reasons };
}

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

/** The address a site reply is stored under: the admin's name at the site's host. */
export function siteReplyEmail(username: string, baseUrl: string): string {
  return `${username}@${new URL(baseUrl).hostname}`.toLowerCase().slice(0, 100);
}

/** Ids from a form: one or repeated, each a positive integer; duplicates dropped. Null when any is malformed. */
export function parseIds(value: unknown, max = 100): string[] | null {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (list.length > max || !list.every((id) => typeof id === 'string' && ID_PATTERN.test(id))) return null;
  return [...new Set(list as string[])];
}

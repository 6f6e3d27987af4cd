import type { Knex } from 'knex';
import type { Database } from '../platform/db/connection.js';
import { countCommentsByStatus, type CommentRow, type CommentStatus } from '../comments/index.js';
import type { QueueFilters } from './queue-address.js';
import { beyondCursor, cursorTime, keysetPage, type Cursor } from '../platform/db/keyset-page.js';
import { RECENT_LOG_SIZE, type RecentLogEntry } from './log-queries.js';

/** What the moderation queue reads: its pages and counts. The log is in log-queries.ts, one comment's facts in comment-lookup-queries.ts, changes in moderation-queries.ts. */

/** A comment as the queue shows it: the stored row's fields plus what the query joins in. */
export interface QueueRow extends Pick<
  CommentRow,
  | 'id'
  | 'article_id'
  | 'parent_id'
  | 'status'
  | 'author_name'
  | 'author_email'
  | 'author_url'
  | 'body'
  | 'ip'
  | 'created_at'
  | 'is_site_reply'
> {
  status_reasons: Array<{ code: string; text: string }>;
  moderated_at: Date | null;
  article_slug: string;
  article_title: string;
  parent_author_name: string | null;
  moderator_name: string | null;
  /** Its newest few log entries, newest first. */
  recent_log: RecentLogEntry[];
  /** Replies readers see under it: trashing it leaves them under a placeholder, so the moderator is told. */
  approved_replies: number;
  cursor_time: string;
}

export interface QueuePage {
  rows: QueueRow[];
  older: Cursor | null;
  newer: Cursor | null;
}

/**
 * What the queue's search looks through: name, email, website, text and IP
 * joined by line breaks. It must stay identical to the expression of the
 * comments_search_trgm_idx index (its migration says why one index and why
 * this is as exact as searching each field), or the search reads every row.
 */
const SEARCHED_TEXT = `(c.author_name || E'\\n' || c.author_email || E'\\n' || c.author_url || E'\\n' || c.body || E'\\n' || coalesce(host(c.ip), ''))`;

/**
 * A comment's newest log entries, read with its row rather than by a query
 * of their own after the page. Above a sort PostgreSQL evaluates it only for
 * the rows the LIMIT keeps.
 */
const RECENT_LOG = `(
  SELECT coalesce(json_agg(l ORDER BY l.created_at DESC, l.id DESC), '[]')
    FROM (SELECT id, actor_name, action, from_status, to_status, created_at FROM moderation_log
           WHERE comment_id = c.id ORDER BY created_at DESC, id DESC LIMIT ${RECENT_LOG_SIZE}) AS l
) AS recent_log`;

const APPROVED_REPLIES = `(SELECT count(*)::int FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved') AS approved_replies`;

/** What narrows the queue besides its status: article, search text, exact address, one comment. */
function whereNarrowed(query: Knex.QueryBuilder, filters: QueueFilters, articleId: string | null, pattern: string | null) {
  if (articleId) query.where('c.article_id', articleId);
  if (filters.ownerId) query.whereRaw('c.article_id IN (SELECT id FROM articles WHERE author_id = ?)', [filters.ownerId]);
  if (filters.commentId) query.where('c.id', filters.commentId);
  // Equality on inet: 127.0.0.1 is not 127.0.0.11, as a text search would have it.
  if (filters.ip) query.whereRaw('c.ip = ?::inet', [filters.ip]);
  // `pattern` comes from containsPattern(): its % and _ are escaped and it
  // holds no line break, so no match spans two fields.
  if (pattern) query.whereRaw(`${SEARCHED_TEXT} ILIKE ?`, [pattern]);
  return query;
}

function queueQuery(db: Database, filters: QueueFilters, articleId: string | null, pattern: string | null) {
  const query = db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .leftJoin('comments as p', 'p.id', 'c.parent_id')
    .leftJoin('users as u', 'u.id', 'c.moderated_by')
    .select(
      'c.id',
      'c.article_id',
      'c.parent_id',
      'c.status',
      'c.author_name',
      'c.author_email',
      'c.author_url',
      'c.body',
      db.raw('host(c.ip) AS ip'),
      'c.created_at',
      'c.status_reasons',
      'c.is_site_reply',
      'c.moderated_at',
      'a.slug AS article_slug',
      'a.title AS article_title',
      'p.author_name AS parent_author_name',
      'u.display_name AS moderator_name',
      db.raw(RECENT_LOG),
      db.raw(APPROVED_REPLIES),
      db.raw(cursorTime('c.created_at')),
    );
  if (filters.view !== 'all') query.where('c.status', filters.view);
  return whereNarrowed(query, filters, articleId, pattern);
}

/** A queue row as read: JSON carries the log's times as text. */
type ReadQueueRow = Omit<QueueRow, 'recent_log'> & { recent_log: Array<Omit<RecentLogEntry, 'created_at'> & { created_at: string }> };

/** One page of the queue, newest first, by keyset (created_at, id). */
export async function listQueuePage(
  db: Database,
  filters: QueueFilters,
  articleId: string | null,
  pattern: string | null,
  limit: number,
): Promise<QueuePage> {
  const page = await keysetPage<ReadQueueRow>(() => queueQuery(db, filters, articleId, pattern), 'c', filters, limit, {
    prepare: pattern === null,
  });
  const rows = page.rows.map((row) => ({
    ...row,
    recent_log: row.recent_log.map((entry) => ({ ...entry, created_at: new Date(entry.created_at) })),
  }));
  return { ...page, rows };
}

/** Exact count per status, for the tabs: read from the trigger-kept counts, never by counting rows. */
export function countByStatus(db: Database, articleId: string | null): Promise<Record<CommentStatus, number>> {
  return countCommentsByStatus(db, articleId ?? undefined);
}

/**
 * Count per status within the search or address: the trigger-kept counts
 * when neither is given, else by counting the matching rows.
 */
export async function countMatchingByStatus(
  db: Database,
  filters: QueueFilters,
  articleId: string | null,
  pattern: string | null,
): Promise<Record<CommentStatus, number>> {
  if (!pattern && !filters.ip && !filters.commentId && !filters.ownerId) return countByStatus(db, articleId);
  const query = whereNarrowed(
    db('comments as c').select('c.status').count({ count: '*' }).groupBy('c.status'),
    filters,
    articleId,
    pattern,
  );
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
  for (const row of (await query) as Array<{ status: CommentStatus; count: string }>) counts[row.status] = Number(row.count);
  return counts;
}

/** How many rows of the queue come before this one (newer), for the page number of a page reached by cursor. */
export async function countNewerThan(
  db: Database,
  filters: QueueFilters,
  articleId: string | null,
  pattern: string | null,
  cursor: Cursor,
): Promise<number> {
  const query = beyondCursor(db('comments as c').count<{ count: string }>({ count: '*' }), 'c', cursor, '>');
  if (filters.view !== 'all') query.where('c.status', filters.view);
  const row = await whereNarrowed(query, filters, articleId, pattern).first<{ count: string } | undefined>();
  return Number(row?.count ?? 0);
}

/** Comments awaiting moderation: all of them, or with `ownerId` those on that account's articles (an author's badge). */
export async function countPendingComments(db: Database, ownerId: string | null = null): Promise<number> {
  if (ownerId === null) return (await countCommentsByStatus(db)).pending;
  const row = await db('comment_counts as cc')
    .join('articles as a', 'a.id', 'cc.article_id')
    .where({ 'cc.status': 'pending', 'a.author_id': ownerId })
    .first<{ pending: number } | undefined>(db.raw('coalesce(sum(cc.count), 0)::int AS pending'));
  return row?.pending ?? 0;
}

import type { Database } from '../platform/db/connection.js';
import type { CommentStatus } from '../comments/index.js';
import { cursorTime, keysetPage, type Cursor } from '../platform/db/keyset-page.js';

/** What the moderation log pages read; entries are written in moderation-queries.ts. */

export type LogAction = 'status' | 'delete' | 'edit' | 'reply' | 'erase';

export interface LogRow {
  id: string;
  comment_id: string;
  actor_name: string;
  action: LogAction;
  from_status: CommentStatus | null;
  to_status: CommentStatus | null;
  created_at: Date;
  cursor_time: string;
  /** Null once the comment is deleted. */
  comment_status: CommentStatus | null;
  comment_author_name: string | null;
}

/** A log entry as the queue shows it under its comment. */
export type RecentLogEntry = Pick<LogRow, 'actor_name' | 'action' | 'from_status' | 'to_status' | 'created_at'>;

/** How many log entries the queue shows under each comment. */
export const RECENT_LOG_SIZE = 3;

/** The newest few log rows of each comment (the queue reads them with its rows: see RECENT_LOG in queue-queries.ts). */
export async function listRecentLog(db: Database, commentIds: readonly string[], perComment = RECENT_LOG_SIZE): Promise<LogRow[]> {
  if (commentIds.length === 0) return [];
  const ranked = db('moderation_log')
    .select(
      '*',
      db.raw(cursorTime('created_at')),
      db.raw('row_number() OVER (PARTITION BY comment_id ORDER BY created_at DESC, id DESC) AS rank'),
    )
    .whereIn('comment_id', commentIds)
    .as('ranked');
  return db
    .select('*')
    .from(ranked)
    .where('rank', '<=', perComment)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
}

/** The whole log, newest first, by keyset; with `ownerId`, only what concerns comments on that account's articles. */
export async function listLogPage(
  db: Database,
  position: { before: Cursor | null; after: Cursor | null },
  limit: number,
  ownerId: string | null = null,
) {
  const query = () => {
    const rows = db('moderation_log as l')
      .leftJoin('comments as c', 'c.id', 'l.comment_id')
      .select('l.*', 'c.status AS comment_status', 'c.author_name AS comment_author_name', db.raw(cursorTime('l.created_at')));
    return ownerId ? rows.whereRaw('c.article_id IN (SELECT id FROM articles WHERE author_id = ?)', [ownerId]) : rows;
  };
  return keysetPage<LogRow>(query, 'l', position, limit);
}

import type { Database } from '../platform/db/connection.js';
import type { CommentStatus } from '../comments/index.js';

export interface ApprovedForMail {
  comment: { id: string; status: CommentStatus; author_name: string; author_email: string; body: string; notify_on_approval: boolean };
  article: { title: string; slug: string };
  parent: { id: string; status: CommentStatus; author_name: string; author_email: string; body: string; notify_on_reply: boolean } | null;
}

/** A row of listApprovedForMail's query: the comment, its article, and its parent's p_ columns (all null for a top-level comment). */
type ApprovedForMailRow = ApprovedForMail['comment'] &
  ApprovedForMail['article'] &
  (
    | { p_id: null; p_status: null; p_author_name: null; p_author_email: null; p_body: null; p_notify_on_reply: null }
    | {
        p_id: string;
        p_status: CommentStatus;
        p_author_name: string;
        p_author_email: string;
        p_body: string;
        p_notify_on_reply: boolean;
      }
  );

/** What the mail about these comments needs: each comment with its article and the comment it replies to. In id order. */
export async function listApprovedForMail(db: Database, ids: readonly string[]): Promise<ApprovedForMail[]> {
  const rows = await db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .leftJoin('comments as p', 'p.id', 'c.parent_id')
    .select<ApprovedForMailRow[]>(
      'c.id',
      'c.status',
      'c.author_name',
      'c.author_email',
      'c.body',
      'c.notify_on_approval',
      'a.title',
      'a.slug',
      'p.id AS p_id',
      'p.status AS p_status',
      'p.author_name AS p_author_name',
      'p.author_email AS p_author_email',
      'p.body AS p_body',
      'p.notify_on_reply AS p_notify_on_reply',
    )
    .whereIn('c.id', ids)
    .orderBy('c.id');
  return rows.map((row) => ({
    comment: {
      id: String(row.id),
      status: row.status,
      author_name: row.author_name,
      author_email: row.author_email,
      body: row.body,
      notify_on_approval: row.notify_on_approval,
    },
    article: { title: row.title, slug: row.slug },
    parent:
      row.p_id === null
        ? null
        : {
            id: String(row.p_id),
            status: row.p_status,
            author_name: row.p_author_name,
            author_email: row.p_author_email,
            body: row.p_body,
            notify_on_reply: row.p_notify_on_reply,
          },
  }));
}

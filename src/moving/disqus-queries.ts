import type { Database } from '../platform/db/connection.js';

/** The writes of a Disqus import: comments keyed by forum and Disqus post id, then their threads joined. */

export interface DisqusCommentRow {
  article_id: string;
  status: 'approved' | 'pending' | 'spam' | 'trash';
  author_name: string;
  author_email: string;
  body: string;
  ip: string | null;
  created_at: Date;
  source_site: string;
  source_id: string;
}

/** Inserts those not imported before; answers the source ids that are new. */
export async function insertDisqusComments(trx: Database, rows: readonly DisqusCommentRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await trx('comments')
    .insert(
      rows.map((row) => ({
        ...row,
        author_url: '',
        approved_at: row.status === 'approved' ? row.created_at : null,
        imported_from: 'disqus',
      })),
    )
    .onConflict()
    .ignore()
    .returning<Array<{ source_id: string }>>('source_id');
  return new Set(inserted.map((row) => row.source_id));
}

export interface ReplyLink {
  site: string;
  source_id: string;
  parent_source_id: string;
}

/**
 * Joins each reply to its parent (both by forum and Disqus id); a reply
 * already joined is left as it is. Answers the replies whose parent is not
 * among the comments stored.
 */
export async function linkDisqusReplies(trx: Database, links: readonly ReplyLink[]): Promise<ReplyLink[]> {
  if (links.length === 0) return [];
  const json = JSON.stringify(links);
  await trx.raw(
    `UPDATE comments AS child SET parent_id = parent.id
       FROM jsonb_to_recordset(?::jsonb) AS link (site text, source_id text, parent_source_id text)
       JOIN comments AS parent ON parent.source_site = link.site AND parent.source_id = link.parent_source_id
      WHERE child.source_site = link.site AND child.source_id = link.source_id
        AND child.parent_id IS NULL AND parent.id <> child.id AND parent.article_id = child.article_id`,
    [json],
  );
  const missing = await trx.raw<{ rows: ReplyLink[] }>(
    `SELECT link.site, link.source_id, link.parent_source_id
       FROM jsonb_to_recordset(?::jsonb) AS link (site text, source_id text, parent_source_id text)
       JOIN comments AS child ON child.source_site = link.site AND child.source_id = link.source_id
      WHERE child.parent_id IS NULL`,
    [json],
  );
  return missing.rows;
}

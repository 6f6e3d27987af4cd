import type { Database } from '../platform/db/connection.js';
import type { CommentStatus } from '../comments/index.js';
import type { Commenter } from './commenter-blocks.js';

/** One comment as a moderator's edit form and a block see it, and the small lookups of the queue's filters. */

export interface EditableComment {
  id: string;
  status: CommentStatus;
  author_name: string;
  author_email: string;
  author_url: string;
  body: string;
  created_at: Date;
  article_title: string;
  article_slug: string;
}

export async function findEditableComment(db: Database, id: string): Promise<EditableComment | null> {
  const row = await db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .select(
      'c.id',
      'c.status',
      'c.author_name',
      'c.author_email',
      'c.author_url',
      'c.body',
      'c.created_at',
      'a.title AS article_title',
      'a.slug AS article_slug',
    )
    .where('c.id', id)
    .first<EditableComment | undefined>();
  return row ? { ...row, id: String(row.id) } : null;
}

/** Who wrote a comment, as a block sees them; the IP as PostgreSQL prints it, so it compares equal to a later request's. */
export async function findCommenter(db: Database, id: string): Promise<Commenter | null> {
  const row = await db('comments')
    .select('author_email', db.raw('host(ip) AS ip'), 'is_site_reply')
    .where({ id })
    .first<{ author_email: string; ip: string | null; is_site_reply: boolean } | undefined>();
  return row ? { email: row.author_email, ip: row.ip, isSiteReply: row.is_site_reply } : null;
}

export async function commentExists(db: Database, id: string): Promise<boolean> {
  return (await db('comments').select('id').where({ id }).first()) !== undefined;
}

/** Any article, published or not: moderators see comments on drafts too. */
export async function findArticleIdBySlug(db: Database, slug: string): Promise<string | null> {
  const row = await db('articles').select<{ id: string }>('id').where({ slug }).first();
  return row ? String(row.id) : null;
}

export async function listArticleChoices(db: Database, ownerId: string | null = null): Promise<Array<{ slug: string; title: string }>> {
  const query = db('articles')
    .select<Array<{ slug: string; title: string }>>('slug', 'title')
    .orderBy([
      { column: 'published_at', order: 'desc', nulls: 'first' },
      { column: 'id', order: 'desc' },
    ])
    .limit(500);
  return ownerId === null ? query : query.where({ author_id: ownerId });
}

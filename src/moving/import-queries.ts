import type { Database } from '../platform/db/connection.js';
import type { PreparedBody } from '../articles/article-body.js';
import { dropFormerSlug, replaceArticleTags, slugsTakenLike } from '../articles/editor-queries.js';
import type { CommentPlan, PostPlan } from './post-plan.js';

/**
 * The import's reads and writes. Articles and comments are plain rows: the
 * comments' counts and the articles' page versions are kept by the same
 * triggers that keep them for a comment posted on the site, and every
 * article row written tells the page caches (its trigger), as a save does.
 */

export interface ImportAccount {
  id: string;
  username: string;
  display_name: string;
}

export async function findAccountsByUsername(db: Database, usernames: readonly string[]): Promise<ImportAccount[]> {
  if (usernames.length === 0) return [];
  return db<ImportAccount>('users').whereIn('username', usernames).select(db.raw('id::text AS id'), 'username', 'display_name');
}

export async function findImportedArticleId(trx: Database, site: string, sourceId: string): Promise<string | null> {
  const row = await trx('articles')
    .where({ source_site: site, source_id: sourceId })
    .first<{ id: string } | undefined>(trx.raw('id::text AS id'));
  return row?.id ?? null;
}

/** `base`, or the first of `base-2`, `base-3`, … that no article has. */
async function freeSlug(trx: Database, base: string): Promise<string> {
  const taken = await slugsTakenLike(trx, base, null);
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

/** The article row, its tags, its old paths and its old slug; answers its id and slug. */
export async function insertImportedArticle(
  trx: Database,
  site: string,
  plan: PostPlan,
  rendered: PreparedBody,
  now: Date,
): Promise<{ id: string; slug: string }> {
  const slug = await freeSlug(trx, plan.slug);
  await dropFormerSlug(trx, slug);
  const [row] = await trx('articles')
    .insert({
      slug,
      title: plan.title,
      author_name: plan.authorName,
      author_id: plan.authorId,
      body: plan.body,
      body_format: plan.bodyFormat,
      figure_image: plan.figure?.image ?? null,
      figure_alt: plan.figure?.alt ?? null,
      figure_caption: plan.figure?.caption ?? null,
      figure_after_paragraph: plan.figure?.afterParagraph ?? 1,
      body_html: rendered.html,
      word_count: rendered.wordCount,
      summary: rendered.summary,
      excerpt: plan.excerpt,
      status: plan.status,
      published_at: plan.publishedAt,
      trashed_at: plan.status === 'trash' ? now : null,
      comments_open: plan.commentsOpen,
      created_at: plan.createdAt,
      updated_at: now,
      source_site: site,
      source_id: plan.sourceId,
      source_kind: plan.kind,
    })
    .returning<Array<{ id: string }>>(trx.raw('id::text AS id'));
  const id = row!.id;
  await replaceArticleTags(trx, id, plan.tags);
  if (plan.legacyPaths.length > 0) {
    await trx('article_legacy_paths')
      .insert(plan.legacyPaths.map((path) => ({ path, article_id: id })))
      .onConflict('path')
      .ignore();
  }
  if (plan.formerSlug !== null && plan.formerSlug !== slug) {
    await trx.raw(
      `INSERT INTO article_former_slugs (slug, article_id)
       SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM articles WHERE slug = ?)
       ON CONFLICT DO NOTHING`,
      [plan.formerSlug, id, plan.formerSlug],
    );
  }
  return { id, slug };
}

/**
 * The comments not yet imported (by site and WordPress id), then each reply
 * joined to its parent. Answers how many were new, and the new replies.
 */
export async function insertImportedComments(
  trx: Database,
  articleId: string,
  site: string,
  comments: readonly CommentPlan[],
): Promise<{ inserted: Set<string> }> {
  if (comments.length === 0) return { inserted: new Set() };
  const rows = await trx('comments')
    .insert(
      comments.map((comment) => ({
        article_id: articleId,
        status: comment.status,
        author_name: comment.authorName,
        author_email: comment.authorEmail,
        author_url: comment.authorUrl,
        body: comment.body,
        ip: comment.ip,
        created_at: comment.createdAt,
        approved_at: comment.status === 'approved' ? comment.createdAt : null,
        is_site_reply: comment.isSiteReply,
        user_id: comment.userId,
        source_site: site,
        source_id: comment.sourceId,
        imported_from: 'wordpress',
      })),
    )
    .onConflict()
    .ignore()
    .returning<Array<{ source_id: string }>>('source_id');
  const inserted = new Set(rows.map((row) => row.source_id));
  const replies = comments.filter((comment) => comment.parentSourceId !== null && inserted.has(comment.sourceId));
  if (replies.length > 0) {
    await trx.raw(
      `UPDATE comments AS child SET parent_id = parent.id
         FROM jsonb_to_recordset(?::jsonb) AS link (source_id text, parent_source_id text)
         JOIN comments AS parent ON parent.source_site = ? AND parent.source_id = link.parent_source_id
        WHERE child.source_site = ? AND child.source_id = link.source_id AND parent.id <> child.id`,
      [JSON.stringify(replies.map((reply) => ({ source_id: reply.sourceId, parent_source_id: reply.parentSourceId }))), site, site],
    );
  }
  return { inserted };
}

import type { Database } from '../platform/db/connection.js';
import type { PreparedBody } from '../articles/index.js';
import { dropFormerSlug, replaceArticleTags, slugsTakenLike } from '../articles/index.js';
import type { CommentPlan } from './comment-plan.js';
import type { PostPlan } from './post-plan.js';

/**
 * The import's reads and writes. Articles and comments are plain rows: the
 * comments' counts and the articles' page versions are kept by the
 * database's triggers (once per post's comments, see insertImportedComments),
 * and every article row written tells the page caches (its trigger), as a
 * save does.
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
 * The post's comments not yet imported (by site and WordPress id), in one
 * statement: each new row gets its id first, so a reply is stored with its
 * parent's id, whether the parent is new in this statement or came in an
 * earlier run. Their counts and the article's page version are kept once
 * for the statement (migration 35) instead of once per row; the setting
 * lasts until this transaction ends. The ids already stored are looked up
 * with `= ANY`, which keeps to the index even before the table has any
 * statistics (a first import's): a join there could read every comment of
 * the site once per post. Answers the WordPress ids stored.
 */
export async function insertImportedComments(
  trx: Database,
  articleId: string,
  site: string,
  comments: readonly CommentPlan[],
): Promise<{ inserted: Set<string> }> {
  if (comments.length === 0) return { inserted: new Set() };
  await trx.raw("SELECT set_config('broadsheet.comment_bookkeeping', 'per-statement', true)");
  const given = comments.map((comment) => ({
    source_id: comment.sourceId,
    parent_source_id: comment.parentSourceId,
    status: comment.status,
    author_name: comment.authorName,
    author_email: comment.authorEmail,
    author_url: comment.authorUrl,
    body: comment.body,
    ip: comment.ip,
    created_at: comment.createdAt,
    is_site_reply: comment.isSiteReply,
    user_id: comment.userId,
  }));
  const { rows } = await trx.raw<{ rows: Array<{ source_id: string }> }>(
    `WITH given AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb) AS given (
         source_id text, parent_source_id text, status text, author_name text, author_email text, author_url text,
         body text, ip inet, created_at timestamptz, is_site_reply boolean, user_id bigint)
     ),
     known AS (
       SELECT id, source_id FROM comments WHERE source_site = ? AND source_id = ANY (ARRAY(SELECT source_id FROM given))
     ),
     fresh AS (
       SELECT nextval('comments_id_seq') AS id, given.* FROM given
        WHERE NOT EXISTS (SELECT 1 FROM known WHERE known.source_id = given.source_id)
     )
     INSERT INTO comments (id, article_id, parent_id, status, author_name, author_email, author_url, body, ip,
                           created_at, approved_at, is_site_reply, user_id, source_site, source_id, imported_from)
     SELECT fresh.id, ?, NULLIF(COALESCE(new_parent.id, known_parent.id), fresh.id), fresh.status, fresh.author_name,
            fresh.author_email, fresh.author_url, fresh.body, fresh.ip, fresh.created_at,
            CASE WHEN fresh.status = 'approved' THEN fresh.created_at END, fresh.is_site_reply, fresh.user_id,
            ?, fresh.source_id, 'wordpress'
       FROM fresh
       LEFT JOIN fresh AS new_parent ON new_parent.source_id = fresh.parent_source_id
       LEFT JOIN known AS known_parent ON known_parent.source_id = fresh.parent_source_id
     ON CONFLICT DO NOTHING
     RETURNING source_id`,
    [JSON.stringify(given), site, articleId, site],
  );
  return { inserted: new Set(rows.map((row) => row.source_id)) };
}

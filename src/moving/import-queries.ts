import type { Database } from '../platform/db/connection.js';
import type { PreparedBody } from '../articles/index.js';
import type { CommentPlan } from './comment-plan.js';
import type { PostPlan } from './post-plan.js';

/**
 * The import's reads and writes, a post's in as few statements as the
 * rules allow (each is a round trip that costs both processes more than
 * most of the statements themselves): one to start the post, one for a new
 * article with everything that belongs to it, one for its comments.
 * Articles and comments are plain rows: the comments' counts and the
 * articles' page versions are kept by the database's triggers (once per
 * post's comments, see startPostImport), and every article row written
 * tells the page caches (its trigger), as a save does.
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

export interface PostStart {
  /** The article an earlier run made of this post, or null. */
  articleId: string | null;
  /** For a new article: the slugs that are its wanted slug or `slug-…` already. */
  takenSlugs: Set<string>;
}

/**
 * The first statement of a post's transaction. Until the transaction ends
 * it asks for the comments' bookkeeping once per statement (migration 35)
 * and for plans without sequential scans: a first import fills tables that
 * have no statistics yet, and the checks of the comments' foreign keys
 * are planned once per connection, while the tables are nearly empty, so
 * a plan that reads the whole table could be kept for every later row.
 * It then finds the article an earlier run made of this post, and for a new
 * one makes its tags that do not exist yet and reads the slugs it must
 * avoid. The tags are made here rather than with the article so that the
 * next statement, with a snapshot of its own, sees a tag another import's
 * transaction made meanwhile: within one statement the insert would skip
 * it and the lookup would not see it.
 */
export async function startPostImport(trx: Database, site: string, plan: PostPlan): Promise<PostStart> {
  const { rows } = await trx.raw<{ rows: Array<{ article_id: string | null; taken_slugs: string[] }> }>(
    `WITH imported AS (
       SELECT id FROM articles WHERE source_site = ? AND source_id = ?
     ),
     made_tags AS (
       INSERT INTO tags (slug, name)
       SELECT slug, name FROM unnest(?::text[], ?::text[]) AS wanted (slug, name)
        WHERE NOT EXISTS (SELECT 1 FROM imported)
       ON CONFLICT (slug) DO NOTHING
     )
     SELECT set_config('broadsheet.comment_bookkeeping', 'per-statement', true) AS bookkeeping,
            set_config('enable_seqscan', 'off', true) AS seqscan,
            (SELECT id::text FROM imported) AS article_id,
            ARRAY(SELECT slug FROM articles WHERE (slug = ? OR slug LIKE ?) AND NOT EXISTS (SELECT 1 FROM imported)) AS taken_slugs`,
    [site, plan.sourceId, plan.tags.map((tag) => tag.slug), plan.tags.map((tag) => tag.name), plan.slug, `${plan.slug}-%`],
  );
  return { articleId: rows[0]!.article_id, takenSlugs: new Set(rows[0]!.taken_slugs) };
}

/**
 * The article row with its tags (made by startPostImport), its old paths and
 * its old slug, in one statement; a slug in use again stops being another
 * article's old address. Answers the article's id.
 */
export async function insertImportedArticle(
  trx: Database,
  site: string,
  plan: PostPlan,
  rendered: PreparedBody,
  slug: string,
  now: Date,
): Promise<string> {
  const article = trx('articles')
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
    .returning('id');
  const formerSlug = plan.formerSlug !== slug ? plan.formerSlug : null;
  const { rows } = await trx.raw<{ rows: Array<{ id: string }> }>(
    `WITH article AS (?),
     reused_slug AS (
       DELETE FROM article_former_slugs WHERE slug = ?
     ),
     former_slug AS (
       INSERT INTO article_former_slugs (slug, article_id)
       SELECT former.slug, article.id FROM article, (SELECT ?::text AS slug) AS former
        WHERE former.slug IS NOT NULL AND NOT EXISTS (SELECT 1 FROM articles WHERE articles.slug = former.slug)
       ON CONFLICT DO NOTHING
     ),
     legacy_paths AS (
       INSERT INTO article_legacy_paths (path, article_id)
       SELECT path, article.id FROM article, unnest(?::text[]) AS path
       ON CONFLICT (path) DO NOTHING
     ),
     article_tags AS (
       INSERT INTO article_tags (article_id, tag_id)
       SELECT article.id, tags.id FROM article, tags WHERE tags.slug = ANY (?::text[])
     )
     SELECT id::text AS id FROM article`,
    [article, slug, formerSlug, plan.legacyPaths, plan.tags.map((tag) => tag.slug)],
  );
  return rows[0]!.id;
}

/**
 * The post's comments not yet imported (by site and WordPress id), in one
 * statement: each new row gets its id first, so a reply is stored with its
 * parent's id, whether the parent is new in this statement or came in an
 * earlier run. Their counts and the article's page version are kept once
 * for the statement, as startPostImport asked. The ids already stored are
 * looked up one comment at a time (LIMIT keeps the planner from turning
 * the lookups into a join): a first import's table has no statistics yet,
 * and a join, or even `= ANY`, could read every comment of the site once
 * per post. Answers the WordPress ids stored.
 */
export async function insertImportedComments(
  trx: Database,
  articleId: string,
  site: string,
  comments: readonly CommentPlan[],
): Promise<{ inserted: Set<string> }> {
  if (comments.length === 0) return { inserted: new Set() };
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
       SELECT * FROM json_to_recordset(?::json) AS given (
         source_id text, parent_source_id text, status text, author_name text, author_email text, author_url text,
         body text, ip inet, created_at timestamptz, is_site_reply boolean, user_id bigint)
     ),
     known AS (
       SELECT stored.id, given.source_id
         FROM given
         JOIN LATERAL (SELECT id FROM comments WHERE source_site = ? AND source_id = given.source_id LIMIT 1) AS stored ON true
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

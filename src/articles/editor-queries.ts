import type { Database } from '../platform/db/connection.js';
import type { ArticleRow } from './article-queries.js';
import type { TagName } from './tag-names.js';

/** What the editor reads and writes of an article besides its revisions: the row, its slugs, tags and author accounts. */

/** The columns a save writes. */
export type ArticleFields = Pick<
  ArticleRow,
  | 'title'
  | 'slug'
  | 'body'
  | 'body_format'
  | 'body_html'
  | 'word_count'
  | 'summary'
  | 'excerpt'
  | 'author_name'
  | 'author_id'
  | 'comments_open'
  | 'figure_image'
  | 'figure_alt'
  | 'figure_caption'
  | 'figure_after_paragraph'
  | 'status'
  | 'published_at'
  | 'trashed_at'
>;

export interface AuthorAccount {
  id: string;
  display_name: string;
  username: string;
}

/** The article, locked until the transaction ends: a second save waits here and then sees the first one's version. */
export async function lockArticle(trx: Database, id: string): Promise<ArticleRow | null> {
  return (await trx<ArticleRow>('articles').where({ id }).forUpdate().first()) ?? null;
}

export async function insertArticleRow(trx: Database, fields: ArticleFields, at: Date): Promise<ArticleRow> {
  const [row] = await trx('articles')
    .insert({ ...fields, created_at: at, updated_at: at })
    .returning<ArticleRow[]>('*');
  return row!;
}

/** Writes a save and counts it in `version`. */
export async function updateArticleRow(trx: Database, id: string, fields: Partial<ArticleFields>, at: Date): Promise<ArticleRow> {
  const [row] = await trx('articles')
    .where({ id })
    .update({ ...fields, updated_at: at, version: trx.raw('version + 1') })
    .returning<ArticleRow[]>('*');
  return row!;
}

/** The slugs of other articles that are `base` or `base-<something>`: where a generated slug must not land. */
export async function slugsTakenLike(trx: Database, base: string, exceptId: string | null): Promise<Set<string>> {
  const query = trx('articles')
    .where((where) => void where.where('slug', base).orWhere('slug', 'like', `${base}-%`))
    .pluck<string[]>('slug');
  if (exceptId !== null) void query.whereNot({ id: exceptId });
  return new Set(await query);
}

/** `base`, or the first of `base-2`, `base-3`, … not among `taken` (what slugsTakenLike found). */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

export async function isSlugTaken(trx: Database, slug: string, exceptId: string | null): Promise<boolean> {
  const query = trx('articles').where({ slug }).first('id');
  if (exceptId !== null) void query.whereNot({ id: exceptId });
  return (await query) !== undefined;
}

/** The old address of a published article, answered with 301 from now on. */
export async function keepFormerSlug(trx: Database, articleId: string, slug: string): Promise<void> {
  await trx('article_former_slugs').insert({ slug, article_id: articleId }).onConflict('slug').merge(['article_id']);
}

/** A slug in use again is an article's own address, no longer a redirect. */
export async function dropFormerSlug(trx: Database, slug: string): Promise<void> {
  await trx('article_former_slugs').where({ slug }).delete();
}

/** Sets the article's tags to exactly these: each found by slug, or made with the name typed. */
export async function replaceArticleTags(trx: Database, articleId: string, tags: readonly TagName[]): Promise<void> {
  await trx('article_tags').where({ article_id: articleId }).delete();
  if (tags.length === 0) return;
  await trx('tags')
    .insert(tags.map((tag) => ({ slug: tag.slug, name: tag.name })))
    .onConflict('slug')
    .ignore();
  const ids = await trx('tags')
    .whereIn(
      'slug',
      tags.map((tag) => tag.slug),
    )
    .pluck<string[]>('id');
  await trx('article_tags').insert(ids.map((tagId) => ({ article_id: articleId, tag_id: tagId })));
}

/** The article's tag names, in the order they are listed on a page. */
export async function listArticleTagNames(db: Database, articleId: string): Promise<string[]> {
  return db('tags as t')
    .join('article_tags as at', 'at.tag_id', 't.id')
    .where('at.article_id', articleId)
    .orderBy('t.name')
    .pluck<string[]>('t.name');
}

/** The accounts an article may be credited to. */
/** The accounts an article may be credited to: every one, or with `onlyId` (an author's editor) that account alone. */
export async function listAuthorAccounts(db: Database, onlyId: string | null = null): Promise<AuthorAccount[]> {
  const query = db<AuthorAccount>('users')
    .select('id', 'display_name', 'username')
    .orderBy([{ column: 'display_name' }, { column: 'id' }]);
  return onlyId === null ? query : query.where({ id: onlyId });
}

export async function findAuthorAccount(db: Database, id: string): Promise<AuthorAccount | null> {
  return (await db<AuthorAccount>('users').where({ id }).first('id', 'display_name', 'username')) ?? null;
}

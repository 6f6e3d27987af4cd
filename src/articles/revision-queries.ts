import type { Database } from '../platform/db/connection.js';
import type { ArticleFormat } from './article-queries.js';

/**
 * An article's revisions: every save records the text it stored and who
 * saved it, so the newest revision is the current text and each older one
 * a version that was replaced. Beside them, one autosave slot per article
 * and account, which the editor's script writes and only a save makes real.
 */

/** The text a revision keeps. */
export interface RevisionText {
  title: string;
  body: string;
  body_format: ArticleFormat;
  excerpt: string | null;
  figure_image: string | null;
  figure_alt: string | null;
  figure_caption: string | null;
  figure_after_paragraph: number;
}

export interface RevisionRow extends RevisionText {
  id: string;
  article_id: string;
  kind: 'revision' | 'autosave';
  saved_by: string | null;
  saved_by_name: string;
  created_at: Date;
}

export interface SavedBy {
  id: string | null;
  name: string;
}

const TEXT_COLUMNS = [
  'title',
  'body',
  'body_format',
  'excerpt',
  'figure_image',
  'figure_alt',
  'figure_caption',
  'figure_after_paragraph',
] as const satisfies ReadonlyArray<keyof RevisionText>;

/** Only these columns of a row: an article row carries many more. */
export function revisionTextOf(row: RevisionText): RevisionText {
  return Object.fromEntries(TEXT_COLUMNS.map((column) => [column, row[column]])) as unknown as RevisionText;
}

export async function insertRevision(trx: Database, articleId: string, text: RevisionText, by: SavedBy, at: Date): Promise<void> {
  await trx('article_revisions').insert({
    ...revisionTextOf(text),
    article_id: articleId,
    kind: 'revision',
    saved_by: by.id,
    saved_by_name: by.name,
    created_at: at,
  });
}

export async function hasRevisions(trx: Database, articleId: string): Promise<boolean> {
  return (await trx('article_revisions').where({ article_id: articleId, kind: 'revision' }).first('id')) !== undefined;
}

export type RevisionListRow = Pick<RevisionRow, 'id' | 'saved_by' | 'saved_by_name' | 'created_at'> & {
  /** Whether its text is the article's text now. */
  matches_article: boolean;
};

/** Newest first: who and when, without their texts. */
export async function listRevisions(db: Database, articleId: string, limit: number): Promise<RevisionListRow[]> {
  const sameText = TEXT_COLUMNS.map((column) => `r.${column} IS NOT DISTINCT FROM a.${column}`).join(' AND ');
  return db('article_revisions as r')
    .join('articles as a', 'a.id', 'r.article_id')
    .where({ 'r.article_id': articleId, 'r.kind': 'revision' })
    .orderBy('r.id', 'desc')
    .limit(limit)
    .select('r.id', 'r.saved_by', 'r.saved_by_name', 'r.created_at', db.raw(`(${sameText}) AS matches_article`));
}

export async function countRevisions(db: Database, articleId: string): Promise<number> {
  const row = await db('article_revisions')
    .where({ article_id: articleId, kind: 'revision' })
    .count<{ count: string }>({ count: '*' })
    .first();
  return Number(row?.count ?? 0);
}

export async function findRevision(db: Database, articleId: string, revisionId: string): Promise<RevisionRow | null> {
  return (await db<RevisionRow>('article_revisions').where({ id: revisionId, article_id: articleId, kind: 'revision' }).first()) ?? null;
}

/** Who saved the current text, and when: the newest revision. */
export async function findNewestRevision(db: Database, articleId: string): Promise<RevisionRow | null> {
  return (
    (await db<RevisionRow>('article_revisions').where({ article_id: articleId, kind: 'revision' }).orderBy('id', 'desc').first()) ?? null
  );
}

/** Writes this account's autosave slot of the article (made on the first autosave, replaced after). */
export async function writeAutosave(
  db: Database,
  articleId: string,
  text: RevisionText,
  by: SavedBy & { id: string },
  at: Date,
): Promise<void> {
  await db.raw(
    `INSERT INTO article_revisions (article_id, kind, saved_by, saved_by_name, created_at, ${TEXT_COLUMNS.join(', ')})
     VALUES (?, 'autosave', ?, ?, ?, ${TEXT_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (article_id, saved_by) WHERE kind = 'autosave'
     DO UPDATE SET saved_by_name = EXCLUDED.saved_by_name, created_at = EXCLUDED.created_at,
       ${TEXT_COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`,
    [articleId, by.id, by.name, at, ...TEXT_COLUMNS.map((column) => text[column])],
  );
}

export async function findAutosave(db: Database, articleId: string, accountId: string): Promise<RevisionRow | null> {
  return (
    (await db<RevisionRow>('article_revisions').where({ article_id: articleId, kind: 'autosave', saved_by: accountId }).first()) ?? null
  );
}

/** A save makes the autosave slot's text real or replaces it: the slot is emptied. */
export async function deleteAutosave(trx: Database, articleId: string, accountId: string): Promise<void> {
  await trx('article_revisions').where({ article_id: articleId, kind: 'autosave', saved_by: accountId }).delete();
}

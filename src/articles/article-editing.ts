import type { Database } from '../platform/db/connection.js';
import type { PreparedBody } from './article-body.js';
import { renderBodyForSaving } from './stored-bodies.js';
import type { ArticleFormat, ArticleRow, ArticleStatus } from './article-queries.js';
import { planArticleMove, type ArticleMove } from './article-status.js';
import { SLUG_MAX, type ArticleSubmission, type EditorAction, type EditorErrors } from './editor-form.js';
import {
  dropFormerSlug,
  findAuthorAccount,
  firstFreeSlug,
  insertArticleRow,
  isSlugTaken,
  keepFormerSlug,
  lockArticle,
  replaceArticleTags,
  slugsTakenLike,
  updateArticleRow,
  type ArticleFields,
} from './editor-queries.js';
import { deleteAutosave, findNewestRevision, findRevision, hasRevisions, insertRevision } from './revision-queries.js';
import { addressSlug } from './tag-names.js';

/**
 * Saving from the editor: the one place an article's text changes. Each
 * save renders the body, then, in one transaction that holds the article's
 * row, checks that nobody saved since the editor was opened, stores the
 * text, records it as the newest revision with who saved it, and moves the
 * status by the one rule (planArticleMove).
 */

/** The account saving. */
export interface Editor {
  id: string;
  name: string;
}

export type SaveOutcome =
  | { ok: true; article: ArticleRow; slugNote: string | null }
  | { ok: false; reason: 'invalid'; errors: EditorErrors }
  | { ok: false; reason: 'conflict'; current: ArticleRow; savedBy: { name: string; at: Date } }
  | { ok: false; reason: 'missing' };

const TARGETS: Record<EditorAction, ArticleStatus | null> = { save: null, publish: 'published', schedule: 'scheduled', unpublish: 'draft' };
const UNIQUE_VIOLATION = '23505';
const SLUG_TAKEN = 'Another article has this slug. Choose another, or leave it empty to make one from the title.';

const invalid = (errors: EditorErrors): SaveOutcome => ({ ok: false, reason: 'invalid', errors });

function moveFor(article: Pick<ArticleRow, 'status' | 'published_at' | 'trashed_at'>, submission: ArticleSubmission, now: Date) {
  const target = TARGETS[submission.action];
  if (target === null) {
    return { ok: true as const, move: { status: article.status, published_at: article.published_at, trashed_at: article.trashed_at } };
  }
  return planArticleMove(article, target, now, submission.publishAt);
}

/** An empty slug is made from the title; when another article has it, the first free `-2`, `-3`, … is taken. */
async function resolveSlug(trx: Database, submission: ArticleSubmission, articleId: string | null) {
  if (submission.slug !== null) {
    return (await isSlugTaken(trx, submission.slug, articleId)) ? null : { slug: submission.slug, note: null };
  }
  const base =
    addressSlug(submission.title)
      .slice(0, SLUG_MAX - 6)
      .replace(/-+$/, '') || 'article';
  const slug = firstFreeSlug(base, await slugsTakenLike(trx, base, articleId));
  return { slug, note: slug === base ? null : `Another article has the slug “${base}”, so this one was given “${slug}”.` };
}

/** The name shown is the one typed; left empty with an account chosen, the account's display name. */
async function resolveAuthor(trx: Database, submission: ArticleSubmission) {
  if (submission.authorId === null) return { author_name: submission.authorName, author_id: null };
  const account = await findAuthorAccount(trx, submission.authorId);
  if (!account) return null;
  return { author_name: submission.authorName || account.display_name, author_id: account.id };
}

function fieldsOf(
  submission: ArticleSubmission,
  format: ArticleFormat,
  author: { author_name: string; author_id: string | null },
  slug: string,
  move: ArticleMove,
  rendered: PreparedBody,
): ArticleFields {
  return {
    title: submission.title,
    slug,
    body: submission.body,
    body_format: format,
    body_html: rendered.html,
    word_count: rendered.wordCount,
    summary: rendered.summary,
    excerpt: submission.excerpt,
    ...author,
    comments_open: submission.commentsOpen,
    figure_image: submission.figure.image,
    figure_alt: submission.figure.alt,
    figure_caption: submission.figure.caption,
    figure_after_paragraph: submission.figure.afterParagraph,
    ...move,
  };
}

/** Runs a save's transaction; a slug taken by a save that committed in between is the slug field's error, not a fault. */
async function inTransaction(db: Database, work: (trx: Database) => Promise<SaveOutcome>): Promise<SaveOutcome> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION && /slug/.test((error as { constraint?: string }).constraint ?? '')) {
      return invalid({ slug: SLUG_TAKEN });
    }
    throw error;
  }
}

/** A new article, as a draft unless the action says otherwise; its first revision is its text. */
export async function createArticle(db: Database, submission: ArticleSubmission, editor: Editor, now: Date): Promise<SaveOutcome> {
  const plan = moveFor({ status: 'draft', published_at: null, trashed_at: null }, submission, now);
  if (!plan.ok) return invalid(plan.field === 'publish_at' ? { publish_at: plan.message } : { action: plan.message });
  return inTransaction(db, async (trx) => {
    const author = await resolveAuthor(trx, submission);
    if (!author) return invalid({ author_id: 'That account no longer exists. Choose another.' });
    const slug = await resolveSlug(trx, submission, null);
    if (!slug) return invalid({ slug: SLUG_TAKEN });
    await dropFormerSlug(trx, slug.slug);
    const article = await insertArticleRow(
      trx,
      fieldsOf(
        submission,
        'markdown',
        author,
        slug.slug,
        plan.move,
        await renderBodyForSaving(trx, submission.body, 'markdown', submission.excerpt),
      ),
      now,
    );
    await insertRevision(trx, article.id, article, editor, now);
    await replaceArticleTags(trx, article.id, submission.tags);
    return { ok: true, article, slugNote: slug.note };
  });
}

/**
 * Rows stored before the editor (the demo article, an import) have no
 * revision: their text is kept as one, credited to their author, before the
 * first save replaces it.
 */
async function keepTextBeforeFirstSave(trx: Database, article: ArticleRow): Promise<void> {
  if (await hasRevisions(trx, article.id)) return;
  await insertRevision(trx, article.id, article, { id: article.author_id, name: article.author_name }, article.updated_at);
}

async function savedByOf(trx: Database, article: ArticleRow): Promise<{ name: string; at: Date }> {
  const newest = await findNewestRevision(trx, article.id);
  return newest ? { name: newest.saved_by_name, at: newest.created_at } : { name: article.author_name, at: article.updated_at };
}

/** Saves an edit made on `submission.version`; a newer version in the database answers a conflict and changes nothing. */
export async function saveArticle(
  db: Database,
  articleId: string,
  format: ArticleFormat,
  submission: ArticleSubmission,
  editor: Editor,
  now: Date,
): Promise<SaveOutcome> {
  return inTransaction(db, async (trx) => {
    const article = await lockArticle(trx, articleId);
    if (!article) return { ok: false, reason: 'missing' };
    if (article.version !== submission.version)
      return { ok: false, reason: 'conflict', current: article, savedBy: await savedByOf(trx, article) };
    const plan = moveFor(article, submission, now);
    if (!plan.ok) return invalid(plan.field === 'publish_at' ? { publish_at: plan.message } : { action: plan.message });
    const author = await resolveAuthor(trx, submission);
    if (!author) return invalid({ author_id: 'That account no longer exists. Choose another.' });
    const slug = await resolveSlug(trx, submission, article.id);
    if (!slug) return invalid({ slug: SLUG_TAKEN });
    await keepTextBeforeFirstSave(trx, article);
    if (slug.slug !== article.slug) {
      await dropFormerSlug(trx, slug.slug);
      // Only a public address has readers' links to keep.
      if (article.status === 'published') await keepFormerSlug(trx, article.id, article.slug);
    }
    const saved = await updateArticleRow(
      trx,
      article.id,
      fieldsOf(
        submission,
        format,
        author,
        slug.slug,
        plan.move,
        await renderBodyForSaving(trx, submission.body, format, submission.excerpt),
      ),
      now,
    );
    await insertRevision(trx, saved.id, saved, editor, now);
    await replaceArticleTags(trx, saved.id, submission.tags);
    await deleteAutosave(trx, saved.id, editor.id);
    return { ok: true, article: saved, slugNote: slug.note };
  });
}

/** Makes an older revision's text the article's newest one; the text it replaces stays a revision. Null: no such article or revision. */
export async function restoreRevision(
  db: Database,
  articleId: string,
  revisionId: string,
  editor: Editor,
  now: Date,
): Promise<ArticleRow | null> {
  return db.transaction(async (trx) => {
    const article = await lockArticle(trx, articleId);
    const revision = article && (await findRevision(trx, article.id, revisionId));
    if (!article || !revision) return null;
    await keepTextBeforeFirstSave(trx, article);
    const rendered = await renderBodyForSaving(trx, revision.body, revision.body_format, revision.excerpt);
    const saved = await updateArticleRow(
      trx,
      article.id,
      {
        title: revision.title,
        body: revision.body,
        body_format: revision.body_format,
        body_html: rendered.html,
        word_count: rendered.wordCount,
        summary: rendered.summary,
        excerpt: revision.excerpt,
        figure_image: revision.figure_image,
        figure_alt: revision.figure_alt,
        figure_caption: revision.figure_caption,
        figure_after_paragraph: revision.figure_after_paragraph,
      },
      now,
    );
    await insertRevision(trx, saved.id, saved, editor, now);
    return saved;
  });
}

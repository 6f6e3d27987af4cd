import type { Request, Response } from 'express';
import type { ChangeObject } from 'diff';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { isId } from '../platform/http/route-patterns.js';
import { renderPage } from '../platform/rendering/render.js';
import { namedDateFormatsIn } from '../platform/rendering/format.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { setFlash } from '../moderation/index.js';
import type { ArticleRow } from './article-queries.js';
import { restoreRevision } from './article-editing.js';
import { editorOf, loadEditedArticle } from './editor-handlers.js';
import { editorPath, siteTimeZone } from './editor-page.js';
import { findRevision, type RevisionRow } from './revision-queries.js';

/** One revision compared with the current text, and restoring it. */

/** A run of text: in both versions, only in the revision (`removed` since), or only in the current text (`added`). */
export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

export interface RevisionPageModel {
  meta: PageMeta;
  article: { id: string; title: string; editHref: string };
  revision: { id: string; savedByName: string; createdAt: Date; restoreAction: string };
  /** Each compared field with its changes; `changed` false when the revision and the current text agree. */
  fields: Array<{ label: string; changed: boolean; parts: DiffPart[] }>;
  identical: boolean;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'articles/admin/revision': RevisionPageModel;
  }
}

/** A diff that would take longer than this is shown as the two texts whole. */
const DIFF_TIMEOUT_MS = 2000;

function partsOf(changes: ChangeObject<string>[] | undefined, before: string, after: string): DiffPart[] {
  if (!changes) {
    return [
      { kind: 'removed', text: before },
      { kind: 'added', text: after },
    ];
  }
  return changes.map((change) => ({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text: change.value }));
}

async function comparedFields(revision: RevisionRow, article: ArticleRow): Promise<RevisionPageModel['fields']> {
  // Loaded the first time a revision is compared: most processes that load the app never show one.
  const { diffLines, diffWords } = await import('diff');
  const compare = (label: string, before: string, after: string, by: 'words' | 'lines') => {
    const changes =
      by === 'words' ? diffWords(before, after, { timeout: DIFF_TIMEOUT_MS }) : diffLines(before, after, { timeout: DIFF_TIMEOUT_MS });
    return { label, changed: before !== after, parts: partsOf(changes, before, after) };
  };
  const text = (value: string | number | null) => (value === null ? '' : String(value));
  return [
    compare('Title', revision.title, article.title, 'words'),
    compare('Text', revision.body, article.body, 'lines'),
    compare('Excerpt', text(revision.excerpt), text(article.excerpt), 'words'),
    compare('Figure image', text(revision.figure_image), text(article.figure_image), 'words'),
    compare('Figure alternative text', text(revision.figure_alt), text(article.figure_alt), 'words'),
    compare('Figure caption', text(revision.figure_caption), text(article.figure_caption), 'words'),
    compare('Figure after block', text(revision.figure_after_paragraph), text(article.figure_after_paragraph), 'words'),
  ];
}

async function loadRevision(req: Request, article: ArticleRow): Promise<RevisionRow> {
  const id = req.params.revision;
  const revision = isId(id) ? await findRevision(contextOf(req).db, article.id, id) : null;
  if (!revision) throw new HttpError(404, 'This article has no such revision.');
  return revision;
}

/** GET /admin/articles/:id/revisions/:revision — what changed between that revision and the current text. */
export async function showRevision(req: Request, res: Response) {
  const article = await loadEditedArticle(req);
  const revision = await loadRevision(req, article);
  const fields = await comparedFields(revision, article);
  await renderPage(res, 200, 'articles/admin/revision', {
    meta: { title: `Revision of “${article.title}”` },
    article: { id: article.id, title: article.title, editHref: editorPath(article.id) },
    revision: {
      id: revision.id,
      savedByName: revision.saved_by_name,
      createdAt: revision.created_at,
      restoreAction: `/admin/articles/${article.id}/revisions/${revision.id}/restore`,
    },
    fields,
    identical: fields.every((field) => !field.changed),
  });
}

/** POST /admin/articles/:id/revisions/:revision/restore — that text becomes the newest revision; the current one stays in the list. */
export async function restoreArticleRevision(req: Request, res: Response) {
  const article = await loadEditedArticle(req);
  const revision = await loadRevision(req, article);
  const { db, now } = contextOf(req);
  const restored = await restoreRevision(db, article.id, revision.id, editorOf(res), new Date(now()));
  if (!restored) throw new HttpError(404, 'This article has no such revision.');
  const { formatDateTime } = namedDateFormatsIn(await siteTimeZone(req));
  const when = formatDateTime(revision.created_at);
  setFlash(req, 'success', `Restored the text ${revision.saved_by_name} saved on ${when}. The text it replaced is kept in the revisions.`);
  res.redirect(303, editorPath(article.id));
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { namedDateFormatsIn } from '../platform/rendering/format.js';
import { rememberedDiscussionSettings } from '../platform/page-cache/index.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { safeNextPath } from '../admin-auth/index.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/index.js';
import type { FlashModel } from '../moderation/index.js';
import { ARTICLE_STATUSES, type ArticleStatus } from './article-queries.js';
import { planArticleMove, type ArticleMove } from './article-status.js';
import { deleteTrashedArticle, findDeletableArticle, moveArticle, type DeletableArticle } from './article-status-queries.js';
import { parseLocalDateTime } from './site-time.js';
import { ARTICLE_LIST_PATH, articleListHref } from './admin-list-handlers.js';
import { outboxDirOf, removeMailFilesAfterCommit } from '../privacy/index.js';

/** Moving an article between draft, scheduled, published and the trash, and deleting it for good from the trash. */

export interface ArticleDeletePageModel {
  meta: PageMeta;
  article: { id: string; title: string; commentCount: number };
  /** Only a trashed article can be deleted; any other is offered the trash first. */
  inTrash: boolean;
  consequence: string;
  deleteAction: string;
  statusAction: string;
  cancelHref: string;
  flash: FlashModel | null;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'articles/admin/delete': ArticleDeletePageModel;
  }
}

const hidden = { _csrf: z.string().max(1000), return_to: z.string().max(2000).optional() };
const statusForm = z.strictObject({ ...hidden, status: z.enum(ARTICLE_STATUSES), publish_at: z.string().max(100).optional() });
const deleteForm = z.strictObject({ _csrf: z.string().max(1000) });
const TRASH_HREF = articleListHref({ view: 'trash' });
const UNREADABLE_TIME = 'Enter the publishing time as a date and a time, like 2026-12-24T09:00.';

/** Our own pages send these forms; anything else is a 400, since a person cannot send it. */
function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, 'The form could not be read. Go back, reload the page and try again.');
  return parsed.data;
}

function articleIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new HttpError(404, 'There is no such article.');
  return id;
}

/** Back to the list view the form came from, or to this article's editor or delete page; the list otherwise. */
function returnPath(id: string, returnTo: string | undefined): string {
  const path = safeNextPath(returnTo);
  const pathname = path.split(/[?#]/, 1)[0];
  const ours = [ARTICLE_LIST_PATH, `/admin/articles/${id}/edit`, `/admin/articles/${id}/delete`];
  return ours.includes(pathname ?? '') ? path : ARTICLE_LIST_PATH;
}

function describeMove(title: string, from: ArticleStatus, move: ArticleMove, formatDateTime: (date: Date) => string): string {
  const named = `“${title}”`;
  switch (move.status) {
    case 'trash':
      return `${named} was moved to the trash. Restore it from the Trash tab if that was a mistake.`;
    case 'draft':
      if (from === 'trash') return `${named} was restored as a draft.`;
      return from === 'draft' ? `${named} is still a draft.` : `${named} is a draft again: readers no longer see it.`;
    case 'published':
      return `${named} is published: readers see it now.`;
    case 'scheduled':
      return `${named} is scheduled to be published ${formatDateTime(move.published_at!)}.`;
  }
}

/** POST /admin/articles/:id/status — moves the article as planArticleMove allows; a refused move changes nothing and says why. */
export async function setArticleStatus(req: Request, res: Response) {
  const id = articleIdOf(req);
  const form = parseForm(statusForm, req.body);
  const back = returnPath(id, form.return_to);
  const { db, memo, now } = contextOf(req);
  const { timeZone } = await rememberedDiscussionSettings(db, memo);
  const typedTime = (form.publish_at ?? '').trim();
  const publishAt = form.status === 'scheduled' && typedTime !== '' ? parseLocalDateTime(typedTime, timeZone) : null;
  const unreadableTime = form.status === 'scheduled' && typedTime !== '' && publishAt === null;
  const at = new Date(now());
  const outcome = await moveArticle(db, id, at, (article) =>
    unreadableTime ? { ok: false, field: 'publish_at', message: UNREADABLE_TIME } : planArticleMove(article, form.status, at, publishAt),
  );
  if (outcome.kind === 'missing') throw new HttpError(404, 'There is no such article: it may have been deleted.');
  if (outcome.kind === 'refused') {
    setFlash(req, 'error', `“${outcome.article.title}” was not changed. ${outcome.message}`);
  } else {
    const { formatDateTime } = namedDateFormatsIn(timeZone);
    setFlash(req, 'success', describeMove(outcome.article.title, outcome.article.status, outcome.move, formatDateTime));
  }
  res.redirect(303, back);
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function consequenceOf(commentCount: number): string {
  if (commentCount === 0) return 'It has no comments. This cannot be undone.';
  return `This also deletes its ${plural(commentCount, 'comment', 'comments')}. This cannot be undone.`;
}

function renderDeletePage(res: Response, status: number, article: DeletableArticle, flash: FlashModel | null) {
  const inTrash = article.status === 'trash';
  return renderPage(res, status, 'articles/admin/delete', {
    meta: { title: inTrash ? `Delete “${article.title}” permanently?` : `Move “${article.title}” to the trash first` },
    article: { id: article.id, title: article.title, commentCount: article.comment_count },
    inTrash,
    consequence: consequenceOf(article.comment_count),
    deleteAction: `/admin/articles/${article.id}/delete`,
    statusAction: `/admin/articles/${article.id}/status`,
    cancelHref: inTrash ? TRASH_HREF : ARTICLE_LIST_PATH,
    flash,
  });
}

async function deletableArticle(req: Request, id: string): Promise<DeletableArticle> {
  const article = await findDeletableArticle(contextOf(req).db, id);
  if (!article) throw new HttpError(404, 'There is no such article: it may have been deleted already.');
  return article;
}

/** GET /admin/articles/:id/delete — asks before deleting, naming the comments that go with it; 409 while it is not in the trash. */
export async function confirmArticleDelete(req: Request, res: Response) {
  const article = await deletableArticle(req, articleIdOf(req));
  await renderDeletePage(res, article.status === 'trash' ? 200 : 409, article, takeFlash(req));
}

/** POST /admin/articles/:id/delete — deletes a trashed article and its comments for good; 409 (nothing changed) for any other. */
export async function deleteArticle(req: Request, res: Response) {
  const id = articleIdOf(req);
  parseForm(deleteForm, req.body);
  const admin = signedInAdmin(res);
  const { db, now } = contextOf(req);
  const outcome = await deleteTrashedArticle(db, id, { id: admin.id, name: admin.displayName }, new Date(now()));
  if (outcome.kind === 'missing') throw new HttpError(404, 'There is no such article: it may have been deleted already.');
  if (outcome.kind === 'not-in-trash') {
    await loadAdminChrome(req, res);
    const article = await deletableArticle(req, id);
    const flash: FlashModel = { tone: 'error', message: 'Nothing was deleted: move the article to the trash first.', undoToken: null };
    return renderDeletePage(res, 409, article, flash);
  }
  await removeMailFilesAfterCommit(outboxDirOf(contextOf(req).config.dataDir), outcome.forgottenMail);
  const withComments = outcome.comments === 0 ? '' : `, with its ${plural(outcome.comments, 'comment', 'comments')}`;
  setFlash(req, 'success', `“${outcome.article.title}” was deleted permanently${withComments}.`);
  res.redirect(303, TRASH_HREF);
}

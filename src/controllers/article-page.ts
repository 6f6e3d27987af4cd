import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { contextOf } from '../context.js';
import type { Database } from '../db/connection.js';
import { HttpError } from '../http-error.js';
import { findPublishedArticleBySlug, type ArticleRow } from '../queries/articles.js';
import { listVisibleComments } from '../queries/comments.js';
import type { CommentFormValues, FieldErrors } from '../services/comment-form.js';
import { parsePendingIds, PENDING_COOKIE, rememberedCommenter } from '../services/commenter-cookies.js';
import { secondsSinceStamp, stampForm } from '../services/signed-tokens.js';
import { paragraphsOf, readingBarLabel, readingMinutes } from '../services/reading.js';
import { threadComments } from '../services/threading.js';
import { withinEditWindow } from '../services/self-service.js';
import { loadDiscussionSettings } from '../queries/settings.js';
import { areCommentsOpen } from '../services/comments.js';
import type { ArticlePageModel, CommentFormModel, ShownComment } from '../rendering/models.js';

const FIELD_ORDER = ['form', 'comment', 'author', 'email', 'url', 'parent_id'] as const;

export const articlePath = (slug: string) => `/articles/${slug}`;

export async function loadPublishedArticle(db: Database, slug: string): Promise<ArticleRow> {
  const article = await findPublishedArticleBySlug(db, slug);
  if (!article) throw new HttpError(404, 'There is no article at this address.');
  return article;
}

/** The form as a reader first sees it: prefilled only from their own remember-me cookies. */
export function blankFormValues(req: Request): CommentFormValues {
  const remembered = rememberedCommenter(req.cookies ?? {});
  const { cookieSecret, now } = contextOf(req);
  return {
    comment: '',
    author: remembered?.author ?? '',
    email: remembered?.email ?? '',
    url: remembered?.url ?? '',
    remember: remembered !== null,
    parent_id: '',
    submission_id: randomUUID(),
    rendered_at: stampForm(cookieSecret, now()),
    notify_replies: false,
    notify_approval: false,
  };
}

export interface FormState {
  values: CommentFormValues;
  errors?: FieldErrors;
  notice?: string | null;
  replyToId?: string | null;
}

export async function buildArticlePage(
  req: Request,
  db: Database,
  article: ArticleRow,
  state: FormState,
): Promise<ArticlePageModel> {
  const ownPending = new Set(parsePendingIds(req.signedCookies?.[PENDING_COOKIE]));
  const [rows, settings] = await Promise.all([
    listVisibleComments(db, article.id, [...ownPending]),
    loadDiscussionSettings(db),
  ]);
  const nowMs = contextOf(req).now();
  const shown: ShownComment[] = rows.map((row) => ({
    ...row,
    awaitingModeration: row.status !== 'approved',
    editHref: ownPending.has(row.id) && withinEditWindow(row.created_at, nowMs) ? `/comments/${row.id}/edit` : null,
  }));
  const replyTarget = shown.find((comment) => comment.id === state.replyToId && !comment.awaitingModeration);
  const errors = state.errors ?? {};
  const path = articlePath(article.slug);
  const { cookieSecret, now } = contextOf(req);
  const stampIsGood = secondsSinceStamp(cookieSecret, state.values.rendered_at, now()) !== null;
  const form: CommentFormModel = {
    action: `${path}/comments`,
    values: {
      ...state.values,
      parent_id: replyTarget?.id ?? '',
      rendered_at: stampIsGood ? state.values.rendered_at : stampForm(cookieSecret, now()),
    },
    errors,
    errorSummary: FIELD_ORDER.filter((field) => errors[field]).map((field) => ({
      field,
      message: errors[field]!,
    })),
    replyTo: replyTarget ? { id: replyTarget.id, authorName: replyTarget.author_name } : null,
    open: areCommentsOpen(article, settings, now()),
    requireNameAndEmail: settings.requireNameAndEmail,
    notice: state.notice ?? null,
  };
  const paragraphs = paragraphsOf(article.body);
  return {
    meta: {
      title: article.title,
      description: paragraphs[0]?.slice(0, 200),
      canonicalPath: path,
      bodyClass: 'article-page',
    },
    article: {
      slug: article.slug,
      path,
      title: article.title,
      authorName: article.author_name,
      publishedAt: article.published_at ?? article.created_at,
      paragraphs,
      figureCaption: article.figure_caption,
      figureAfterParagraph: article.figure_after_paragraph,
      readingBarLabel: readingBarLabel(article),
      readingMinutes: readingMinutes(article.body),
    },
    thread: threadComments(shown, settings.threadDepth),
    approvedCount: shown.filter((comment) => !comment.awaitingModeration).length,
    maxDepth: settings.threadDepth,
    form,
  };
}

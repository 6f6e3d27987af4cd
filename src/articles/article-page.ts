import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { contextOf } from '../platform/context.js';
import type { Database } from '../platform/db/connection.js';
import { HttpError } from '../platform/http-error.js';
import { findPublishedArticleByFormerSlug, findPublishedArticleBySlug, type ArticleRow } from './article-queries.js';
import { listRemovedParents, listVisibleComments } from '../comments/index.js';
import type { CommentFormValues, FieldErrors } from '../comments/index.js';
import { parsePendingIds, PENDING_COOKIE, rememberedCommenter } from '../comments/index.js';
import { isExpiredStamp, secondsSinceStamp, stampForm } from '../platform/signed-tokens.js';
import { readingBarLabel, readingMinutes } from './reading.js';
import { renderedBodyOf } from './stored-bodies.js';
import { splitAfterBlock } from './article-body.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { areCommentsOpen } from '../comments/index.js';
import { commentLocations, commentsIn } from '../comments/index.js';
import type { DiscussionSettings } from '../settings/index.js';
import { absoluteImageUrl, articleSocialMeta, articleStructuredData, encodeJsonLd, type ArticleFacts } from './structured-data.js';
import type {
  ArticleFigure,
  ArticlePageModel,
  CommentFormModel,
  FigureMedia,
  PageMeta,
  ShownComment,
} from '../platform/rendering/models.js';
import { addAvatars, readDiscussion, type DiscussionPage } from './article-discussion.js';
import { rememberedPublishedArticle, type ChangeFollowedMemo } from '../platform/page-cache/index.js';
import { SLUG_PATTERN } from '../platform/http/route-patterns.js';
import { lookUpMedia, type MediaLookup } from '../media/index.js';
import { listTagsOfArticles } from '../tags/index.js';
import { tagLinksOf } from '../tags/index.js';

/** The shape of the hidden submission id: anything else sent back is replaced, never echoed. */
const SUBMISSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const FIELD_ORDER = ['form', 'comment', 'author', 'email', 'url', 'parent_id'] as const;

export const articlePath = (slug: string) => `/articles/${slug}`;

/** As the site header says it. */
const SITE_TAGLINE = 'Reporting and analysis, with a conversation underneath';

/** What the site calls itself in feeds, link previews and structured data. */
export function siteOf(req: Request) {
  const name: unknown = req.app.locals.siteName;
  return {
    name: typeof name === 'string' ? name : 'Broadsheet',
    tagline: SITE_TAGLINE,
    baseUrl: contextOf(req).config.baseUrl,
  };
}

/** The published article at `slug`, or a 404; through `memo` when given (see remembered-lookups). */
export async function loadPublishedArticle(db: Database, slug: string, memo?: ChangeFollowedMemo): Promise<ArticleRow> {
  const find = () => (memo ? rememberedPublishedArticle(db, memo, slug) : findPublishedArticleBySlug(db, slug));
  // The schema's rule for slugs: anything else names no article, and need not reach the database.
  const article = SLUG_PATTERN.test(slug) ? await find() : undefined;
  if (!article) throw new HttpError(404, 'There is no article at this address.');
  return article;
}

/**
 * Where a page of an article now lives when `slug` is one the article had
 * before (links and bookmarks outlive a renamed slug); null when no
 * published article had it. `pathOf` gives the page's path for a slug.
 */
export async function movedArticleLocation(req: Request, slug: string, pathOf: (slug: string) => string): Promise<string | null> {
  if (!SLUG_PATTERN.test(slug)) return null;
  const article = await findPublishedArticleByFormerSlug(contextOf(req).db, slug);
  if (!article) return null;
  const query = req.originalUrl.indexOf('?');
  return `${pathOf(article.slug)}${query === -1 ? '' : req.originalUrl.slice(query)}`;
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

/**
 * Where a commenter reads their own comment: the comment page holding it (as
 * they see the discussion, their held comments included) plus
 * `#comment-<id>`. Without comment pages, the article itself; so too when
 * the article's approved comments (`approvedOnArticle`, when known), this
 * one included, fit on one page: then there is nothing to read.
 */
export async function ownCommentLocation(
  db: Database,
  article: ArticleRow,
  settings: DiscussionSettings,
  ownIds: readonly string[],
  commentId: string,
  approvedOnArticle?: number,
): Promise<string> {
  const path = articlePath(article.slug);
  const onArticle = `${path}#comment-${commentId}`;
  if (!settings.paginateComments) return onArticle;
  if (approvedOnArticle !== undefined && approvedOnArticle + 1 <= settings.commentsPerPage) return onArticle;
  const visible = await listVisibleComments(db, article.id, ownIds);
  const counts = (comment: { status: string }) => comment.status === 'approved';
  const removedParents = await listRemovedParents(db, article.id, visible);
  return commentLocations(visible, settings, path, counts, removedParents).get(commentId) ?? onArticle;
}

export interface FormState {
  values: CommentFormValues;
  errors?: FieldErrors;
  notice?: string | null;
  replyToId?: string | null;
}

export interface PageChoice {
  /** The comment page asked for in the URL; null: the one readers land on. */
  commentPage?: number | null;
  /** The discussion settings, when the caller has read them already. */
  settings?: DiscussionSettings;
  /** Staff previewing it: the banner's words; no comment form, nothing for search engines. */
  preview?: string;
}

export async function buildArticlePage(
  req: Request,
  db: Database,
  article: ArticleRow,
  state: FormState,
  choice: PageChoice = {},
): Promise<ArticlePageModel> {
  const ownPending = new Set(parsePendingIds(req.signedCookies?.[PENDING_COOKIE]));
  const settings = choice.settings ?? (await loadDiscussionSettings(db));
  const { cookieSecret, now } = contextOf(req);
  const path = articlePath(article.slug);
  const { shown, discussion } = await readDiscussion(db, article.id, ownPending, settings, {
    requested: choice.commentPage ?? null,
    path,
    nowMs: now(),
    replyToId: state.replyToId ?? null,
  });
  const onThisPage = discussion.roots.flatMap((root) => commentsIn(root));
  if (settings.showAvatars) await addAvatars(db, cookieSecret, onThisPage, settings.avatarSource);
  const replyTarget = shown.find((comment) => comment.id === state.replyToId && !comment.awaitingModeration);
  const errors = state.errors ?? {};
  // A refused form keeps its own stamp (the time it was first shown) while that is good; an expired one gets a fresh stamp.
  const shownSeconds = secondsSinceStamp(cookieSecret, state.values.rendered_at, now());
  const stampIsGood = shownSeconds !== null && !isExpiredStamp(shownSeconds);
  const form: CommentFormModel = {
    action: `${path}/comments`,
    values: {
      ...state.values,
      parent_id: replyTarget?.id ?? '',
      submission_id: SUBMISSION_ID.test(state.values.submission_id) ? state.values.submission_id : randomUUID(),
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
    gravatarNote: settings.showAvatars && settings.avatarSource === 'gravatar',
    notice: state.notice ?? null,
  };
  const body = renderedBodyOf(article);
  const [media, tags] = await Promise.all([
    lookUpMedia(db, uploadsAmong([article.figure_image])),
    listTagsOfArticles(db, [article.id]).then((byArticle) => tagLinksOf(byArticle.get(article.id) ?? [])),
  ]);
  const figure = figureOf(article, media);
  const [bodyBeforeFigure, bodyAfterFigure] = figure ? splitAfterBlock(body.html, figure.afterParagraph) : [body.html, ''];
  const minutes = readingMinutes(body.wordCount);
  const approvedCount = shown.filter((comment) => !comment.awaitingModeration).length;
  const meta = articleHeadMeta(req, article, {
    description: body.summary.slice(0, 200),
    discussion,
    approvedCount,
    approvedOnPage: onThisPage.filter((comment) => !comment.awaitingModeration),
    keywords: tags.map((tag) => tag.name),
  });
  return {
    // A preview is no page of the site yet: nothing in it speaks to search engines or link previews.
    meta: choice.preview ? { title: meta.title, description: meta.description, bodyClass: meta.bodyClass } : meta,
    article: {
      slug: article.slug,
      path,
      title: article.title,
      authorName: article.author_name,
      publishedAt: article.published_at ?? article.created_at,
      bodyBeforeFigure,
      bodyAfterFigure,
      figure,
      readingBarLabel: readingBarLabel(article.title, article.author_name, minutes),
      readingMinutes: minutes,
      tags,
    },
    preview: choice.preview ?? null,
    thread: discussion.roots,
    pagePath: discussion.pagePath,
    commentPages: discussion.pages,
    approvedCount,
    maxDepth: settings.threadDepth,
    form,
  };
}

/** The article's figure, if it has an image or a caption; one placed past the end follows the last block. */
function figureOf(article: ArticleRow, media: MediaLookup): ArticleFigure | null {
  if (!article.figure_image && !article.figure_caption) return null;
  return {
    image: article.figure_image,
    alt: article.figure_alt ?? '',
    caption: article.figure_caption,
    afterParagraph: Math.max(1, article.figure_after_paragraph),
    media: figureMediaOf(article.figure_image, media),
  };
}

/** The uploaded images among figure images: only the media library knows anything of them. */
export const uploadsAmong = (images: ReadonlyArray<string | null>): string[] =>
  images.filter((image): image is string => image !== null && image.startsWith('/media/'));

/** An uploaded image's size and widths, when the media library knows them; a bundled image's the page reads itself. */
export function figureMediaOf(image: string | null, media: MediaLookup): FigureMedia | null {
  const found = image ? media.get(image) : undefined;
  return found ? { width: found.width, height: found.height, srcset: found.srcset } : null;
}

interface HeadFacts {
  description: string;
  discussion: DiscussionPage;
  approvedCount: number;
  approvedOnPage: ShownComment[];
  /** The article's tag names. */
  keywords: string[];
}

/**
 * The article page's <head>: canonical link, comments feed, link-preview tags
 * and JSON-LD. Only approved comments appear, so it is the same for every
 * anonymous reader and may be cached with the page.
 */
function articleHeadMeta(req: Request, article: ArticleRow, facts: HeadFacts): PageMeta {
  const site = siteOf(req);
  const { discussion } = facts;
  const url = `${site.baseUrl}${discussion.pagePath}`;
  const publishedAt = article.published_at ?? article.created_at;
  const structured: ArticleFacts = {
    url,
    siteName: site.name,
    headline: article.title,
    description: facts.description,
    authorName: article.author_name,
    image: absoluteImageUrl(article.figure_image, site.baseUrl),
    publishedAt,
    modifiedAt: article.updated_at > publishedAt ? article.updated_at : publishedAt,
    keywords: facts.keywords,
    commentCount: facts.approvedCount,
    comments: facts.approvedOnPage.map((comment) => ({
      url: `${url}#comment-${comment.id}`,
      authorName: comment.author_name,
      createdAt: comment.created_at,
      text: comment.body,
    })),
  };
  const pages = discussion.pages;
  const laterPage = pages && discussion.pagePath !== articlePath(article.slug) ? ` – comments page ${pages.page}` : '';
  return {
    title: `${article.title}${laterPage}`,
    description: facts.description || undefined,
    canonicalPath: discussion.pagePath,
    bodyClass: 'article-page',
    feeds: [
      { title: `${site.name} » ${article.title} Comments Feed`, href: `${site.baseUrl}${articlePath(article.slug)}/comments/feed.xml` },
    ],
    socialMeta: articleSocialMeta(structured),
    structuredData: encodeJsonLd(articleStructuredData(structured)),
  };
}

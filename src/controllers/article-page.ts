import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { contextOf } from '../context.js';
import type { Database } from '../db/connection.js';
import { HttpError } from '../http-error.js';
import { findPublishedArticleBySlug, type ArticleRow } from '../queries/articles.js';
import {
  listVisibleCommentOutlines,
  listVisibleComments,
  listVisibleCommentsById,
  type CommentOutline,
  type PublicCommentRow,
} from '../queries/comments.js';
import type { CommentFormValues, FieldErrors } from '../services/comment-form.js';
import { parsePendingIds, PENDING_COOKIE, rememberedCommenter } from '../services/commenter-cookies.js';
import { secondsSinceStamp, stampForm } from '../services/signed-tokens.js';
import { paragraphsOf, readingBarLabel, readingMinutes } from '../services/reading.js';
import { threadComments } from '../services/threading.js';
import { withinEditWindow } from '../services/self-service.js';
import { loadDiscussionSettings } from '../queries/settings.js';
import { listCommentEmails } from '../queries/comment-emails.js';
import { areCommentsOpen } from '../services/comments.js';
import { commentLocations, commentPagePath, commentsIn, selectCommentPage } from '../services/comment-pages.js';
import type { AvatarSource, DiscussionSettings } from '../services/discussion-settings.js';
import { avatarHash, avatarPath, gravatarUrl } from '../services/identicon.js';
import { articleSocialMeta, articleStructuredData, encodeJsonLd, type ArticleFacts } from '../services/structured-data.js';
import type { ThreadNode } from '../services/threading.js';
import type { ArticleFigure, ArticlePageModel, CommentFormModel, CommentPagesModel, PageMeta, ShownComment } from '../rendering/models.js';

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

/** The schema's rule for slugs: anything else names no article, and need not reach the database. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export async function loadPublishedArticle(db: Database, slug: string): Promise<ArticleRow> {
  const article = SLUG.test(slug) ? await findPublishedArticleBySlug(db, slug) : undefined;
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

/**
 * Where a commenter reads their own comment: the comment page holding it (as
 * they see the discussion, their held comments included) plus
 * `#comment-<id>`. Without comment pages, the article itself.
 */
export async function ownCommentLocation(
  db: Database,
  article: ArticleRow,
  settings: DiscussionSettings,
  ownIds: readonly string[],
  commentId: string,
): Promise<string> {
  const path = articlePath(article.slug);
  const onArticle = `${path}#comment-${commentId}`;
  if (!settings.paginateComments) return onArticle;
  const visible = await listVisibleComments(db, article.id, ownIds);
  const counts = (comment: { status: string }) => comment.status === 'approved';
  return commentLocations(visible, settings, path, counts).get(commentId) ?? onArticle;
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
}

interface DiscussionPage {
  roots: ThreadNode<ShownComment>[];
  pagePath: string;
  pages: CommentPagesModel | null;
}

/** The threads of one comment page (all of them when comments are not paginated); 404 past the last page. */
function pageOfDiscussion(shown: ShownComment[], settings: DiscussionSettings, requested: number | null, path: string): DiscussionPage {
  const roots = threadComments(shown, settings.threadDepth);
  if (!settings.paginateComments) return { roots, pagePath: path, pages: null };
  const selected = selectCommentPage(roots, (comment) => !comment.awaitingModeration, requested, settings);
  if (!selected) throw new HttpError(404, 'There is no such page of comments.');
  const { page, pageCount, defaultPage } = selected;
  const pathOf = (number: number) => commentPagePath(path, number, defaultPage);
  return {
    roots: selected.roots,
    pagePath: pathOf(page),
    pages: {
      page,
      pageCount,
      olderHref: page > 1 ? `${pathOf(page - 1)}#comments` : null,
      newerHref: page < pageCount ? `${pathOf(page + 1)}#comments` : null,
    },
  };
}

interface DiscussionRequest {
  requested: number | null;
  path: string;
  nowMs: number;
  replyToId: string | null;
}

type CommentText = Pick<PublicCommentRow, 'author_name' | 'author_url' | 'body' | 'is_site_reply'>;

/** Placeholders for what an outline does not read; only comments never shown keep them. */
const UNREAD_TEXT: CommentText = { author_name: '', author_url: '', body: '', is_site_reply: false };

/**
 * Every comment the reader may see, and the page of them shown. With comment
 * pages only an outline of each comment is read (enough to cut the pages),
 * then the text of those on the page shown and of the one replied to: a long
 * discussion is not read in full for every page of it. Should one of those
 * have gone in between, it is all read again in full.
 */
async function readDiscussion(
  db: Database,
  articleId: string,
  ownPending: ReadonlySet<string>,
  settings: DiscussionSettings,
  request: DiscussionRequest,
): Promise<{ shown: ShownComment[]; discussion: DiscussionPage }> {
  const ownIds = [...ownPending];
  // Built field by field: spreading thousands of driver rows costs more than reading them.
  const shownFrom = <Row extends CommentOutline>(rows: readonly Row[], text: (row: Row) => CommentText): ShownComment[] =>
    rows.map((row) => {
      const { author_name, author_url, body, is_site_reply } = text(row);
      return {
        id: row.id,
        parent_id: row.parent_id,
        status: row.status,
        created_at: row.created_at,
        author_name,
        author_url,
        body,
        is_site_reply,
        awaitingModeration: row.status !== 'approved',
        editHref: ownPending.has(row.id) && withinEditWindow(row.created_at, request.nowMs) ? `/comments/${row.id}/edit` : null,
        avatarHref: null,
      };
    });
  const inFull = async () => {
    const rows = await listVisibleComments(db, articleId, ownIds);
    const shown = shownFrom(rows, (row) => row);
    return { shown, discussion: pageOfDiscussion(shown, settings, request.requested, request.path) };
  };
  if (!settings.paginateComments) return inFull();
  const outlines = await listVisibleCommentOutlines(db, articleId, ownIds);
  const shown = shownFrom(outlines, () => UNREAD_TEXT);
  const discussion = pageOfDiscussion(shown, settings, request.requested, request.path);
  const wanted = discussion.roots.flatMap((root) => commentsIn(root));
  const replyTarget = shown.find((comment) => comment.id === request.replyToId);
  if (replyTarget) wanted.push(replyTarget);
  const texts = new Map(
    (await listVisibleCommentsById(db, articleId, ownIds, wanted.map((comment) => comment.id))).map((row) => [row.id, row]),
  );
  if (wanted.some((comment) => !texts.has(comment.id))) return inFull();
  for (const comment of wanted) {
    const { author_name, author_url, body, is_site_reply } = texts.get(comment.id)!;
    Object.assign(comment, { author_name, author_url, body, is_site_reply });
  }
  return { shown, discussion };
}

/** Avatars are shown 48 px square; Gravatar is asked for twice that, for high-density screens. */
const GRAVATAR_SIZE = 96;

/**
 * Gives each shown comment its avatar: the site's identicon, or Gravatar's
 * when the settings choose it (and the comment has an email to look up).
 * The emails stay here; a page only ever carries a hash of one.
 */
async function addAvatars(db: Database, secret: string, comments: ShownComment[], source: AvatarSource) {
  const emails = await listCommentEmails(db, comments.map((comment) => comment.id));
  for (const comment of comments) {
    const email = emails.get(comment.id) ?? '';
    comment.avatarHref =
      source === 'gravatar' && email.trim() !== '' ? gravatarUrl(email, GRAVATAR_SIZE) : avatarPath(avatarHash(secret, email));
  }
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
    gravatarNote: settings.showAvatars && settings.avatarSource === 'gravatar',
    notice: state.notice ?? null,
  };
  const paragraphs = paragraphsOf(article.body);
  const approvedCount = shown.filter((comment) => !comment.awaitingModeration).length;
  return {
    meta: articleHeadMeta(req, article, {
      description: paragraphs[0]?.slice(0, 200) ?? '',
      discussion,
      approvedCount,
      approvedOnPage: onThisPage.filter((comment) => !comment.awaitingModeration),
    }),
    article: {
      slug: article.slug,
      path,
      title: article.title,
      authorName: article.author_name,
      publishedAt: article.published_at ?? article.created_at,
      paragraphs,
      figure: figureOf(article, paragraphs.length),
      readingBarLabel: readingBarLabel(article),
      readingMinutes: readingMinutes(article.body),
    },
    thread: discussion.roots,
    pagePath: discussion.pagePath,
    commentPages: discussion.pages,
    approvedCount,
    maxDepth: settings.threadDepth,
    form,
  };
}

/** The article's figure, if it has an image or a caption; one placed past the end follows the last paragraph. */
function figureOf(article: ArticleRow, paragraphCount: number): ArticleFigure | null {
  if (!article.figure_image && !article.figure_caption) return null;
  return {
    image: article.figure_image,
    alt: article.figure_alt ?? '',
    caption: article.figure_caption,
    afterParagraph: Math.max(1, Math.min(article.figure_after_paragraph, paragraphCount)),
  };
}

interface HeadFacts {
  description: string;
  discussion: DiscussionPage;
  approvedCount: number;
  approvedOnPage: ShownComment[];
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
    publishedAt,
    modifiedAt: article.updated_at > publishedAt ? article.updated_at : publishedAt,
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

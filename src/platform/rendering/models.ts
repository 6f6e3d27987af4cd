import type { CommentFormValues, FieldErrors } from '../../comments/index.js';
import type { ThreadNode } from '../../comments/index.js';
import type { PublicCommentRow } from '../../comments/index.js';
import type { AdminPageModels } from '../../moderation/index.js';
import type { SocialMetaTag } from '../../articles/index.js';

export interface PageMeta {
  title: string;
  description?: string;
  canonicalPath?: string;
  /** Shown as the site's reading bar on an article page. */
  bodyClass?: string;
  /** Atom feeds of this page, besides the site's own (which every page links). */
  feeds?: Array<{ title: string; href: string }>;
  /** OpenGraph and Twitter card tags, in order. */
  socialMeta?: SocialMetaTag[];
  /** JSON-LD already made safe by encodeJsonLd for a script element. */
  structuredData?: string;
  /** The neighbouring pages of a paged list (paths on this site), as <link rel="prev"/"next">. */
  pageLinks?: { prev: string | null; next: string | null };
}

export interface ShownComment extends PublicCommentRow {
  awaitingModeration: boolean;
  /** Set on the viewer's own comment while it may still be edited. */
  editHref: string | null;
  /** The commenter's avatar (the site's identicon, or Gravatar's when chosen), when the settings show avatars. */
  avatarHref: string | null;
  /** The text as renderCommentText made it: sanitised HTML. Only comments on the page shown get it. */
  bodyHtml: string;
}

export interface CommentFormModel {
  action: string;
  values: CommentFormValues;
  errors: FieldErrors;
  errorSummary: Array<{ field: string; message: string }>;
  replyTo: { id: string; authorName: string } | null;
  open: boolean;
  requireNameAndEmail: boolean;
  /** Gravatar avatars are on: the form tells commenters what is sent there. */
  gravatarNote: boolean;
  /** A refusal that is about the whole form, not one field. */
  notice: string | null;
}

export interface CommentPagesModel {
  page: number;
  pageCount: number;
  /** Links to the neighbouring pages, ending in #comments; null at either end. */
  olderHref: string | null;
  newerHref: string | null;
}

export interface ArticleFigure {
  /** A bundled path under /images/ (linked through assetPath) or an upload under /media/; null: a caption alone. */
  image: string | null;
  alt: string;
  caption: string | null;
  /** Shown after this top-level block of the body (1 = the first paragraph or heading). */
  afterParagraph: number;
  /** An upload's size and widths, when the media library knows it (a bundled image's come from assetSize). */
  media?: FigureMedia | null;
}

export interface FigureMedia {
  width: number;
  height: number;
  /** '' when the upload is served at one width only. */
  srcset: string;
}

/** A tag as pages link it. */
export interface TagLink {
  name: string;
  path: string;
}

export interface ArticlePageModel {
  meta: PageMeta;
  article: {
    slug: string;
    path: string;
    title: string;
    authorName: string;
    publishedAt: Date;
    /** The sanitised body (renderArticleBody's output), split where the figure stands. */
    bodyBeforeFigure: string;
    bodyAfterFigure: string;
    /** Null when the article has neither an image nor a caption. */
    figure: ArticleFigure | null;
    readingBarLabel: string;
    readingMinutes: number;
    tags: TagLink[];
  };
  /** Staff reading an article that may not be public: the banner's words (and no comment form); null for readers. */
  preview: string | null;
  /** The threads on this page of the discussion, in the order shown. */
  thread: ThreadNode<ShownComment>[];
  /** Where this page of the discussion lives; links to its comments start here. */
  pagePath: string;
  /** Set when the discussion is split into pages. */
  commentPages: CommentPagesModel | null;
  /** Every approved comment of the article, on all pages. */
  approvedCount: number;
  maxDepth: number;
  form: CommentFormModel;
}

/** One article in a list of them (the home page, a tag's page). */
export interface ArticleSummary {
  path: string;
  title: string;
  authorName: string;
  publishedAt: Date;
  excerpt: string;
  readingMinutes: number;
  approvedCommentCount: number;
  figure: Pick<ArticleFigure, 'image' | 'alt' | 'media'> | null;
  tags: TagLink[];
}

/** Where a paged list of articles goes on; null at either end. */
export interface ArticleListPages {
  page: number;
  pageCount: number;
  newerHref: string | null;
  olderHref: string | null;
}

export interface HomePageModel {
  meta: PageMeta;
  articles: ArticleSummary[];
  pages: ArticleListPages;
}

export interface ErrorPageModel {
  meta: PageMeta;
  status: number;
  heading: string;
  message: string;
  requestId: string | null;
}

export interface AdminLoginPageModel {
  meta: PageMeta;
  username: string;
  next: string;
  error: string | null;
  notice: string | null;
  csrfToken: string;
}

export interface CommentEditPageModel {
  meta: PageMeta;
  commentId: string;
  article: { title: string; path: string };
  values: { comment: string; author: string; email: string; url: string };
  errors: FieldErrors;
  errorSummary: Array<{ field: string; message: string }>;
  token: string;
  minutesLeft: number;
}

export interface UnsubscribePageModel {
  meta: PageMeta;
  email: string;
  token: string;
  done: boolean;
}

export interface CommentRetryPageModel {
  meta: PageMeta;
  form: CommentFormModel;
  articlePath: string;
}

export interface PageModels extends AdminPageModels {
  'comments/comment-retry': CommentRetryPageModel;
  'comments/comment-edit': CommentEditPageModel;
  'mail/unsubscribe': UnsubscribePageModel;
  'articles/article': ArticlePageModel;
  'articles/home': HomePageModel;
  'platform/error': ErrorPageModel;
  'admin-auth/admin/login': AdminLoginPageModel;
}

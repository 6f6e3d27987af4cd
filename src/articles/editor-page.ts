import { uploadLimitText } from '../media/index.js';
import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { loadAdminChrome } from '../moderation/index.js';
import { ownerScope } from '../people/index.js';
import type { FlashModel } from '../moderation/index.js';
import type { ArticleFormat, ArticleRow, ArticleStatus } from './article-queries.js';
import { STATUS_LABELS } from './article-status.js';
import {
  AUTHOR_NAME_MAX,
  EXCERPT_MAX,
  FIGURE_AFTER_MAX,
  FIGURE_TEXT_MAX,
  SLUG_MAX,
  TITLE_MAX,
  type EditorAction,
  type EditorErrors,
  type EditorValues,
} from './editor-form.js';
import { listArticleTagNames, listAuthorAccounts } from './editor-queries.js';
import { countRevisions, listRevisions, type RevisionRow } from './revision-queries.js';
import { formatTagNames } from './tag-names.js';
import { formatLocalDateTime } from './site-time.js';

/** The editor page: its model, and the one function every editor answer renders it with. */

const REVISIONS_SHOWN = 50;
const FIELD_ORDER = [
  'form',
  'title',
  'slug',
  'body',
  'file',
  'excerpt',
  'action',
  'publish_at',
  'tags',
  'author_name',
  'author_id',
  'figure_image',
  'figure_alt',
  'figure_caption',
  'figure_after',
] as const;

export interface EditorArticle {
  id: string;
  status: ArticleStatus;
  statusLabel: string;
  publishedAt: Date | null;
  trashedAt: Date | null;
  bodyFormat: ArticleFormat;
  /** Where readers find it; null while they cannot. */
  publicPath: string | null;
  previewPath: string;
  statusAction: string;
}

export interface EditorPageModel {
  meta: PageMeta;
  formAction: string;
  article: EditorArticle | null;
  values: EditorValues;
  errors: EditorErrors;
  errorSummary: Array<{ field: string; message: string }>;
  flash: FlashModel | null;
  /** Right after a save: the script forgets its copy of the typed text. */
  justSaved: boolean;
  timeZone: string;
  accounts: Array<{ id: string; name: string }>;
  /** The status box's buttons, the first the form's default. */
  actions: Array<{ value: EditorAction; label: string }>;
  canSchedule: boolean;
  revisions: {
    rows: Array<{ id: string; savedByName: string; createdAt: Date; href: string; restoreAction: string; current: boolean }>;
    total: number;
  };
  /** The version someone else saved while this form was open (409). */
  conflict: { savedByName: string; savedAt: Date; title: string; body: string; excerpt: string; version: number } | null;
  autosave: { savedAt: Date; restoreHref: string } | null;
  notice: string | null;
  upload: { url: string; markdown: string } | null;
  /** Beside the upload control: the types taken and the size limit. */
  uploadHint: string;
  limits: Record<'title' | 'slug' | 'excerpt' | 'authorName' | 'figureText' | 'figureAfter', number>;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'articles/admin/editor': EditorPageModel;
  }
}

/** What the caller knows; the rest (accounts, revisions, the zone) is read here. */
export interface EditorState {
  article: ArticleRow | null;
  values: EditorValues;
  errors?: EditorErrors;
  flash?: FlashModel | null;
  conflict?: EditorPageModel['conflict'];
  autosave?: RevisionRow | null;
  notice?: string | null;
  upload?: EditorPageModel['upload'];
}

export const editorPath = (id: string) => `/admin/articles/${id}/edit`;

function actionsFor(status: ArticleStatus | null): EditorPageModel['actions'] {
  switch (status) {
    case null:
    case 'draft':
      return [
        { value: 'save', label: 'Save draft' },
        { value: 'publish', label: 'Publish' },
      ];
    case 'scheduled':
      return [
        { value: 'save', label: 'Update' },
        { value: 'publish', label: 'Publish now' },
        { value: 'unpublish', label: 'Back to drafts' },
      ];
    case 'published':
      return [
        { value: 'save', label: 'Update' },
        { value: 'unpublish', label: 'Unpublish' },
      ];
    case 'trash':
      return [
        { value: 'save', label: 'Save' },
        { value: 'unpublish', label: 'Restore to drafts' },
      ];
  }
}

function editorArticleOf(article: ArticleRow): EditorArticle {
  return {
    id: article.id,
    status: article.status,
    statusLabel: STATUS_LABELS[article.status],
    publishedAt: article.published_at,
    trashedAt: article.trashed_at,
    bodyFormat: article.body_format,
    publicPath: article.status === 'published' ? `/articles/${article.slug}` : null,
    previewPath: `/admin/articles/${article.id}/preview`,
    statusAction: `/admin/articles/${article.id}/status`,
  };
}

async function revisionsOf(req: Request, article: ArticleRow): Promise<EditorPageModel['revisions']> {
  const { db } = contextOf(req);
  const [rows, total] = await Promise.all([listRevisions(db, article.id, REVISIONS_SHOWN), countRevisions(db, article.id)]);
  return {
    total,
    rows: rows.map((row, index) => ({
      id: row.id,
      savedByName: row.saved_by_name,
      createdAt: row.created_at,
      href: `/admin/articles/${article.id}/revisions/${row.id}`,
      restoreAction: `/admin/articles/${article.id}/revisions/${row.id}/restore`,
      // The newest revision is the current text, unless the article changed outside the editor since.
      current: index === 0 && row.matches_article,
    })),
  };
}

/** The form as the article stands. */
export async function valuesFromArticle(req: Request, article: ArticleRow, timeZone: string): Promise<EditorValues> {
  const tags = await listArticleTagNames(contextOf(req).db, article.id);
  return {
    title: article.title,
    slug: article.slug,
    body: article.body,
    excerpt: article.excerpt ?? '',
    tags: formatTagNames(tags),
    author_name: article.author_name,
    author_id: article.author_id ?? '',
    comments_open: article.comments_open,
    figure_image: article.figure_image ?? '',
    figure_alt: article.figure_alt ?? '',
    figure_caption: article.figure_caption ?? '',
    figure_after: String(article.figure_after_paragraph),
    publish_at: article.status === 'scheduled' && article.published_at ? formatLocalDateTime(article.published_at, timeZone) : '',
    version: String(article.version),
  };
}

export async function siteTimeZone(req: Request): Promise<string> {
  return (await loadDiscussionSettings(contextOf(req).db)).timeZone;
}

async function siteSettings(req: Request) {
  return loadDiscussionSettings(contextOf(req).db);
}

/** Renders the editor: `status` 200 to edit, 422 for a refused save, 409 for a conflict. */
export async function renderEditor(req: Request, res: Response, status: number, state: EditorState): Promise<void> {
  const { db } = contextOf(req);
  await loadAdminChrome(req, res);
  const { article, values } = state;
  const errors = state.errors ?? {};
  const [accounts, revisions, settings] = await Promise.all([
    listAuthorAccounts(db, ownerScope(res, 'articles')),
    article ? revisionsOf(req, article) : Promise.resolve({ rows: [], total: 0 }),
    siteSettings(req),
  ]);
  const { timeZone } = settings;
  const flash = state.flash ?? null;
  await renderPage(res, status, 'articles/admin/editor', {
    meta: { title: article ? `Edit “${article.title}”` : 'New article', bodyClass: 'admin--editor' },
    formAction: article ? `/admin/articles/${article.id}` : '/admin/articles',
    article: article && editorArticleOf(article),
    values,
    errors,
    errorSummary: FIELD_ORDER.flatMap((field) => (errors[field] ? [{ field, message: errors[field] }] : [])),
    flash,
    justSaved: flash?.tone === 'success',
    timeZone,
    accounts: accounts.map((account) => ({ id: account.id, name: account.display_name })),
    actions: actionsFor(article?.status ?? null),
    canSchedule: article?.status !== 'published' && article?.status !== 'trash',
    revisions,
    conflict: state.conflict ?? null,
    autosave:
      article && state.autosave && state.autosave.created_at > article.updated_at
        ? { savedAt: state.autosave.created_at, restoreHref: `${editorPath(article.id)}?restore=autosave` }
        : null,
    notice: state.notice ?? null,
    upload: state.upload ?? null,
    uploadHint: uploadLimitText(settings.mediaMaxBytes),
    limits: {
      title: TITLE_MAX,
      slug: SLUG_MAX,
      excerpt: EXCERPT_MAX,
      authorName: AUTHOR_NAME_MAX,
      figureText: FIGURE_TEXT_MAX,
      figureAfter: FIGURE_AFTER_MAX,
    },
  });
}

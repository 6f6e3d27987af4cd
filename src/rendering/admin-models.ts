import type { CommentStatus } from '../queries/comments.js';
import type { BulkAction, QueueView, RowAction, StatusExplanation } from '../services/moderation.js';
import type { PageMeta } from './models.js';

/** View models of the moderation pages (everything under /admin but sign-in). */

export interface FlashModel {
  tone: 'success' | 'error';
  message: string;
  /** Set when the action can be undone: the Undo button posts it back. */
  undoToken: string | null;
}

export interface LogLineModel {
  at: Date;
  actor: string;
  description: string;
}

export interface QueueRowModel {
  id: string;
  status: CommentStatus;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  ip: string | null;
  createdAt: Date;
  article: { title: string; publicHref: string; filterHref: string };
  inReplyTo: { id: string; authorName: string; href: string } | null;
  body: string;
  isSiteReply: boolean;
  why: StatusExplanation;
  moderated: { by: string; at: Date } | null;
  log: LogLineModel[];
  actions: RowAction[];
  editHref: string;
  reply: { allowed: boolean; open: boolean; text: string; error: string | null };
}

export interface AdminQueuePageModel {
  meta: PageMeta;
  view: QueueView;
  tabs: Array<{ view: QueueView; label: string; count: number; href: string; current: boolean }>;
  filters: { article: string; q: string; commentId: string | null };
  clearFiltersHref: string | null;
  articles: Array<{ slug: string; title: string }>;
  rows: QueueRowModel[];
  pagination: { newerHref: string | null; olderHref: string | null; firstHref: string | null };
  returnTo: string;
  bulkActions: Array<{ value: BulkAction; label: string }>;
  flash: FlashModel | null;
  emptyMessage: string;
}

export type EditField = 'comment' | 'author' | 'email' | 'url';

export interface AdminEditPageModel {
  meta: PageMeta;
  comment: { id: string; status: CommentStatus; createdAt: Date; articleTitle: string; publicHref: string };
  action: string;
  returnTo: string;
  values: Record<EditField, string>;
  errors: Partial<Record<EditField | 'form', string>>;
  errorSummary: Array<{ field: string; message: string }>;
  limits: Record<EditField, number>;
}

export interface AdminLogPageModel {
  meta: PageMeta;
  entries: Array<{
    at: Date;
    actor: string;
    action: string;
    description: string;
    commentId: string;
    commentHref: string | null;
    commentLabel: string;
  }>;
  pagination: { newerHref: string | null; olderHref: string | null; firstHref: string | null };
}

export interface AdminPageModels {
  'admin/comments': AdminQueuePageModel;
  'admin/edit-comment': AdminEditPageModel;
  'admin/log': AdminLogPageModel;
}

import type { BlockKind } from './block-queries.js';
import type { CommentStatus } from '../comments/index.js';
import type { BulkAction, RowAction, StatusExplanation } from './moderation.js';
import type { QueueView } from './queue-address.js';
import type { PageMeta } from '../platform/rendering/models.js';

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
  /** Approved replies under it, and the confirmation its Trash button asks when there are any. */
  approvedReplies: number;
  trashConfirm: string | null;
  status: CommentStatus;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  ip: string | null;
  createdAt: Date;
  /** publicHref: where readers see the comment (its permalink), or its anchor on the article while it is not approved. */
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
  /** Null when there is nothing to block by (a site reply, a comment with neither email nor IP). */
  block: {
    action: string;
    choices: Array<{ kind: BlockKind; label: string; value: string }>;
    durations: ReadonlyArray<{ value: string; label: string }>;
    noteMax: number;
  } | null;
}

export interface AdminQueuePageModel {
  meta: PageMeta;
  view: QueueView;
  tabs: Array<{ view: QueueView; label: string; count: number; href: string; current: boolean }>;
  filters: { article: string; q: string; commentId: string | null };
  clearFiltersHref: string | null;
  articles: Array<{ slug: string; title: string }>;
  rows: QueueRowModel[];
  pagination: QueuePaginationModel;
  /** "45 comments" for the view, and "N results for …" while searching. */
  summary: { total: string; results: string | null };
  returnTo: string;
  bulkActions: Array<{ value: BulkAction; label: string }>;
  /** What the bulk form's script asks before trashing checked rows with approved replies (N is filled in). */
  bulkTrashConfirm: string;
  /** "Empty spam" / "Empty trash", offered in those views when they hold anything. */
  emptyStatus: { status: 'spam' | 'trash'; count: number; label: string; confirm: string } | null;
  screenOptions: ScreenOptionsModel;
  flash: FlashModel | null;
  emptyMessage: string;
}

export interface QueuePaginationModel {
  newerHref: string | null;
  olderHref: string | null;
  firstHref: string | null;
  /** Page N of M, with links to nearby pages; null entries are gaps (…). */
  current: number;
  pageCount: number;
  numbers: Array<{ number: number; href: string; current: boolean } | null>;
}

export interface ScreenOptionsModel {
  action: string;
  values: { shortcuts: boolean; perPage: string; density: 'comfortable' | 'compact' };
  perPageMin: number;
  perPageMax: number;
  /** Set when a save was refused: the panel opens with the message at the field. */
  error: string | null;
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

/** The discussion settings form's fields, named as WordPress names the options. */
export interface DiscussionFormValues {
  require_name_email: boolean;
  close_comments_for_old_posts: boolean;
  close_comments_days_old: string;
  thread_comments_depth: string;
  page_comments: boolean;
  comments_per_page: string;
  default_comments_page: string;
  comment_order: string;
  admin_notification: string;
  digest_minutes: string;
  notification_email: string;
  comment_moderation: boolean;
  comment_previously_approved: boolean;
  comment_max_links: string;
  moderation_keys: string;
  disallowed_keys: string;
  show_avatars: boolean;
  avatar_source: string;
  /** The site's time zone, on the same page as WordPress keeps it. */
  timezone_string: string;
}

export type DiscussionField = keyof DiscussionFormValues;

export interface AdminSettingsPageModel {
  meta: PageMeta;
  action: string;
  values: DiscussionFormValues;
  errors: Partial<Record<DiscussionField | 'form', string>>;
  errorSummary: Array<{ field: string; message: string }>;
  threadDepths: number[];
  /** Where held-comment mail goes when no address is set. */
  defaultNotificationEmail: string;
  /** Held comments mailed one by one per minute before the rest fold into one mail. */
  heldMailsPerMinute: number;
  /** Offered zones, grouped by region as WordPress groups them. */
  timeZoneGroups: Array<{ region: string; zones: Array<{ value: string; label: string }> }>;
  now: Date;
  flash: FlashModel | null;
}

export interface BlockModel {
  id: string;
  kindLabel: string;
  value: string;
  note: string;
  expiresAt: Date | null;
  createdBy: string;
  createdAt: Date;
  /** The queue, searched for this value: what the blocked commenter wrote. */
  commentsHref: string;
  liftAction: string;
}

export interface AdminBlocksPageModel {
  meta: PageMeta;
  blocks: BlockModel[];
  flash: FlashModel | null;
}

export interface AdminPageModels {
  'moderation/admin/queue': AdminQueuePageModel;
  'moderation/admin/edit-comment': AdminEditPageModel;
  'moderation/admin/log': AdminLogPageModel;
  'settings/admin/discussion': AdminSettingsPageModel;
  'moderation/admin/blocks': AdminBlocksPageModel;
}

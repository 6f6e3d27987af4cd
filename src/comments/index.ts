/** What the rest of the app may use of comments: everything else in this folder is its own. */
export type { StoredReason } from './comment-edit-queries.js';
export { COMMENT_LIMITS, parseCommentForm } from './comment-form.js';
export type { CommentFormValues, FieldErrors } from './comment-form.js';
export { commentLocations, commentPagePath, commentsIn, selectCommentPage } from './comment-pages.js';
export {
  COMMENT_STATUSES,
  countCommentsByStatus,
  findComment,
  listRemovedParents,
  listVisibleCommentOutlines,
  listVisibleComments,
  listVisibleCommentsById,
} from './comment-queries.js';
export type { CommentOutline, CommentRow, CommentStatus, PublicCommentRow } from './comment-queries.js';
export { renderCommentText } from './comment-text.js';
export { PENDING_COOKIE, isKnownCommenter, parsePendingIds, rememberedCommenter } from './commenter-cookies.js';
export type { StatusReason } from './discussion-rules.js';
export { createFloodControl } from './flood-control.js';
export type { FloodControl } from './flood-control.js';
export { avatarHash, avatarPath, gravatarUrl } from './identicon.js';
export { areCommentsOpen } from './posting.js';
export { withinEditWindow } from './self-service.js';
export { threadComments } from './threading.js';
export type { RemovedParents, ThreadNode } from './threading.js';

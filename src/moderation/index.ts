/** What the rest of the app may use of moderation: everything else in this folder is its own. */
export { loadAdminChrome, setFlash, takeFlash } from './admin-chrome.js';
export type {
  AdminPageModels,
  AdminSettingsPageModel,
  DiscussionField,
  DiscussionFormValues,
  FlashModel,
  QueuePaginationModel,
} from './admin-models.js';
export { listApprovedForMail } from './approval-mail-queries.js';
export { blockHash, hashedCommenter } from './block-hash.js';
export type { HashedCommenter } from './block-hash.js';
export { describedValueSql, findMatchingBlock, matchingBlocksSql } from './block-queries.js';
export type { BlockRow } from './block-queries.js';
export { lockCountsOf } from './moderation-queries.js';
export type { Actor, ApprovalHook } from './moderation-queries.js';
export { SEARCH_MAX, containsPattern, decodeCursor, encodeCursor, pageNumbers } from './queue-address.js';
export type { Cursor } from './queue-address.js';

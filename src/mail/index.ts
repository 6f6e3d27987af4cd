/** What the rest of the app may use of mail: everything else in this folder is its own. */
export { listCommentEmails } from './comment-email-queries.js';
export { mailForNewComment, moderatorAddress, noteNewCommentMailQueued, queueNotificationsForNewComment } from './comment-notifications.js';
export { HELD_MAILS_PER_MINUTE } from './held-mail-budget.js';
export type { HeldMailBudget } from './held-mail-budget.js';
export { createMailer, mailFileName } from './mailer.js';
export { mailOnApproval } from './moderation-mail.js';
export { enqueueCommenterMail } from './notification-queries.js';
export { enqueueMail, queuedMailSql, type NewMail } from './outbox-queries.js';
export { startOutboxWorker } from './outbox-worker.js';

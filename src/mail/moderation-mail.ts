import type { Database } from '../platform/db/connection.js';
import { listApprovedForMail } from '../moderation/index.js';
import type { ApprovalHook } from '../moderation/index.js';
import { queueNotificationsForApproval } from './comment-notifications.js';

/** The mail a moderator's approval causes. Only approvals come here, so nothing is ever mailed about spam. */

export interface MailLinks {
  /** For absolute links in the mail. */
  baseUrl: string;
  /** Signs the unsubscribe link. */
  secret: string;
}

/**
 * Queues, for each newly approved comment, "published" mail to its author
 * (if they asked) and reply mail to the author it answers (if they asked).
 * Dedupe keys make an approval that is undone and made again mail only once.
 */
export async function queueApprovalMail(db: Database, commentIds: readonly string[], links: MailLinks): Promise<void> {
  for (const { comment, article, parent } of await listApprovedForMail(db, commentIds)) {
    if (comment.status !== 'approved') continue;
    await queueNotificationsForApproval(db, { ...links, article, comment, parent });
  }
}

/** The hook that moderation queries call inside their transaction when comments become approved. */
export function mailOnApproval(links: MailLinks): ApprovalHook {
  return (trx, commentIds) => queueApprovalMail(trx, commentIds, links);
}

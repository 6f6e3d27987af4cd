import type { Database } from '../platform/db/connection.js';
import type { ArticleRow } from '../articles/index.js';
import type { CommentRow, CommentStatus } from '../comments/index.js';
import { enqueueCommenterMail } from './notification-queries.js';
import { enqueueMail, type NewMail } from './outbox-queries.js';
import type { DiscussionSettings } from '../settings/index.js';
import { HELD_MAILS_PER_MINUTE, surgeMinute, type HeldMailBudget } from './held-mail-budget.js';
import { approvedCommentMail, heldCommentMail, heldDigestMail, heldSurgeMail, replyMail, type MailComment } from './notifications.js';

/** Which events mail whom. Spam never mails anyone. */

interface NotifiedComment {
  id: string;
  status: CommentStatus;
  author_name: string;
  author_email: string;
  body: string;
}

const asMail = (comment: NotifiedComment): MailComment => ({
  id: comment.id,
  authorName: comment.author_name,
  authorEmail: comment.author_email,
  body: comment.body,
});

const articleFor = (article: Pick<ArticleRow, 'title'>) => ({ title: article.title });

export function moderatorAddress(settings: DiscussionSettings, baseUrl: string): string {
  return settings.notificationEmail || `moderation@${new URL(baseUrl).hostname}`;
}

type ParentComment = Pick<CommentRow, 'id' | 'author_name' | 'author_email' | 'body' | 'notify_on_reply' | 'status'>;

/** The mail telling a parent comment's author of an approved reply, if they asked for it and it is not their own. */
function replyMailFor(
  baseUrl: string,
  secret: string,
  article: Pick<ArticleRow, 'title' | 'slug'>,
  reply: NotifiedComment,
  parent: ParentComment | null,
) {
  if (!parent || !parent.notify_on_reply || parent.status !== 'approved' || !parent.author_email) return null;
  if (parent.author_email.toLowerCase() === reply.author_email.toLowerCase()) return null;
  return replyMail(baseUrl, secret, asMail({ ...parent, id: parent.id }), asMail(reply), articleFor(article));
}

export interface NewCommentEvent {
  baseUrl: string;
  secret: string;
  settings: DiscussionSettings;
  article: Pick<ArticleRow, 'title' | 'slug'>;
  comment: NotifiedComment;
  parent: ParentComment | null;
  reasons: string[];
  nowMs: number;
  /** Limits held-comment mail in a surge; without one, every held comment is mailed. */
  heldMailBudget?: HeldMailBudget;
}

/** The mail a new comment causes: to the moderators, and to the commenters it concerns (unless they unsubscribed). */
export function mailForNewComment(event: NewCommentEvent): { staff: NewMail[]; commenter: NewMail[] } {
  const { settings, baseUrl, comment } = event;
  const staff: NewMail[] = [];
  const commenter: NewMail[] = [];
  if (comment.status === 'pending' && settings.adminNotification !== 'off') {
    const recipient = moderatorAddress(settings, baseUrl);
    if (settings.adminNotification === 'each') {
      const budget = event.heldMailBudget;
      if (!budget || budget.take(event.nowMs)) {
        staff.push(heldCommentMail(baseUrl, recipient, asMail(comment), articleFor(event.article), event.reasons));
      } else if (budget.surgeStillToQueue(event.nowMs)) {
        staff.push(heldSurgeMail(baseUrl, recipient, surgeMinute(event.nowMs), HELD_MAILS_PER_MINUTE));
      }
    } else {
      const periodMs = settings.digestMinutes * 60 * 1000;
      const periodEnd = Math.floor(event.nowMs / periodMs) * periodMs + periodMs;
      staff.push({
        ...heldDigestMail(baseUrl, recipient, String(periodEnd), settings.digestMinutes),
        next_attempt_at: new Date(periodEnd),
      });
    }
  }
  if (comment.status === 'approved') {
    const reply = replyMailFor(baseUrl, event.secret, event.article, comment, event.parent);
    if (reply) commenter.push(reply);
  }
  return { staff, commenter };
}

/** Call once the mail of `mailForNewComment` is in the outbox: a queued surge mail need not be sent again this minute. */
export function noteNewCommentMailQueued(event: Pick<NewCommentEvent, 'heldMailBudget' | 'nowMs'>, staff: readonly NewMail[]): void {
  if (staff.some((mail) => mail.kind === 'held-surge')) event.heldMailBudget?.surgeQueued(event.nowMs);
}

export async function queueNotificationsForNewComment(db: Database, event: NewCommentEvent): Promise<void> {
  const { staff, commenter } = mailForNewComment(event);
  for (const mail of staff) await enqueueMail(db, mail);
  for (const mail of commenter) await enqueueCommenterMail(db, mail);
  noteNewCommentMailQueued(event, staff);
}

/** When a moderator approves a comment: tell its author if they asked, and the author it replies to. */
export async function queueNotificationsForApproval(
  db: Database,
  event: Omit<NewCommentEvent, 'settings' | 'reasons' | 'nowMs' | 'comment'> & {
    comment: NotifiedComment & { notify_on_approval: boolean };
  },
): Promise<void> {
  const { comment } = event;
  if (comment.notify_on_approval && comment.author_email) {
    await enqueueCommenterMail(db, approvedCommentMail(event.baseUrl, event.secret, asMail(comment), articleFor(event.article)));
  }
  const reply = replyMailFor(event.baseUrl, event.secret, event.article, comment, event.parent);
  if (reply) await enqueueCommenterMail(db, reply);
}

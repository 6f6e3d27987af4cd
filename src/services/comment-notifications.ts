import type { Database } from '../db/connection.js';
import type { ArticleRow } from '../queries/articles.js';
import type { CommentRow, CommentStatus } from '../queries/comments.js';
import { enqueueCommenterMail } from '../queries/notifications.js';
import { enqueueMail } from '../queries/outbox.js';
import type { DiscussionSettings } from './discussion-settings.js';
import { approvedCommentMail, heldCommentMail, heldDigestMail, replyMail, type MailComment } from './notifications.js';

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

const articleFor = (article: Pick<ArticleRow, 'title' | 'slug'>) => ({ title: article.title, path: `/articles/${article.slug}` });

export function moderatorAddress(settings: DiscussionSettings, baseUrl: string): string {
  return settings.notificationEmail || `moderation@${new URL(baseUrl).hostname}`;
}

async function queueReplyMail(
  db: Database,
  baseUrl: string,
  secret: string,
  article: Pick<ArticleRow, 'title' | 'slug'>,
  reply: NotifiedComment,
  parent: Pick<CommentRow, 'id' | 'author_name' | 'author_email' | 'body' | 'notify_on_reply' | 'status'> | null,
) {
  if (!parent || !parent.notify_on_reply || parent.status !== 'approved' || !parent.author_email) return;
  if (parent.author_email.toLowerCase() === reply.author_email.toLowerCase()) return;
  await enqueueCommenterMail(db, replyMail(baseUrl, secret, asMail({ ...parent, id: parent.id }), asMail(reply), articleFor(article)));
}

export interface NewCommentEvent {
  baseUrl: string;
  secret: string;
  settings: DiscussionSettings;
  article: Pick<ArticleRow, 'title' | 'slug'>;
  comment: NotifiedComment;
  parent: Pick<CommentRow, 'id' | 'author_name' | 'author_email' | 'body' | 'notify_on_reply' | 'status'> | null;
  reasons: string[];
  nowMs: number;
}

export async function queueNotificationsForNewComment(db: Database, event: NewCommentEvent): Promise<void> {
  const { settings, baseUrl, comment } = event;
  if (comment.status === 'pending' && settings.adminNotification !== 'off') {
    const recipient = moderatorAddress(settings, baseUrl);
    if (settings.adminNotification === 'each') {
      await enqueueMail(db, heldCommentMail(baseUrl, recipient, asMail(comment), articleFor(event.article), event.reasons));
    } else {
      const periodMs = settings.digestMinutes * 60 * 1000;
      const periodEnd = Math.floor(event.nowMs / periodMs) * periodMs + periodMs;
      await enqueueMail(db, {
        ...heldDigestMail(baseUrl, recipient, String(periodEnd), settings.digestMinutes),
        next_attempt_at: new Date(periodEnd),
      });
    }
  }
  if (comment.status === 'approved') {
    await queueReplyMail(db, baseUrl, event.secret, event.article, comment, event.parent);
  }
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
  await queueReplyMail(db, event.baseUrl, event.secret, event.article, comment, event.parent);
}

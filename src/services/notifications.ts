import type { NewMail } from '../queries/outbox.js';
import { signValue, verifySignedValue } from './signed-tokens.js';

/** Mail texts. Plain text only; no mail ever carries the text of a spam comment. */

const UNSUBSCRIBE = 'unsubscribe';

export interface MailComment {
  id: string;
  authorName: string;
  authorEmail: string;
  body: string;
}

export interface MailArticle {
  title: string;
  path: string;
}

export function unsubscribeToken(secret: string, email: string): string {
  return signValue(secret, UNSUBSCRIBE, Buffer.from(email.toLowerCase()).toString('base64url'));
}

export function emailFromUnsubscribeToken(secret: string, token: unknown): string | null {
  const payload = verifySignedValue(secret, UNSUBSCRIBE, token);
  return payload === null ? null : Buffer.from(payload, 'base64url').toString('utf8');
}

const excerpt = (text: string) => (Array.from(text).length > 500 ? Array.from(text).slice(0, 500).join('') + '…' : text);

export function heldCommentMail(baseUrl: string, recipient: string, comment: MailComment, article: MailArticle, reasons: string[]): NewMail {
  return {
    dedupe_key: `held:${comment.id}`,
    kind: 'held',
    recipient,
    subject: `A comment on “${article.title}” is waiting for approval`,
    body: [
      `${comment.authorName} commented on “${article.title}”. The comment is held for moderation:`,
      ...reasons.map((reason) => `  - ${reason}`),
      '',
      excerpt(comment.body),
      '',
      `Review it: ${baseUrl}/admin/comments?status=pending#comment-${comment.id}`,
    ].join('\n'),
  };
}

export function heldDigestMail(baseUrl: string, recipient: string, bucket: string, minutes: number): NewMail {
  return {
    dedupe_key: `held-digest:${bucket}`,
    kind: 'held-digest',
    recipient,
    subject: 'Comments are waiting for approval',
    body: [
      `One or more comments were held for moderation in the last ${minutes} minutes.`,
      '',
      `Review them: ${baseUrl}/admin/comments?status=pending`,
    ].join('\n'),
  };
}

/** Held comments past the per-minute budget of held-comment mail, in one mail for the minute. */
export function heldSurgeMail(baseUrl: string, recipient: string, minute: { startMs: number; endMs: number }, perMinute: number): NewMail {
  const from = new Date(minute.startMs).toISOString().slice(0, 16).replace('T', ' ');
  return {
    dedupe_key: `held-surge:${minute.endMs}`,
    kind: 'held-surge',
    recipient,
    subject: 'Many comments are waiting for approval',
    body: [
      `More comments were held for moderation in the minute from ${from} UTC than are mailed one by one (${perMinute} a minute).`,
      'The rest are not mailed separately; they are waiting in the moderation queue.',
      '',
      `Review them: ${baseUrl}/admin/comments?status=pending`,
    ].join('\n'),
    next_attempt_at: new Date(minute.endMs),
  };
}

function commenterFooter(baseUrl: string, secret: string, email: string): string[] {
  return ['', '--', `Stop these emails: ${baseUrl}/unsubscribe?token=${unsubscribeToken(secret, email)}`];
}

export function approvedCommentMail(baseUrl: string, secret: string, comment: MailComment, article: MailArticle): NewMail {
  return {
    dedupe_key: `approved:${comment.id}`,
    kind: 'approved',
    recipient: comment.authorEmail,
    subject: `Your comment on “${article.title}” is published`,
    body: [
      `Hello ${comment.authorName},`,
      '',
      `Your comment on “${article.title}” has been approved and is now public:`,
      `${baseUrl}${article.path}#comment-${comment.id}`,
      ...commenterFooter(baseUrl, secret, comment.authorEmail),
    ].join('\n'),
  };
}

export function replyMail(
  baseUrl: string,
  secret: string,
  parent: MailComment,
  reply: MailComment,
  article: MailArticle,
): NewMail {
  return {
    dedupe_key: `reply:${reply.id}:to:${parent.id}`,
    kind: 'reply',
    recipient: parent.authorEmail,
    subject: `${reply.authorName} replied to your comment on “${article.title}”`,
    body: [
      `Hello ${parent.authorName},`,
      '',
      `${reply.authorName} replied to your comment on “${article.title}”:`,
      '',
      excerpt(reply.body),
      '',
      `Read the conversation: ${baseUrl}${article.path}#comment-${reply.id}`,
      ...commenterFooter(baseUrl, secret, parent.authorEmail),
    ].join('\n'),
  };
}

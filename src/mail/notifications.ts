import type { NewMail } from './outbox-queries.js';
import { signValue, verifySignedValue } from '../platform/signed-tokens.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';

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
}

/** Leave one conversation (the article a comment is on), or stop every comment email. */
export type UnsubscribeScope = 'conversation' | 'all';

export interface UnsubscribeRequest {
  email: string;
  /** The recipient's own comment the mail was about: its article is the conversation. Null in links from before conversations. */
  commentId: string | null;
  /** What the link does when nobody chooses (the one-click POST). */
  scope: UnsubscribeScope;
}

/**
 * The signed part of an unsubscribe link: the address, and for newer links
 * the comment and the default scope. The link is the proof of the address,
 * so no sign-in or form token is needed to use it.
 */
export function unsubscribeToken(secret: string, email: string, about?: { commentId: string; scope: UnsubscribeScope }): string {
  const address = Buffer.from(email.toLowerCase()).toString('base64url');
  const payload = about ? `${address}~${about.commentId}~${about.scope === 'all' ? 'a' : 'c'}` : address;
  return signValue(secret, UNSUBSCRIBE, payload);
}

export function readUnsubscribeToken(secret: string, token: unknown): UnsubscribeRequest | null {
  const payload = verifySignedValue(secret, UNSUBSCRIBE, token);
  if (payload === null) return null;
  const [address = '', commentId, scope] = payload.split('~');
  const email = Buffer.from(address, 'base64url').toString('utf8');
  if (commentId === undefined) return { email, commentId: null, scope: 'all' };
  if (!ID_PATTERN.test(commentId) || (scope !== 'a' && scope !== 'c')) return null;
  return { email, commentId, scope: scope === 'a' ? 'all' : 'conversation' };
}

export function emailFromUnsubscribeToken(secret: string, token: unknown): string | null {
  return readUnsubscribeToken(secret, token)?.email ?? null;
}

/** The comment whose ticked notify box asked for a mail to a commenter (its author is the recipient); null for staff mail. */
export interface AskingComment {
  commentId: string;
  box: 'notify_on_reply' | 'notify_on_approval';
}

const replyKey = (replyId: string, parentId: string) => `reply:${replyId}:to:${parentId}`;
const approvedKey = (commentId: string) => `approved:${commentId}`;

/** Read back from the dedupe key written here, so it is known for every queued row whichever path queued it. */
export function askingCommentOf(mail: Pick<NewMail, 'kind' | 'dedupe_key'>): AskingComment | null {
  const reply = mail.kind === 'reply' ? /^reply:\d+:to:(\d+)$/.exec(mail.dedupe_key) : null;
  if (reply) return { commentId: reply[1]!, box: 'notify_on_reply' };
  const approved = mail.kind === 'approved' ? /^approved:(\d+)$/.exec(mail.dedupe_key) : null;
  if (approved) return { commentId: approved[1]!, box: 'notify_on_approval' };
  return null;
}

const excerpt = (text: string) => (Array.from(text).length > 500 ? Array.from(text).slice(0, 500).join('') + '…' : text);

export function heldCommentMail(
  baseUrl: string,
  recipient: string,
  comment: MailComment,
  article: MailArticle,
  reasons: string[],
): NewMail {
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
      `Review it: ${baseUrl}/admin/comments/${comment.id}`,
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

function unsubscribeUrl(baseUrl: string, secret: string, email: string, about: { commentId: string; scope: UnsubscribeScope }): string {
  return `${baseUrl}/unsubscribe?token=${unsubscribeToken(secret, email, about)}`;
}

/** The footer shows the same link as the List-Unsubscribe header, for readers whose mail program shows no button. */
function commenterFooter(unsubscribe: string): string[] {
  return ['', '--', `Stop these emails: ${unsubscribe}`];
}

export function approvedCommentMail(baseUrl: string, secret: string, comment: MailComment, article: MailArticle): NewMail {
  // A one-off mail: its one-click link stops all comment mail (the page still offers just this conversation).
  const unsubscribe = unsubscribeUrl(baseUrl, secret, comment.authorEmail, { commentId: comment.id, scope: 'all' });
  return {
    dedupe_key: approvedKey(comment.id),
    kind: 'approved',
    recipient: comment.authorEmail,
    subject: `Your comment on “${article.title}” is published`,
    body: [
      `Hello ${comment.authorName},`,
      '',
      `Your comment on “${article.title}” has been approved and is now public:`,
      `${baseUrl}/comments/${comment.id}`,
      ...commenterFooter(unsubscribe),
    ].join('\n'),
    list_unsubscribe: unsubscribe,
  };
}

export function replyMail(baseUrl: string, secret: string, parent: MailComment, reply: MailComment, article: MailArticle): NewMail {
  // The link leaves this conversation unless the reader chooses everything.
  const unsubscribe = unsubscribeUrl(baseUrl, secret, parent.authorEmail, { commentId: parent.id, scope: 'conversation' });
  return {
    dedupe_key: replyKey(reply.id, parent.id),
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
      // The permalink finds the right comment page when comments are paged.
      `Read the conversation: ${baseUrl}/comments/${reply.id}`,
      ...commenterFooter(unsubscribe),
    ].join('\n'),
    list_unsubscribe: unsubscribe,
  };
}

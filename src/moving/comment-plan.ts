import { isIP } from 'node:net';
import { commentHtmlText } from './comment-html-text.js';
import { cutText, wordpressDate } from './wordpress-values.js';
import type { WxrAuthor, WxrComment } from './wxr-items.js';

/**
 * The import's rules for one WordPress comment: what is stored, or why it
 * is skipped; every change a rule made (a name cut short, an address left
 * out, a parent not found) is a note for the summary. No database, no file.
 */

export type CommentStatus = 'approved' | 'pending' | 'spam' | 'trash';

export interface CommentContext {
  siteTimeZone: string;
  withPingbacks: boolean;
  /** wp:author by id. */
  authorsById: Map<string, WxrAuthor>;
  /** Accounts here chosen with --map-author, by old login. */
  accounts: Map<string, { id: string; displayName: string }>;
}

export interface CommentPlan {
  sourceId: string;
  parentSourceId: string | null;
  status: CommentStatus;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  ip: string | null;
  body: string;
  createdAt: Date;
  isSiteReply: boolean;
  userId: string | null;
  kind: 'comment' | 'pingback';
}

const COMMENT_STATUSES: Record<string, CommentStatus> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'trash',
  'post-trashed': 'trash',
};
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const NAME_MAX = 245;
const EMAIL_MAX = 100;
const URL_MAX = 200;
const COMMENT_MAX = 65525;

export function commentPlanOf(
  comment: WxrComment,
  context: CommentContext,
  label: string,
): { ok: true; plan: CommentPlan; notes: string[] } | { ok: false; reason: string; pingback: boolean } {
  const pingback = comment.type === 'pingback' || comment.type === 'trackback';
  if (pingback && !context.withPingbacks) return { ok: false, reason: `${comment.type} (use --with-pingbacks to import)`, pingback };
  if (!/^\d+$/.test(comment.id)) return { ok: false, reason: 'no wp:comment_id', pingback };
  const status = COMMENT_STATUSES[comment.approved];
  if (!status) return { ok: false, reason: `unknown comment status “${comment.approved}”`, pingback };
  const createdAt = wordpressDate(comment.dateGmt, comment.date, context.siteTimeZone);
  if (!createdAt) return { ok: false, reason: `no readable date (“${comment.dateGmt || comment.date}”)`, pingback };
  const body = cutText(commentHtmlText(comment.content), COMMENT_MAX);
  if (body === '') return { ok: false, reason: 'the comment has no text', pingback };
  const notes: string[] = [];
  let authorName = comment.author.replace(/\s+/g, ' ').trim() || 'Anonymous';
  if (Array.from(authorName).length > NAME_MAX) {
    authorName = cutText(authorName, NAME_MAX);
    notes.push(`${label}: the author's name was cut to ${NAME_MAX} characters`);
  }
  let authorEmail = comment.authorEmail;
  if (authorEmail !== '' && (authorEmail.length > EMAIL_MAX || !EMAIL.test(authorEmail))) {
    notes.push(`${label}: the e-mail address was not a valid one of at most ${EMAIL_MAX} characters and was left out`);
    authorEmail = '';
  }
  let authorUrl = comment.authorUrl;
  if (authorUrl !== '' && (authorUrl.length > URL_MAX || !/^https?:\/\/\S+$/i.test(authorUrl))) {
    notes.push(`${label}: the web address was not an http(s) address of at most ${URL_MAX} characters and was left out`);
    authorUrl = '';
  }
  const author = comment.userId !== '' && comment.userId !== '0' ? context.authorsById.get(comment.userId) : undefined;
  return {
    ok: true,
    notes,
    plan: {
      sourceId: comment.id,
      parentSourceId: /^[1-9]\d*$/.test(comment.parent) ? comment.parent : null,
      status,
      authorName,
      authorEmail,
      authorUrl,
      ip: isIP(comment.authorIp) !== 0 ? comment.authorIp : null,
      body,
      createdAt,
      isSiteReply: author !== undefined,
      userId: author ? (context.accounts.get(author.login)?.id ?? null) : null,
      kind: pingback ? 'pingback' : 'comment',
    },
  };
}

/** Comments whose parent is not among those planned become top-level, said in the notes. */
export function threadComments(comments: CommentPlan[], notes: string[]) {
  const ids = new Set(comments.map((comment) => comment.sourceId));
  for (const comment of comments) {
    if (comment.parentSourceId !== null && !ids.has(comment.parentSourceId)) {
      notes.push(`comment ${comment.sourceId}: its parent ${comment.parentSourceId} is not in the export, so it is top-level`);
      comment.parentSourceId = null;
    }
  }
}

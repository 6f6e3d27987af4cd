import type { Database } from '../platform/db/connection.js';
import type { ArticleRow } from '../articles/index.js';
import { hashedCommenter } from '../moderation/index.js';
import {
  readPostingChecks,
  storePostedComment,
  type CommentToStore,
  type PostedCommentText,
  type PostingChecks,
} from './posting-queries.js';
import { findCommentBySubmissionId, type CommentStatus } from './comment-queries.js';
import type { CommentSubmission, FieldErrors } from './comment-form.js';
import { decideComment, type Decision } from './discussion-rules.js';
import type { DiscussionSettings } from '../settings/index.js';
import type { FloodControl } from './flood-control.js';
import type { RateLimitCounting } from '../platform/db/rate-limits.js';
import type { HeldMailBudget } from '../mail/index.js';
import { enqueueCommenterMail, mailForNewComment, noteNewCommentMailQueued } from '../mail/index.js';
import { isExpiredStamp, secondsSinceStamp } from '../platform/signed-tokens.js';
import { DAY_MS } from '../platform/units.js';

export interface RequestFacts {
  ip: string | null;
  userAgent: string;
  /** The name and email the browser's remember-me cookies hold, when it has them. */
  saved?: { author: string; email: string } | null;
}

export interface CommentingContext {
  db: Database;
  flood: FloodControl;
  heldMailBudget: HeldMailBudget;
  secret: string;
  baseUrl: string;
  now: () => number;
}

export type PostCommentOutcome =
  | { kind: 'stored'; commentId: string; status: CommentStatus; approvedOnArticle?: number; resentWithOtherText?: boolean }
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'duplicate' }
  | { kind: 'closed' }
  | { kind: 'expired' }
  | { kind: 'flooded'; retryAfterSeconds: number };

export const DUPLICATE_MESSAGE = 'Duplicate comment detected; it looks as though you’ve already said that!';
export const CLOSED_MESSAGE =
  'Comments closed on this article before your comment arrived, so it was not posted. Your text is below, to copy and keep.';
export const EXPIRED_MESSAGE =
  'This form was open for more than a day, so your comment was not posted yet. Your text is kept below: check it and send it again.';
export const floodMessage = (seconds: number) =>
  `You are posting comments too quickly. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and send it again; your comment is kept below.`;
const PARENT_MISSING = 'The comment you are replying to could not be found.';
const PARENT_NOT_PUBLISHED = 'You can only reply to a comment that has been published.';

export function areCommentsOpen(article: ArticleRow, settings: DiscussionSettings, nowMs: number): boolean {
  if (!article.comments_open) return false;
  if (!settings.closeOldArticles || !article.published_at) return true;
  return nowMs - article.published_at.getTime() <= settings.closeAfterDays * DAY_MS;
}

function parentProblem(parentId: string | null, parent: PostingChecks['parent'], articleId: string): string | undefined {
  if (parentId === null) return undefined;
  if (!parent || parent.article_id !== articleId) return PARENT_MISSING;
  if (parent.status !== 'approved') return PARENT_NOT_PUBLISHED;
  return undefined;
}

/** The browser saved this very name and email when its owner last commented (WordPress's comment cookies). */
function hasSavedDetails(saved: RequestFacts['saved'], submission: CommentSubmission): boolean {
  if (!saved || !submission.authorEmail) return false;
  return saved.author.trim() === submission.authorName && saved.email.trim().toLowerCase() === submission.authorEmail.toLowerCase();
}

function decide(
  settings: DiscussionSettings,
  submission: CommentSubmission,
  request: RequestFacts,
  checks: PostingChecks,
  secondsSinceRender: number | null,
): Decision {
  return decideComment(
    {
      authorName: submission.authorName,
      authorEmail: submission.authorEmail,
      authorUrl: submission.authorUrl,
      body: submission.body,
      ip: request.ip ?? '',
      userAgent: request.userAgent,
    },
    settings,
    {
      previouslyApproved: checks.previouslyApproved,
      savedDetails: hasSavedDetails(request.saved, submission),
      honeypotFilled: submission.honeypotFilled,
      secondsSinceRender,
      block: checks.block ? `${checks.block.kind} ${checks.block.value}` : null,
    },
  );
}

/**
 * A resent form whose first sending was stored: the stored comment answers.
 * When the text differs (edited on the 503 page while the first attempt had
 * in fact been stored), the commenter must hear that the new text was not.
 */
const alreadyStored = (comment: { id: string; status: CommentStatus; body: string }, resentBody: string): PostCommentOutcome => ({
  kind: 'stored',
  commentId: comment.id,
  status: comment.status,
  resentWithOtherText: comment.body !== resentBody,
});

/** The comment a resent form already stored (double click, browser retry), when it is for this article. */
async function storedBefore(
  db: Database,
  submissionId: string | null,
  articleId: string,
  resentBody: string,
): Promise<PostCommentOutcome | null> {
  if (!submissionId) return null;
  const earlier = await findCommentBySubmissionId(db, submissionId);
  return earlier?.article_id === articleId ? alreadyStored(earlier, resentBody) : null;
}

/** The comment as posted, before the rules give it a status. */
type PostedComment = PostedCommentText & Pick<CommentToStore, 'author_url'>;

/**
 * The whole decision for one posted comment, in the contract's order:
 * closed; the form (an expired stamp, the parent); duplicate; flood; then
 * the discussion rules choose its status. One statement reads what the
 * rules need; one more (storeDecided) counts the flood and, within it,
 * stores the comment and its mail, all or nothing.
 */
export async function postComment(
  context: CommentingContext,
  article: ArticleRow,
  submission: CommentSubmission,
  request: RequestFacts,
  rules: DiscussionSettings,
): Promise<PostCommentOutcome> {
  if (!areCommentsOpen(article, rules, context.now())) return { kind: 'closed' };
  const secondsSinceRender = secondsSinceStamp(context.secret, submission.renderedAt, context.now());
  if (isExpiredStamp(secondsSinceRender)) return { kind: 'expired' };
  const comment: PostedComment = {
    article_id: article.id,
    parent_id: submission.parentId,
    author_name: submission.authorName,
    author_email: submission.authorEmail,
    author_url: submission.authorUrl,
    body: submission.body,
  };
  const hashed = hashedCommenter(context.secret, comment.author_email, request.ip);
  const flood = context.flood.countingFor(request.ip, submission.authorEmail);
  const checks = await readPostingChecks(context.db, submission.submissionId, comment, request.ip, hashed, flood);
  if (checks.earlier?.article_id === article.id) return alreadyStored(checks.earlier, comment.body);
  const problem = parentProblem(submission.parentId, checks.parent, article.id);
  if (problem) return { kind: 'invalid', errors: { parent_id: problem } };
  if (checks.duplicate) return { kind: 'duplicate' };
  // Refused before the rules read a word of the text, so a flood costs little.
  const floodWait = context.flood.waitAfter(checks.flood, context.now());
  if (floodWait > 0) return { kind: 'flooded', retryAfterSeconds: floodWait };

  const decision = decide(rules, submission, request, checks, secondsSinceRender);
  return storeDecided(context, { article, comment, submission, request, rules, checks, decision, flood });
}

interface DecidedPost {
  article: ArticleRow;
  comment: PostedComment;
  submission: CommentSubmission;
  request: RequestFacts;
  rules: DiscussionSettings;
  checks: PostingChecks;
  decision: Decision;
  flood: RateLimitCounting;
}

/**
 * Stores a comment the rules have decided on, with the mail it causes, in
 * one statement that counts the flood first. A reply that mails its
 * parent's author adds that mail in the same transaction.
 */
async function storeDecided(context: CommentingContext, post: DecidedPost): Promise<PostCommentOutcome> {
  const { article, comment, submission, request, checks } = post;
  const { status, reasons } = post.decision;
  const id = checks.newId;
  const nowMs = context.now();
  // The same submission id on another article is a forged or broken form, not a resend.
  const submissionId = checks.earlier ? null : submission.submissionId;
  const mail = mailForNewComment({
    baseUrl: context.baseUrl,
    secret: context.secret,
    settings: post.rules,
    article,
    comment: { id, ...comment, status },
    parent: checks.parent,
    reasons: reasons.map((reason) => reason.text),
    nowMs,
    heldMailBudget: context.heldMailBudget,
  });
  const toStore: CommentToStore = {
    ...comment,
    id,
    status,
    status_reasons: reasons,
    approved_at: status === 'approved' ? new Date(nowMs) : null,
    ip: request.ip,
    user_agent: request.userAgent.slice(0, 512),
    submission_id: submissionId,
    notify_on_reply: submission.notifyOnReply,
    notify_on_approval: submission.notifyOnApproval,
  };
  const store = async (db: Database) => {
    const outcome = await storePostedComment(db, toStore, post.flood, mail.staff);
    if (outcome.stored) for (const commenterMail of mail.commenter) await enqueueCommenterMail(db, commenterMail);
    return outcome;
  };
  const { counts, stored } = mail.commenter.length > 0 ? await context.db.transaction(store) : await store(context.db);

  const floodWait = context.flood.waitAfter(counts, context.now());
  // Counted over the limit after all (a post of the same commenter at the
  // same moment), or a copy of this very form got in first: the copy held
  // the counters until it committed, so by now it can be read.
  if (floodWait > 0) {
    return (await storedBefore(context.db, submissionId, article.id, comment.body)) ?? { kind: 'flooded', retryAfterSeconds: floodWait };
  }
  if (!stored) {
    // A copy of this very form was stored while this one was being read.
    const copy = await storedBefore(context.db, submissionId, article.id, comment.body);
    if (copy) return copy;
    throw new Error('a comment was neither stored nor refused');
  }
  noteNewCommentMailQueued({ heldMailBudget: context.heldMailBudget, nowMs }, mail.staff);
  return { kind: 'stored', commentId: id, status, approvedOnArticle: checks.approvedOnArticle };
}

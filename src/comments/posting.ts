import type { Database } from '../platform/db/connection.js';
import type { ArticleRow } from '../articles/article-queries.js';
import { readPostingFacts, storePostedComment, type PostingFacts } from './posting-queries.js';
import { findCommentBySubmissionId, type CommentStatus } from './comment-queries.js';
import type { CommentSubmission, FieldErrors } from './comment-form.js';
import { decideComment, type Decision } from './discussion-rules.js';
import type { DiscussionSettings } from '../settings/discussion-settings.js';
import type { FloodControl } from './flood-control.js';
import type { HeldMailBudget } from '../mail/held-mail-budget.js';
import { mailForNewComment, noteNewCommentMailQueued } from '../mail/comment-notifications.js';
import { isExpiredStamp, secondsSinceStamp } from '../platform/signed-tokens.js';

export interface RequestFacts {
  ip: string | null;
  userAgent: string;
  /** The name and email the browser's remember-me cookies hold, when it has them. */
  saved?: { author: string; email: string } | null;
}

export interface CommentingContext {
  db: Database;
  /** Runs the two posting statements (a pool of their own: platform/db/connection.ts). */
  postingDb: Database;
  flood: FloodControl;
  heldMailBudget: HeldMailBudget;
  secret: string;
  baseUrl: string;
  now: () => number;
}

export type PostCommentOutcome =
  | { kind: 'stored'; commentId: string; status: CommentStatus; approvedOnArticle?: number }
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
const DAY_MS = 24 * 60 * 60 * 1000;

export function areCommentsOpen(article: ArticleRow, settings: DiscussionSettings, nowMs: number): boolean {
  if (!article.comments_open) return false;
  if (!settings.closeOldArticles || !article.published_at) return true;
  return nowMs - article.published_at.getTime() <= settings.closeAfterDays * DAY_MS;
}

function parentProblem(parentId: string | null, facts: PostingFacts, articleId: string): string | undefined {
  if (parentId === null) return undefined;
  if (!facts.parent || facts.parent.article_id !== articleId) return PARENT_MISSING;
  if (facts.parent.status !== 'approved') return PARENT_NOT_PUBLISHED;
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
  facts: PostingFacts,
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
      previouslyApproved: facts.previouslyApproved,
      savedDetails: hasSavedDetails(request.saved, submission),
      honeypotFilled: submission.honeypotFilled,
      secondsSinceRender,
      block: facts.block ? `${facts.block.kind} ${facts.block.value}` : null,
    },
  );
}

const alreadyStored = (comment: { id: string; status: CommentStatus }): PostCommentOutcome => ({ kind: 'stored', commentId: comment.id, status: comment.status });

/** The comment a resent form already stored (double click, browser retry), when it is for this article. */
async function storedBefore(db: Database, submissionId: string | null, articleId: string): Promise<PostCommentOutcome | null> {
  if (!submissionId) return null;
  const earlier = await findCommentBySubmissionId(db, submissionId);
  return earlier?.article_id === articleId ? alreadyStored(earlier) : null;
}

/**
 * The whole decision for one posted comment, in the contract's order:
 * closed; the form (an expired stamp, the parent); duplicate; flood; then
 * the discussion rules choose its status. The facts, the flood counters
 * among them, are read in one statement, so a flood is refused before the
 * rules read a word of the text; the comment, its flood count and its mail
 * are stored in another, all or nothing, which counts the flood again.
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
  const { db, postingDb } = context;
  const comment = {
    article_id: article.id,
    parent_id: submission.parentId,
    author_name: submission.authorName,
    author_email: submission.authorEmail,
    author_url: submission.authorUrl,
    body: submission.body,
  };
  const flood = context.flood.countingFor(request.ip, submission.authorEmail);
  const facts = await readPostingFacts(postingDb, { submissionId: submission.submissionId, comment, ip: request.ip, flood });
  let submissionId = submission.submissionId;
  if (facts.earlier?.article_id === article.id) return alreadyStored(facts.earlier);
  // The same id on another article is a forged or broken form, not a resend.
  if (facts.earlier) submissionId = null;

  const problem = parentProblem(submission.parentId, facts, article.id);
  if (problem) return { kind: 'invalid', errors: { parent_id: problem } };
  if (facts.duplicate) return { kind: 'duplicate' };
  const floodWait = context.flood.waitBefore(facts.flood, context.now());
  if (floodWait > 0) return { kind: 'flooded', retryAfterSeconds: floodWait };

  const { status, reasons } = decide(rules, submission, request, facts, secondsSinceRender);
  const mailEvent = {
    baseUrl: context.baseUrl,
    secret: context.secret,
    settings: rules,
    article,
    comment: { id: facts.newId, ...comment, status },
    parent: facts.parent,
    reasons: reasons.map((reason) => reason.text),
    nowMs: context.now(),
    heldMailBudget: context.heldMailBudget,
  };
  const mail = mailForNewComment(mailEvent);
  const result = await storePostedComment(postingDb, {
    comment: {
      id: facts.newId,
      ...comment,
      status,
      status_reasons: reasons,
      approved_at: status === 'approved' ? new Date(context.now()) : null,
      ip: request.ip,
      user_agent: request.userAgent.slice(0, 512),
      submission_id: submissionId,
      notify_on_reply: submission.notifyOnReply,
      notify_on_approval: submission.notifyOnApproval,
    },
    flood,
    staffMail: mail.staff,
    commenterMail: mail.commenter,
  });
  if (result.storedId !== null) {
    noteNewCommentMailQueued(mailEvent, mail.staff);
    return { kind: 'stored', commentId: result.storedId, status, approvedOnArticle: facts.approvedOnArticle };
  }
  // Not stored: a flood counter was over, or a copy of this very form got in
  // first. The copy holds the counters until it commits, so by now it can be read.
  const copy = await storedBefore(db, submissionId, article.id);
  if (copy) return copy;
  const retryAfterSeconds = context.flood.waitAfter(result.flood, context.now());
  if (retryAfterSeconds > 0) return { kind: 'flooded', retryAfterSeconds };
  throw new Error('a comment was neither stored nor refused');
}

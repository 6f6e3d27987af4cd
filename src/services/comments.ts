import type { Database } from '../db/connection.js';
import type { ArticleRow } from '../queries/articles.js';
import { findMatchingBlock } from '../queries/blocks.js';
import {
  findComment,
  findCommentBySubmissionId,
  findDuplicateComment,
  hasApprovedComment,
  insertComment,
  type CommentRow,
  type CommentStatus,
} from '../queries/comments.js';
import { loadDiscussionSettings } from '../queries/settings.js';
import type { CommentSubmission, FieldErrors } from './comment-form.js';
import { decideComment, type Decision } from './discussion-rules.js';
import type { DiscussionSettings } from './discussion-settings.js';
import type { FloodControl } from './flood-control.js';
import { queueNotificationsForNewComment } from './comment-notifications.js';
import { secondsSinceStamp } from './signed-tokens.js';

export interface RequestFacts {
  ip: string | null;
  userAgent: string;
}

export interface CommentingContext {
  db: Database;
  flood: FloodControl;
  secret: string;
  baseUrl: string;
  now: () => number;
}

export type PostCommentOutcome =
  | { kind: 'stored'; commentId: string; status: CommentStatus }
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'duplicate' }
  | { kind: 'closed' }
  | { kind: 'flooded'; retryAfterSeconds: number };

export const DUPLICATE_MESSAGE = 'Duplicate comment detected; it looks as though you’ve already said that!';
export const CLOSED_MESSAGE = 'Comments are closed on this article.';
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

async function checkParent(db: Database, articleId: string, parentId: string | null) {
  if (parentId === null) return { parent: null, problem: undefined };
  const parent = await findComment(db, parentId);
  if (!parent || parent.article_id !== articleId) return { parent: null, problem: PARENT_MISSING };
  if (parent.status !== 'approved') return { parent: null, problem: PARENT_NOT_PUBLISHED };
  return { parent, problem: undefined };
}

async function decide(
  context: CommentingContext,
  settings: DiscussionSettings,
  submission: CommentSubmission,
  facts: RequestFacts,
): Promise<Decision> {
  const [previouslyApproved, block] = await Promise.all([
    hasApprovedComment(context.db, submission.authorName, submission.authorEmail),
    findMatchingBlock(context.db, submission.authorEmail, facts.ip),
  ]);
  return decideComment(
    {
      authorName: submission.authorName,
      authorEmail: submission.authorEmail,
      authorUrl: submission.authorUrl,
      body: submission.body,
      ip: facts.ip ?? '',
      userAgent: facts.userAgent,
    },
    settings,
    {
      previouslyApproved,
      honeypotFilled: submission.honeypotFilled,
      secondsSinceRender: secondsSinceStamp(context.secret, submission.renderedAt, context.now()),
      block: block ? `${block.kind} ${block.value}` : null,
    },
  );
}

/**
 * The whole decision for one posted comment, in WordPress's order: closed,
 * parent, duplicate, flood; then the discussion rules choose its status.
 * The comment and the mail it causes are stored in one transaction.
 */
export async function postComment(
  context: CommentingContext,
  article: ArticleRow,
  submission: CommentSubmission,
  facts: RequestFacts,
  settings?: DiscussionSettings,
): Promise<PostCommentOutcome> {
  const rules = settings ?? (await loadDiscussionSettings(context.db));
  if (!areCommentsOpen(article, rules, context.now())) return { kind: 'closed' };
  return context.db.transaction(async (trx) => {
    // Two copies of one submission (a double click) wait for each other here,
    // so the second finds the first one's comment instead of a flood limit.
    if (submission.submissionId) {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [submission.submissionId]);
    }
    return storeIfAllowed({ ...context, db: trx }, article, submission, facts, rules);
  });
}

async function storeIfAllowed(
  context: CommentingContext,
  article: ArticleRow,
  submission: CommentSubmission,
  facts: RequestFacts,
  rules: DiscussionSettings,
): Promise<PostCommentOutcome> {
  const { db } = context;
  let submissionId = submission.submissionId;
  if (submissionId) {
    const earlier = await findCommentBySubmissionId(db, submissionId);
    if (earlier?.article_id === article.id) return { kind: 'stored', commentId: earlier.id, status: earlier.status };
    if (earlier) submissionId = null;
  }

  const { parent, problem } = await checkParent(db, article.id, submission.parentId);
  if (problem) return { kind: 'invalid', errors: { parent_id: problem } };

  const comment = {
    article_id: article.id,
    parent_id: submission.parentId,
    author_name: submission.authorName,
    author_email: submission.authorEmail,
    author_url: submission.authorUrl,
    body: submission.body,
  };
  if (await findDuplicateComment(db, comment)) return { kind: 'duplicate' };
  const retryAfterSeconds = await context.flood.take(db, facts.ip, submission.authorEmail);
  if (retryAfterSeconds > 0) return { kind: 'flooded', retryAfterSeconds };

  const { status, reasons } = await decide(context, rules, submission, facts);
  const commentId = await insertComment(db, {
    ...comment,
    status,
    status_reasons: JSON.stringify(reasons),
    approved_at: status === 'approved' ? new Date(context.now()) : null,
    ip: facts.ip,
    user_agent: facts.userAgent.slice(0, 512),
    submission_id: submissionId,
    notify_on_reply: submission.notifyOnReply,
    notify_on_approval: submission.notifyOnApproval,
  });
  await queueNotificationsForNewComment(db, {
    baseUrl: context.baseUrl,
    secret: context.secret,
    settings: rules,
    article,
    comment: { id: commentId, ...comment, status },
    parent: parent as CommentRow | null,
    reasons: reasons.map((reason) => reason.text),
    nowMs: context.now(),
  });
  return { kind: 'stored', commentId, status };
}

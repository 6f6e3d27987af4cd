import type { Database } from '../db/connection.js';
import type { ArticleRow } from '../queries/articles.js';
import {
  findComment,
  findCommentBySubmissionId,
  findDuplicateComment,
  insertComment,
  type CommentStatus,
} from '../queries/comments.js';
import type { CommentSubmission, FieldErrors } from './comment-form.js';

export interface RequestFacts {
  ip: string | null;
  userAgent: string;
}

export type PostCommentOutcome =
  | { kind: 'stored'; commentId: string; status: CommentStatus }
  | { kind: 'invalid'; errors: FieldErrors }
  | { kind: 'duplicate' }
  | { kind: 'closed' };

export const DUPLICATE_MESSAGE = 'Duplicate comment detected; it looks as though you’ve already said that!';
export const CLOSED_MESSAGE = 'Comments are closed on this article.';
const PARENT_MISSING = 'The comment you are replying to could not be found.';
const PARENT_NOT_PUBLISHED = 'You can only reply to a comment that has been published.';

export interface StatusReason {
  code: string;
  text: string;
}

/** Until discussion rules exist, every new comment waits for a moderator, and says so. */
function decideInitialStatus(): { status: CommentStatus; reasons: StatusReason[] } {
  return { status: 'pending', reasons: [{ code: 'manual_approval', text: 'manual approval required' }] };
}

async function checkParent(db: Database, articleId: string, parentId: string | null) {
  if (parentId === null) return undefined;
  const parent = await findComment(db, parentId);
  if (!parent || parent.article_id !== articleId) return PARENT_MISSING;
  if (parent.status !== 'approved') return PARENT_NOT_PUBLISHED;
  return undefined;
}

export async function postComment(
  db: Database,
  article: ArticleRow,
  submission: CommentSubmission,
  facts: RequestFacts,
): Promise<PostCommentOutcome> {
  if (!article.comments_open) return { kind: 'closed' };

  let submissionId = submission.submissionId;
  if (submissionId) {
    const earlier = await findCommentBySubmissionId(db, submissionId);
    if (earlier?.article_id === article.id) {
      return { kind: 'stored', commentId: earlier.id, status: earlier.status };
    }
    if (earlier) submissionId = null;
  }

  const parentProblem = await checkParent(db, article.id, submission.parentId);
  if (parentProblem) return { kind: 'invalid', errors: { parent_id: parentProblem } };

  const comment = {
    article_id: article.id,
    parent_id: submission.parentId,
    author_name: submission.authorName,
    author_email: submission.authorEmail,
    author_url: submission.authorUrl,
    body: submission.body,
  };
  if (await findDuplicateComment(db, comment)) return { kind: 'duplicate' };

  const { status, reasons } = decideInitialStatus();
  const commentId = await insertComment(db, {
    ...comment,
    status,
    status_reasons: JSON.stringify(reasons),
    ip: facts.ip,
    user_agent: facts.userAgent.slice(0, 512),
    submission_id: submissionId,
  });
  return { kind: 'stored', commentId, status };
}

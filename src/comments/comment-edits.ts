import type { Database } from '../platform/db/connection.js';
import type { ArticleRow } from '../articles/index.js';
import { findMatchingBlock } from '../moderation/index.js';
import { hashedCommenter } from '../moderation/index.js';
import { countEditAttempt, findOwnComment, saveCommenterChange, type OwnCommentRow, type StoredReason } from './comment-edit-queries.js';
import { hasOtherApprovedComment } from './comment-queries.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { queueNotificationsForNewComment } from '../mail/index.js';
import { decideComment, type CommentCandidate, type Decision, type DecidedStatus } from './discussion-rules.js';
import type { DiscussionSettings } from '../settings/index.js';
import type { HeldMailBudget } from '../mail/index.js';
import { withinEditWindow } from './self-service.js';

/**
 * A commenter's own edit and withdrawal. An edit can only make a comment's
 * standing stricter: a published comment stays published unless the new
 * words newly trip a rule, a held one stays held, spam stays spam; and once
 * a moderator has moved or edited the comment, its author can change nothing.
 */

export const EDIT_LIMITS = {
  windowMs: 60 * 1000,
  perComment: 5,
  perAddress: 10,
} as const;

export interface CommentEditText {
  body: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
}

export interface EditContext {
  db: Database;
  now: () => number;
  baseUrl: string;
  secret: string;
  heldMailBudget: HeldMailBudget;
}

/** Where a comment stands for its author's edit page. */
export type OwnCommentState = 'open' | 'withdrawn' | 'moderated' | 'closed' | 'too-late';

export function ownCommentState(comment: OwnCommentRow, nowMs: number): OwnCommentState {
  const moderated = comment.moderated_at !== null || comment.moderator_edited_at !== null;
  if (comment.status === 'trash' && !moderated && comment.status_reasons.some((reason) => reason.code === 'withdrawn')) return 'withdrawn';
  if (moderated) return 'moderated';
  if (comment.status === 'trash') return 'closed';
  if (!withinEditWindow(comment.created_at, nowMs)) return 'too-late';
  return 'open';
}

/** Reasons the words themselves give (links, listed words): what an edit of a published comment may newly trip. */
const WORD_RULES = new Set(['too_many_links', 'moderation_word', 'disallowed_word']);
const SPAM_RULES = new Set(['disallowed_word', 'blocked']);

const sameReason = (a: StoredReason, b: StoredReason) => a.code === b.code && (a.code === 'too_many_links' || a.text === b.text);

/**
 * The status and reasons after an edit, from the rules' decision on the
 * words before and after it. `before` is decided without a block, so a
 * block that matches now always counts.
 */
export function planEditStatus(
  current: { status: DecidedStatus; reasons: StoredReason[] },
  before: Decision,
  after: Decision,
): { status: DecidedStatus; reasons: StoredReason[] } {
  if (current.status === 'spam') return current;
  const fresh = after.reasons.filter((reason) => !before.reasons.some((old) => sameReason(old, reason)));
  if (current.status === 'approved') {
    const tripped = fresh.filter((reason) => WORD_RULES.has(reason.code) || reason.code === 'blocked');
    if (tripped.length === 0) return current;
    return { status: tripped.some((reason) => SPAM_RULES.has(reason.code)) ? 'spam' : 'pending', reasons: tripped };
  }
  if (after.status === 'spam') return { status: 'spam', reasons: after.reasons };
  // Held it stays: the reasons it was held for stand, and any new one joins them.
  return {
    status: 'pending',
    reasons: [...current.reasons, ...fresh.filter((reason) => !current.reasons.some((old) => sameReason(old, reason)))],
  };
}

const candidateOf = (text: CommentEditText, comment: OwnCommentRow): CommentCandidate => ({
  ...text,
  ip: comment.ip ?? '',
  userAgent: comment.user_agent,
});

function decideEdit(
  comment: OwnCommentRow,
  text: CommentEditText,
  settings: DiscussionSettings,
  facts: { previouslyApproved: boolean; block: string | null },
) {
  const judge = (candidate: CommentCandidate, block: string | null) =>
    decideComment(candidate, settings, {
      previouslyApproved: facts.previouslyApproved,
      honeypotFilled: false,
      secondsSinceRender: Number.POSITIVE_INFINITY,
      block,
    });
  const original = {
    body: comment.body,
    authorName: comment.author_name,
    authorEmail: comment.author_email,
    authorUrl: comment.author_url,
  };
  return planEditStatus(
    { status: comment.status as DecidedStatus, reasons: comment.status_reasons },
    judge(candidateOf(original, comment), null),
    judge(candidateOf(text, comment), facts.block),
  );
}

/** Seconds to wait before this address may edit this comment again; 0 when it may now. */
export async function editWait(context: EditContext, commentId: string, ip: string | null): Promise<number> {
  const nowMs = context.now();
  const keys = [`edit:comment:${commentId}`, ...(ip ? [`edit:ip:${ip}`] : [])];
  const counts = await countEditAttempt(context.db, keys, EDIT_LIMITS.windowMs, nowMs);
  const over = counts.filter(({ key, points }) => points > (key.startsWith('edit:ip:') ? EDIT_LIMITS.perAddress : EDIT_LIMITS.perComment));
  return Math.max(0, ...over.map(({ expiresAtMs }) => Math.max(1, Math.ceil((expiresAtMs - nowMs) / 1000))));
}

export type EditOutcome = { kind: 'saved'; status: DecidedStatus } | { kind: 'refused'; now: OwnCommentRow | null };

/**
 * Decides the edit from the comment as read, then writes it only if the row
 * is still that one (same version and status, untouched by a moderator);
 * otherwise nothing is written and the caller learns how it stands now.
 */
export async function editOwnComment(
  context: EditContext,
  comment: OwnCommentRow,
  text: CommentEditText,
  article: ArticleRow,
): Promise<EditOutcome> {
  const { db } = context;
  const [settings, otherApproved, block] = await Promise.all([
    loadDiscussionSettings(db),
    hasOtherApprovedComment(db, comment, text.authorName, text.authorEmail),
    findMatchingBlock(db, text.authorEmail, comment.ip, hashedCommenter(context.secret, text.authorEmail, comment.ip)),
  ]);
  // A published comment counts itself: it was approved, whatever name it now carries.
  const previouslyApproved = comment.status === 'approved' || otherApproved;
  const verdict = decideEdit(comment, text, settings, { previouslyApproved, block: block ? `${block.kind} ${block.value}` : null });
  const change = {
    body: text.body,
    author_name: text.authorName,
    author_email: text.authorEmail,
    author_url: text.authorUrl,
    status: verdict.status,
    status_reasons: verdict.reasons,
  };
  const saved = await saveCommenterChange(db, comment, change, 'edit', new Date(context.now()));
  if (!saved) return { kind: 'refused', now: await findOwnComment(db, comment.id) };
  // A published comment that an edit sends back to the queue must not wait there unnoticed.
  if (comment.status === 'approved' && verdict.status === 'pending') {
    await queueNotificationsForNewComment(db, {
      baseUrl: context.baseUrl,
      secret: context.secret,
      settings,
      article,
      comment: { id: comment.id, status: 'pending', author_name: text.authorName, author_email: text.authorEmail, body: text.body },
      parent: null,
      reasons: verdict.reasons.map((reason) => reason.text),
      nowMs: context.now(),
      heldMailBudget: context.heldMailBudget,
    });
  }
  return { kind: 'saved', status: verdict.status };
}

/** The commenter takes the comment back (to the trash), under the same guard as an edit. */
export async function withdrawCommentByAuthor(context: EditContext, comment: OwnCommentRow): Promise<boolean> {
  return saveCommenterChange(
    context.db,
    comment,
    { status: 'trash', status_reasons: [{ code: 'withdrawn', text: 'withdrawn by its author' }] },
    'status',
    new Date(context.now()),
  );
}

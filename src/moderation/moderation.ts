import type { CommentStatus } from '../comments/index.js';
import type { QueueView } from './queue-address.js';

/** The moderation rules: which action moves which status where, and what the moderator is told. No I/O. */

export const BULK_ACTIONS = ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export type SkipReason = 'unchanged' | 'not-allowed';
export type Move = { kind: 'status'; to: CommentStatus } | { kind: 'delete' } | { kind: 'skip'; reason: SkipReason };

const toStatus = (to: CommentStatus): Move => ({ kind: 'status', to });
const skip = (reason: SkipReason): Move => ({ kind: 'skip', reason });

/**
 * What one bulk action does to one comment. `previous` is the status it had
 * before it reached its current one (from the log), used by restore.
 */
export function planAction(action: BulkAction, current: CommentStatus, previous: CommentStatus | null): Move {
  switch (action) {
    case 'approve':
      return current === 'approved' ? skip('unchanged') : toStatus('approved');
    case 'unapprove':
      return current === 'approved' ? toStatus('pending') : skip('not-allowed');
    case 'spam':
      return current === 'spam' ? skip('unchanged') : toStatus('spam');
    case 'trash':
      return current === 'trash' ? skip('unchanged') : toStatus('trash');
    case 'restore':
      // As WordPress: out of trash or spam, back to where it was (held, when nobody knows).
      if (current !== 'trash' && current !== 'spam') return skip('not-allowed');
      if (!previous || previous === current || (current === 'spam' && previous === 'trash')) return toStatus('pending');
      return toStatus(previous);
    case 'delete':
      return current === 'spam' || current === 'trash' ? { kind: 'delete' } : skip('not-allowed');
  }
}

/** A single comment set to a status: any status may go to any other. */
export function planStatusChange(current: CommentStatus, target: CommentStatus): Move {
  return current === target ? skip('unchanged') : toStatus(target);
}

export interface StatusChange {
  id: string;
  from: CommentStatus;
  to: CommentStatus;
}

/** Undo puts a comment back only if nobody has moved it since. */
export function planUndo(change: StatusChange, current: CommentStatus): Move {
  return current === change.to ? toStatus(change.from) : skip('not-allowed');
}

/** Every status change can be undone (the `z` key and the Undo button); a permanent delete cannot. */
export function isUndoable(action: BulkAction | CommentStatus): boolean {
  return action !== 'delete';
}

const replies = (n: number) => `${n} approved repl${n === 1 ? 'y' : 'ies'}`;

/** What the Trash button asks first when readers see replies under the comment; null when there are none. */
export function trashWarning(approvedReplies: number): string | null {
  if (approvedReplies <= 0) return null;
  return `This comment has ${replies(approvedReplies)}; they will stay on the article under a 'comment removed' placeholder. Move it to the trash?`;
}

/** The bulk form's question, with N to be filled in by its script from the checked rows. */
export const BULK_TRASH_WARNING =
  "The selected comments have N approved replies; they will stay on the article under a 'comment removed' placeholder. Move them to the trash?";

/** The confirmation of "Empty spam" / "Empty trash": the count is what the moderator agrees to delete. */
export function emptyStatusConfirm(status: 'spam' | 'trash', count: number): string {
  const where = status === 'spam' ? 'in spam' : 'in the trash';
  return `Delete all ${count} comment${count === 1 ? '' : 's'} ${where} permanently? This cannot be undone.`;
}

export interface RowAction {
  label: string;
  /** Where the button posts: a status change, a restore, or a permanent delete. */
  kind: 'status' | 'restore' | 'delete';
  status?: CommentStatus;
  /** The keyboard shortcut that presses it. */
  key?: string;
  tone: 'primary' | 'normal' | 'danger';
}

const ROW_ACTIONS: Record<CommentStatus, RowAction[]> = {
  pending: [
    { label: 'Approve', kind: 'status', status: 'approved', key: 'a', tone: 'primary' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'danger' },
  ],
  approved: [
    { label: 'Unapprove', kind: 'status', status: 'pending', key: 'u', tone: 'normal' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'danger' },
  ],
  spam: [
    { label: 'Not spam', kind: 'status', status: 'pending', key: 'u', tone: 'normal' },
    { label: 'Approve', kind: 'status', status: 'approved', key: 'a', tone: 'primary' },
    { label: 'Trash', kind: 'status', status: 'trash', key: 't', tone: 'normal' },
    { label: 'Delete permanently', kind: 'delete', tone: 'danger' },
  ],
  trash: [
    { label: 'Restore', kind: 'restore', key: 'u', tone: 'primary' },
    { label: 'Spam', kind: 'status', status: 'spam', key: 's', tone: 'normal' },
    { label: 'Delete permanently', kind: 'delete', tone: 'danger' },
  ],
};

/** The buttons a row in this status offers. */
export function rowActions(status: CommentStatus): RowAction[] {
  return ROW_ACTIONS[status];
}

/** Only live discussion gets a reply: nobody answers spam or trash. */
export function canReplyTo(status: CommentStatus): boolean {
  return status === 'pending' || status === 'approved';
}

/** Replying to a held comment publishes it first: a site would not answer what readers cannot see. */
export function planReplyParent(status: CommentStatus): Move {
  if (status === 'pending') return toStatus('approved');
  return status === 'approved' ? skip('unchanged') : skip('not-allowed');
}

const BULK_LABELS: Record<BulkAction, string> = {
  approve: 'Approve',
  unapprove: 'Unapprove',
  spam: 'Mark as spam',
  trash: 'Move to trash',
  restore: 'Restore (not spam)',
  delete: 'Delete permanently',
};

const BULK_BY_VIEW: Record<QueueView, BulkAction[]> = {
  pending: ['approve', 'spam', 'trash'],
  approved: ['unapprove', 'spam', 'trash'],
  spam: ['restore', 'approve', 'trash', 'delete'],
  trash: ['restore', 'spam', 'delete'],
  all: ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'],
};

export function bulkActionsFor(view: QueueView): Array<{ value: BulkAction; label: string }> {
  return BULK_BY_VIEW[view].map((value) => ({ value, label: BULK_LABELS[value] }));
}

const PAST_TENSE: Record<BulkAction, string> = {
  approve: 'approved',
  unapprove: 'unapproved',
  spam: 'marked as spam',
  trash: 'moved to the trash',
  restore: 'restored',
  delete: 'deleted permanently',
};

const SKIP_EXPLANATION: Record<BulkAction, string> = {
  approve: 'already approved',
  unapprove: 'only approved comments can be unapproved',
  spam: 'already spam',
  trash: 'already in the trash',
  restore: 'only comments in spam or trash can be restored',
  delete: 'only comments in spam or trash can be deleted permanently',
};

const comments = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;

export interface ActionTally {
  done: number;
  unchanged: number;
  notAllowed: number;
  missing: number;
}

/** The flash message after an action, saying what was skipped and why. */
export function describeOutcome(action: BulkAction, tally: ActionTally): string {
  const parts: string[] = [];
  if (tally.done > 0) parts.push(`${tally.done === 1 ? '1 comment' : comments(tally.done)} ${PAST_TENSE[action]}.`);
  else parts.push(`No comments ${PAST_TENSE[action]}.`);
  const skipped = tally.unchanged + tally.notAllowed;
  if (skipped > 0) parts.push(`${comments(skipped)} skipped: ${SKIP_EXPLANATION[action]}.`);
  if (tally.missing > 0) parts.push(`${comments(tally.missing)} no longer exist${tally.missing === 1 ? 's' : ''}.`);
  return parts.join(' ');
}

/** The bulk action a single-row status change amounts to, for its message. */
export function actionForStatus(from: CommentStatus, to: CommentStatus): BulkAction {
  if (to === 'approved') return 'approve';
  if (to === 'spam') return 'spam';
  if (to === 'trash') return 'trash';
  return from === 'approved' ? 'unapprove' : 'restore';
}

export interface LogEntryFacts {
  action: 'status' | 'delete' | 'edit' | 'reply' | 'erase';
  from_status: string | null;
  to_status: string | null;
}

/** One moderation log row in words. */
export function describeLogEntry(entry: LogEntryFacts): string {
  switch (entry.action) {
    case 'status':
      return `${entry.from_status ?? '?'} → ${entry.to_status ?? '?'}`;
    case 'delete':
      return `deleted permanently (was ${entry.from_status ?? 'unknown'})`;
    case 'edit':
      // A commenter's edit that changed the status says so; a moderator's edit keeps it.
      return entry.from_status !== entry.to_status ? `edited: ${entry.from_status ?? '?'} → ${entry.to_status ?? '?'}` : 'edited';
    case 'reply':
      return 'replied as the site';
    case 'erase':
      // A privacy erasure: the author's details went, and in `delete` mode the comment too.
      return entry.to_status ? 'author erased (anonymised)' : `author erased, comment deleted (was ${entry.from_status ?? 'unknown'})`;
  }
}

export interface StatusExplanation {
  /** Who put it in this state. */
  decidedBy: 'moderator' | 'block' | 'rules' | 'site';
  reasons: string[];
}

/**
 * Why a comment is where it is: a moderator's decision (blocking its author
 * among them), the site's own reply, or the rules at submission.
 */
export function explainStatus(comment: {
  status: CommentStatus;
  reasons: string[];
  moderated: boolean;
  isSiteReply: boolean;
  /** The stored reasons' codes; a moderator's block leaves `blocked`. */
  reasonCodes?: readonly string[];
}): StatusExplanation {
  if (comment.isSiteReply) return { decidedBy: 'site', reasons: ['a reply written by the site'] };
  if (comment.moderated && comment.status === 'spam' && comment.reasonCodes?.includes('blocked')) {
    return { decidedBy: 'block', reasons: comment.reasons };
  }
  if (comment.moderated) return { decidedBy: 'moderator', reasons: comment.reasons };
  const reasons =
    comment.reasons.length > 0 ? comment.reasons : [comment.status === 'approved' ? 'passed every check' : 'no reason recorded'];
  return { decidedBy: 'rules', reasons };
}

/** The address a site reply is stored under: the admin's name at the site's host. */
export function siteReplyEmail(username: string, baseUrl: string): string {
  return `${username}@${new URL(baseUrl).hostname}`.toLowerCase().slice(0, 100);
}

import type { CommentStatus } from '../comments/index.js';
import type { DiscussionSettings } from '../settings/index.js';

/**
 * What the clean-up job removes, given the time and the settings. Pure: the
 * job's queries take these cutoffs, so a test moves `now` instead of waiting.
 *
 * - Sent (or given-up) mail keeps its recipient, subject and text for
 *   `mailRetentionDays` after it was sent (or last tried).
 * - A comment keeps its IP address and user agent for `ipRetentionDays` from
 *   when it was posted while it is approved or in the trash; pending
 *   comments (not yet judged) and spam (what blocks are made from) keep them
 *   while they exist.
 * - Sessions and rate-limit counts go once expired.
 * - Invitation and password-reset links, and used recovery codes, go a day
 *   after they expire or are used: for that day a late click still hears
 *   "already used" or "expired" rather than "unknown".
 * - A two-factor enrolment begun and not confirmed within a day is dropped.
 */

export type RetentionSettings = Pick<DiscussionSettings, 'mailRetentionDays' | 'ipRetentionDays'>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The statuses whose comments lose their IP address and user agent after the retention period. */
export const IP_CLEARED_STATUSES = ['approved', 'trash'] as const satisfies readonly CommentStatus[];

export const SPENT_TOKEN_GRACE_MS = DAY_MS;
export const ABANDONED_ENROLMENT_MS = DAY_MS;

export interface RetentionCutoffs {
  now: Date;
  /** Mail sent (or last tried, if given up) before this loses its recipient, subject and text. */
  mailSentBefore: Date;
  /** Approved or trashed comments posted before this lose their IP address and user agent. */
  commentPostedBefore: Date;
  /** Links and recovery codes that expired or were used before this are deleted. */
  tokenSpentBefore: Date;
  /** Two-factor enrolments begun before this and still unconfirmed are dropped. */
  enrolmentBegunBefore: Date;
}

const before = (now: Date, ms: number) => new Date(now.getTime() - ms);

export function retentionCutoffs(now: Date, settings: RetentionSettings): RetentionCutoffs {
  return {
    now,
    mailSentBefore: before(now, settings.mailRetentionDays * DAY_MS),
    commentPostedBefore: before(now, settings.ipRetentionDays * DAY_MS),
    tokenSpentBefore: before(now, SPENT_TOKEN_GRACE_MS),
    enrolmentBegunBefore: before(now, ABANDONED_ENROLMENT_MS),
  };
}

export interface MailFacts {
  status: 'pending' | 'sent' | 'failed';
  sent_at: Date | null;
  next_attempt_at: Date;
}

/** Whether a mail's recipient, subject and text are due to be cleared (pending mail is still to be sent). */
export function mailTextDue(mail: MailFacts, cutoffs: RetentionCutoffs): boolean {
  if (mail.status === 'pending') return false;
  return (mail.sent_at ?? mail.next_attempt_at) < cutoffs.mailSentBefore;
}

/** Whether a comment's IP address and user agent are due to be cleared. */
export function commentIpDue(comment: { status: CommentStatus; created_at: Date }, cutoffs: RetentionCutoffs): boolean {
  return (IP_CLEARED_STATUSES as readonly CommentStatus[]).includes(comment.status) && comment.created_at < cutoffs.commentPostedBefore;
}

/** Whether a single-use link (or recovery code) is due to be deleted. */
export function tokenDue(token: { expires_at: Date | null; used_at: Date | null }, cutoffs: RetentionCutoffs): boolean {
  const spent = (at: Date | null) => at !== null && at < cutoffs.tokenSpentBefore;
  return spent(token.expires_at) || spent(token.used_at);
}

/** Whether an unconfirmed two-factor enrolment is abandoned. */
export function enrolmentAbandoned(enrolment: { pending_since: Date | null }, cutoffs: RetentionCutoffs): boolean {
  return enrolment.pending_since !== null && enrolment.pending_since < cutoffs.enrolmentBegunBefore;
}

/** Sessions and rate-limit windows: gone once over. */
export function expired(expiresAt: Date, cutoffs: RetentionCutoffs): boolean {
  return expiresAt < cutoffs.now;
}

/** "7 days", "1 day": the periods as the notice and the settings page say them. */
export function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`;
}

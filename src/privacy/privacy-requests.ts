import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DAY_MS } from '../platform/units.js';
import { signValue, verifySignedValue } from '../platform/signed-tokens.js';

/**
 * A person's request for their data (an export) or for its erasure, by
 * e-mail address. The rules here are pure: the confirmation link's token,
 * how long it lives, what state a request is in, and how erased values are
 * cut out of text that stays.
 */

export const REQUEST_KINDS = ['export', 'erase'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const ERASURE_MODES = ['anonymize', 'delete'] as const;
export type ErasureMode = (typeof ERASURE_MODES)[number];

export const ERASURE_MODE_LABELS: Record<ErasureMode, string> = {
  anonymize: 'Anonymise: the comments stay, under “Anonymous”',
  delete: 'Delete: the comments go too',
};

/** A confirmation link works once, for 7 days. */
export const CONFIRMATION_LIFETIME_MS = 7 * DAY_MS;

/** The name an anonymised comment is shown under. */
export const ANONYMOUS = 'Anonymous';

/** What an erased value is replaced by inside text that stays (a comment's words, a block's note). */
export const ERASED = '[removed]';

/** Requests from one IP address an hour on /your-data, and confirmation mails to one address a day. */
export const REQUESTS_PER_ADDRESS_HOURLY = 10;
export const MAILS_PER_EMAIL_DAILY = 3;

export const CONFIRM_REASON_MAX = 500;

/** An e-mail address as the comment form takes it (at most 100 characters there; 254 is the most any address has). */
export const emailField = z.string().trim().max(254).pipe(z.email());

const PURPOSE = 'privacy-request';

/** A confirmation link's token: random, signed so a forged one is refused before any lookup; only its SHA-256 is stored. */
export function newConfirmationToken(secret: string): { token: string; hash: Buffer } {
  const value = randomBytes(32).toString('base64url');
  return { token: signValue(secret, PURPOSE, value), hash: hashOf(value) };
}

/** The stored hash a link stands for; null for a forged or damaged link. */
export function confirmationHashOf(secret: string, token: unknown): Buffer | null {
  const value = verifySignedValue(secret, PURPOSE, token);
  return value === null ? null : hashOf(value);
}

const hashOf = (value: string) => createHash('sha256').update(value).digest();

export type RequestState = 'waiting' | 'expired' | 'confirmed' | 'done';

export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  waiting: 'Waiting for confirmation',
  expired: 'Expired unconfirmed',
  confirmed: 'Confirmed',
  done: 'Done',
};

export interface RequestFacts {
  expires_at: Date;
  confirmed_at: Date | null;
  completed_at: Date | null;
}

/** Where a request stands at `now`: a confirmed one stays usable until it is done. */
export function requestState(request: RequestFacts, now: Date): RequestState {
  if (request.completed_at) return 'done';
  if (request.confirmed_at) return 'confirmed';
  return request.expires_at.getTime() > now.getTime() ? 'waiting' : 'expired';
}

const escapeForPattern = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every (case-insensitive) occurrence of the erased values replaced; values shorter than 4 characters are left alone. */
export function withoutErasedValues(text: string, values: readonly string[]): string {
  const wanted = [...new Set(values.map((value) => value.trim()).filter((value) => value.length >= 4))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return text;
  return text.replace(new RegExp(wanted.map(escapeForPattern).join('|'), 'gi'), ERASED);
}

/** What an erasure changed, shown to the administrator and kept with the request (never the address). */
export interface ErasureReport {
  mode: ErasureMode;
  commentsAnonymized: number;
  commentsDeleted: number;
  subscriptionsRemoved: number;
  mailRemoved: number;
  blocksHashed: number;
  historyRemoved: number;
  requestsCleared: number;
}

export function describeReport(report: ErasureReport): string[] {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    report.mode === 'anonymize'
      ? `${count(report.commentsAnonymized, 'comment')} anonymised (text kept under “${ANONYMOUS}”)`
      : `${count(report.commentsDeleted, 'comment')} deleted`,
    `${count(report.subscriptionsRemoved, 'subscription or unsubscribe record')} removed`,
    `${count(report.mailRemoved, 'mail')} removed from the outbox`,
    `${count(report.blocksHashed, 'block')} kept as a keyed hash`,
    `${count(report.historyRemoved, 'self-edit history entry', 'self-edit history entries')} removed`,
    `${count(report.requestsCleared, 'privacy request')} cleared of the address`,
  ];
}

/** The rate-limit key of an address: a keyed hash, so the counters never hold the address itself. */
export function addressKey(secret: string, email: string): string {
  return createHmac('sha256', secret).update(`privacy-request\n${email.trim().toLowerCase()}`).digest('base64url');
}

import type { Database } from '../platform/db/connection.js';
import { insertAccountEvent } from './account-events-queries.js';

/**
 * The people feature's audit door: every account event (sign-in, password,
 * two-factor, role, invitation, status, deletion) is recorded through here
 * and shown on the account log (GET /admin/people/log).
 */

export const ACCOUNT_EVENT_KINDS = [
  'sign-in',
  'sign-in-failed',
  'two-factor-on',
  'two-factor-off',
  'password-changed',
  'password-reset',
  'role-changed',
  'invited',
  'invitation-accepted',
  'disabled',
  'enabled',
  'deleted',
  'created',
] as const;

export type AccountEventKind = (typeof ACCOUNT_EVENT_KINDS)[number];

export interface AccountEvent {
  kind: AccountEventKind;
  /** Who did it; null when nobody signed in did (a failed sign-in, a reset link, the command line). */
  actorId: string | null;
  /** Whose account it was about; null when no account matched (a failed sign-in with an unknown name). */
  subjectId: string | null;
  ip: string | null;
  /** A few words more (the new role, the name typed at a failed sign-in); never a secret. */
  detail?: string;
}

/** Records one account event; the names of actor and subject are kept with it, so the log outlives a deleted account. */
export async function recordAccountEvent(db: Database, event: AccountEvent): Promise<void> {
  await insertAccountEvent(db, { ...event, detail: event.detail ?? null });
}

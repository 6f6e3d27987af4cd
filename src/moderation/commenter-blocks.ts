import type { BlockKind } from './block-queries.js';
import type { StatusReason } from '../comments/index.js';
import { DAY_MS } from '../platform/units.js';

/** Blocking a commenter: what a comment can be blocked by, for how long, and what the moderator is told. No I/O. */

export const BLOCK_KINDS = ['email', 'ip', 'domain'] as const satisfies readonly BlockKind[];

export const BLOCK_KIND_LABELS: Record<BlockKind, string> = { email: 'Email', ip: 'IP address', domain: 'Email domain' };

/** How long a block lasts, as the row's form offers it; `never` is for good. */
export const BLOCK_DURATIONS = [
  { value: 'never', label: 'Until lifted', days: null },
  { value: '1', label: '1 day', days: 1 },
  { value: '7', label: '7 days', days: 7 },
  { value: '30', label: '30 days', days: 30 },
] as const;
export type BlockDuration = (typeof BLOCK_DURATIONS)[number]['value'];

export const BLOCK_NOTE_MAX = 500;

export interface Commenter {
  email: string;
  /** As PostgreSQL prints it (host()), so it compares equal to the address of a later request. */
  ip: string | null;
  isSiteReply: boolean;
}

/** The value a block of this kind would hold for this commenter; null when there is nothing to block by. */
export function blockValueFor(kind: BlockKind, commenter: Commenter): string | null {
  if (commenter.isSiteReply) return null;
  const email = commenter.email.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (kind === 'ip') return commenter.ip || null;
  if (at <= 0 || at === email.length - 1) return null;
  return kind === 'email' ? email : email.slice(at + 1);
}

/** The blocks a queue row offers, each with the value it would block. */
export function blockChoices(commenter: Commenter): Array<{ kind: BlockKind; label: string; value: string }> {
  return BLOCK_KINDS.flatMap((kind) => {
    const value = blockValueFor(kind, commenter);
    return value === null ? [] : [{ kind, label: BLOCK_KIND_LABELS[kind], value }];
  });
}

export function blockExpiry(duration: BlockDuration, at: Date): Date | null {
  const days = BLOCK_DURATIONS.find((choice) => choice.value === duration)?.days ?? null;
  return days === null ? null : new Date(at.getTime() + days * DAY_MS);
}

/** The reason stored on each comment a block moves to spam, worded as the discussion rules word it. */
export function blockedReason(kind: BlockKind, value: string): StatusReason & { code: 'blocked' } {
  return { code: 'blocked', text: `spam: blocked ${kind} ${value}` };
}

export function describeBlock(kind: BlockKind, value: string): string {
  return `${BLOCK_KIND_LABELS[kind].toLowerCase()} ${value}`;
}

/** The flash message after blocking: what is blocked, until when, and how many held comments went to spam. */
export function describeBlocking(kind: BlockKind, value: string, expiresAt: string | null, moved: number): string {
  const until = expiresAt ? ` until ${expiresAt}` : '';
  const swept = moved === 0 ? 'No pending comments matched.' : `${moved} pending comment${moved === 1 ? '' : 's'} moved to spam.`;
  return `Blocked ${describeBlock(kind, value)}${until}. ${swept}`;
}

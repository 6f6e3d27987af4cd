/**
 * WordPress mails the moderator once for every held comment. In a spam wave
 * that is thousands of mails a minute: the moderator stops reading them, and
 * the site's mail server gets throttled or listed as a spammer itself. So an
 * app process mails at most HELD_MAILS_PER_MINUTE held comments one by one
 * in any 60 seconds; past that, held comments fold into one mail per minute
 * saying more are waiting (one for the whole site: its dedupe key is the
 * minute's). The count is per process, kept in memory, because a shared
 * counter would be one row that every comment post on every instance locks.
 * Once a post that carried the minute's surge mail is stored, the process
 * stops sending that mail with every post for the rest of the minute.
 */
export const HELD_MAILS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

export interface HeldMailBudget {
  /** True when a held comment posted at `nowMs` may have a mail of its own (and counts it). */
  take(nowMs: number): boolean;
  /** True until this process has queued the surge mail for the minute of `nowMs`. */
  surgeStillToQueue(nowMs: number): boolean;
  /** Records that the surge mail for the minute of `nowMs` is in the outbox. */
  surgeQueued(nowMs: number): void;
}

export function createHeldMailBudget(perMinute = HELD_MAILS_PER_MINUTE): HeldMailBudget {
  // When the last `perMinute` mails were taken, oldest first from `next`.
  const takenAt: number[] = new Array<number>(perMinute).fill(Number.NEGATIVE_INFINITY);
  let next = 0;
  let surgeQueuedUntil = Number.NEGATIVE_INFINITY;
  return {
    take(nowMs) {
      if (nowMs - takenAt[next]! < WINDOW_MS) return false;
      takenAt[next] = nowMs;
      next = (next + 1) % perMinute;
      return true;
    },
    surgeStillToQueue: (nowMs) => nowMs >= surgeQueuedUntil,
    surgeQueued(nowMs) {
      surgeQueuedUntil = Math.max(surgeQueuedUntil, surgeMinute(nowMs).endMs);
    },
  };
}

/** The minute `nowMs` falls in: the surge mail for that minute is sent at its end. */
export function surgeMinute(nowMs: number): { startMs: number; endMs: number } {
  const startMs = Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
  return { startMs, endMs: startMs + WINDOW_MS };
}

import { signValue, verifySignedValue } from '../platform/signed-tokens.js';

/** A commenter may edit or withdraw their own comment for this long after posting. */
export const EDIT_WINDOW_MS = 15 * 60 * 1000;
const PURPOSE = 'comment-self-service';

export function selfServiceToken(secret: string, commentId: string): string {
  return signValue(secret, PURPOSE, commentId);
}

export function commentIdFromToken(secret: string, token: unknown): string | null {
  return verifySignedValue(secret, PURPOSE, token);
}

export function withinEditWindow(createdAt: Date, nowMs: number): boolean {
  return nowMs - createdAt.getTime() <= EDIT_WINDOW_MS;
}

export function minutesLeft(createdAt: Date, nowMs: number): number {
  return Math.max(0, Math.ceil((createdAt.getTime() + EDIT_WINDOW_MS - nowMs) / 60000));
}

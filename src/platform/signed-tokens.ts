import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Small HMAC-signed values for links and hidden fields that must not be
 * forged: `payload.signature`, the signature bound to a purpose.
 */
export function signValue(secret: string, purpose: string, payload: string): string {
  return `${payload}.${signature(secret, purpose, payload)}`;
}

export function verifySignedValue(secret: string, purpose: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 2000) return null;
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signature(secret, purpose, payload));
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
}

function signature(secret: string, purpose: string, payload: string): string {
  return createHmac('sha256', secret).update(`${purpose}\n${payload}`).digest('base64url');
}

const FORM_STAMP = 'comment-form-rendered-at';

/** The hidden time stamp of a rendered comment form. */
export function stampForm(secret: string, renderedAtMs: number): string {
  return signValue(secret, FORM_STAMP, String(Math.floor(renderedAtMs)));
}

/**
 * How long a rendered form may be sent as it is. Older, its stamp could be
 * a bot's copy kept to be replayed for ever: the form comes back with the
 * text kept and a fresh stamp.
 */
export const FORM_STAMP_MAX_AGE_SECONDS = 24 * 60 * 60;

export const isExpiredStamp = (secondsSinceRender: number | null) =>
  secondsSinceRender !== null && secondsSinceRender > FORM_STAMP_MAX_AGE_SECONDS;

/** Seconds since the form was rendered, or null when the stamp is missing, forged or from the future. */
export function secondsSinceStamp(secret: string, stamp: unknown, nowMs: number): number | null {
  const payload = verifySignedValue(secret, FORM_STAMP, stamp);
  if (payload === null || !/^\d{1,15}$/.test(payload)) return null;
  const seconds = (nowMs - Number(payload)) / 1000;
  return seconds < -5 ? null : Math.max(0, seconds);
}

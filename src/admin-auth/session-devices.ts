import type { NextFunction, Request, Response } from 'express';

/**
 * What the account page's list of sessions says about each: the browser's
 * user agent and the address it last came from, kept in the session itself.
 * The time it was last seen is requireAdmin's `lastSeenAt`.
 */

declare module 'express-session' {
  interface SessionData {
    userAgent: string;
    ip: string;
  }
}

const USER_AGENT_MAX = 300;

/**
 * Notes the device of a signed-in session. Cheap on every request: the
 * values are set only when they changed, and express-session writes a
 * session only when its contents changed, so the same browser at the same
 * address costs no write.
 */
export function noteSessionDevice(req: Request): void {
  const state = req.session;
  if (!state?.userId) return;
  const userAgent = (req.get('user-agent') ?? '').slice(0, USER_AGENT_MAX);
  const ip = req.ip ?? '';
  if (state.userAgent !== userAgent) state.userAgent = userAgent;
  if (state.ip !== ip) state.ip = ip;
}

/** noteSessionDevice as middleware, for the /admin stack after the session. */
export function noteSessionDeviceOnEachRequest(req: Request, _res: Response, next: NextFunction): void {
  noteSessionDevice(req);
  next();
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** A short name for a user agent ("Firefox on Linux"); the order of the lists matters, as every Chrome also says Safari. */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown browser';
}

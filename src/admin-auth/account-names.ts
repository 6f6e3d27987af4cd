/**
 * Names of admin accounts: the username one signs in with, and the display
 * name readers see on site replies and in mail.
 */

/** The same rule as the users table's CHECK: ASCII only, so case folding means one thing everywhere. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,60}$/;

/**
 * The form under which an account is looked up and its sign-in failures are
 * counted; null for a name no account can have. Folding ASCII only keeps the
 * two in step: PostgreSQL's lower() and JavaScript's toLowerCase() disagree
 * on letters such as İ and the Kelvin sign, which once let `ADMİN` sign in
 * as `admin` under a throttle key of its own.
 */
export function accountKey(username: string): string | null {
  const name = username.trim();
  return USERNAME_PATTERN.test(name) ? name.toLowerCase() : null;
}

/**
 * Shown when an account is created without a display name: it signs site
 * replies, so it must not give away the sign-in name (half of what an
 * attacker needs), and it should read naturally under a comment.
 */
export const DEFAULT_DISPLAY_NAME = 'Site admin';
export const MAX_DISPLAY_NAME_LENGTH = 60;

// Control characters, bidirectional overrides and isolates (they reorder the
// text around a name wherever it is shown), and Unicode noncharacters.
const UNSHOWABLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]/u;

/** Why a display name cannot be used, or null when it can (give it trimmed). */
export function displayNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter the name readers will see.';
  if ([...name].length > MAX_DISPLAY_NAME_LENGTH) return `The name must be at most ${MAX_DISPLAY_NAME_LENGTH} characters.`;
  if (UNSHOWABLE.test(name)) return 'The name contains an invisible control character. Remove it and try again.';
  return null;
}

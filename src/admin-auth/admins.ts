import { randomBytes } from 'node:crypto';
import type { Database } from '../platform/db/connection.js';
import { countUsers, findUserByUsername, insertUser, type UserRow } from './user-queries.js';
import { DEFAULT_DISPLAY_NAME, displayNameProblem, USERNAME_PATTERN } from './account-names.js';
import { hashPassword, passwordProblem } from './passwords.js';

export class AdminAccountError extends Error {}

/** A new admin; without a display name it signs replies as DEFAULT_DISPLAY_NAME, never as its username. */
export async function createAdmin(
  db: Database,
  username: string,
  password: string,
  options: { displayName?: string } = {},
): Promise<UserRow> {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AdminAccountError('A username is 1 to 60 letters, digits, dots, dashes or underscores.');
  }
  const displayName = options.displayName?.trim() ?? DEFAULT_DISPLAY_NAME;
  const nameProblem = displayNameProblem(displayName);
  if (nameProblem) throw new AdminAccountError(`Display name: ${nameProblem}`);
  const problem = passwordProblem(password);
  if (problem) throw new AdminAccountError(problem);
  if (await findUserByUsername(db, username)) {
    throw new AdminAccountError(`An account named "${username}" already exists.`);
  }
  return insertUser(db, { username, display_name: displayName, password_hash: await hashPassword(password) });
}

export type StartupAdmin =
  { kind: 'none' } | { kind: 'configured'; username: string } | { kind: 'generated'; username: string; password: string };

/**
 * At start: create ADMIN_USERNAME when it is missing; with no admin at all and
 * nothing configured, create `admin` with a random password shown once.
 */
export async function ensureStartupAdmin(db: Database, configured: { username?: string; password?: string }): Promise<StartupAdmin> {
  if (configured.username && configured.password) {
    if (await findUserByUsername(db, configured.username)) return { kind: 'none' };
    await createAdmin(db, configured.username, configured.password);
    return { kind: 'configured', username: configured.username };
  }
  if ((await countUsers(db)) > 0) return { kind: 'none' };
  const password = randomBytes(15).toString('base64url');
  await createAdmin(db, 'admin', password);
  return { kind: 'generated', username: 'admin', password };
}

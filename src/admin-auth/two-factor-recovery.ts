import type { Database } from '../platform/db/connection.js';
import { recordAccountEvent } from '../people/index.js';
import { AdminAccountError } from './admins.js';
import { deleteAllSessions } from './session-queries.js';
import { disableTwoFactor } from './two-factor-queries.js';
import { findUserByUsername, type UserRow } from './user-queries.js';

/**
 * For a site whose only way in is lost (an authenticator gone, its recovery
 * codes too, or the secret that encrypts the keys changed): whoever may run
 * commands on the server turns two-factor off for one account and ends its
 * sessions; they sign in with their password and enrol again.
 */
export async function turnOffTwoFactorFromCommandLine(db: Database, username: string): Promise<UserRow> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new AdminAccountError(`There is no account named "${username}".`);
  await disableTwoFactor(db, user.id);
  await deleteAllSessions(db, user.id);
  await recordAccountEvent(db, { kind: 'two-factor-off', actorId: null, subjectId: user.id, ip: null, detail: 'from the command line' });
  return user;
}

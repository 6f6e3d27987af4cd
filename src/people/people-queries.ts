import type { Database } from '../platform/db/connection.js';
import type { Role, UserRow } from '../admin-auth/index.js';

/** The people page's reads and writes: accounts with their two-factor state, and changes that keep one active Administrator. */

export interface PersonRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  status: 'active' | 'disabled';
  last_sign_in_at: Date | null;
  two_factor: boolean;
}

const UNIQUE_VIOLATION = '23505';

export async function listPeople(db: Database): Promise<PersonRow[]> {
  const rows = await db('users as u')
    .leftJoin('two_factor as t', 't.user_id', 'u.id')
    .select('u.id', 'u.username', 'u.display_name', 'u.email', 'u.role', 'u.status', 'u.last_sign_in_at')
    .select(db.raw('(t.enabled_at IS NOT NULL) AS two_factor'))
    .orderBy([{ column: 'u.username', order: 'asc' }]);
  return (rows as PersonRow[]).map((row) => ({ ...row, id: String(row.id), two_factor: row.two_factor === true }));
}

/**
 * Runs `change` with every active Administrator's row (and the subject's)
 * locked, in id order, so two requests cannot each remove "the other" last
 * Administrator. `change` is told the subject and how many other active
 * Administrators there are.
 */
export async function withAdministratorsLocked<T>(
  db: Database,
  subjectId: string,
  change: (trx: Database, subject: UserRow | null, otherAdministrators: number) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    const locked = await trx<UserRow>('users')
      .whereRaw(`(role = 'administrator' AND status = 'active') OR id = ?`, [subjectId])
      .orderBy('id')
      .forUpdate()
      .select('*');
    const subject = locked.find((row) => String(row.id) === subjectId) ?? null;
    const others = locked.filter((row) => String(row.id) !== subjectId && row.role === 'administrator' && row.status === 'active').length;
    return change(trx, subject, others);
  });
}

export async function updateRoleAndStatus(trx: Database, id: string, role: Role, status: 'active' | 'disabled'): Promise<void> {
  await trx('users').where({ id }).update({ role, status, updated_at: trx.fn.now() });
}

/** Ends every session of an account, on every instance: the sessions live in one table. */
export async function deleteAllSessionsOf(trx: Database, userId: string): Promise<void> {
  await trx('session').whereRaw(`sess->>'userId' = ?`, [userId]).delete();
}

/** Gives every article of `fromId` to `to`, then deletes the account and its sessions. */
export async function deletePersonTransferring(trx: Database, fromId: string, to: { id: string; displayName: string }): Promise<number> {
  const moved = await trx('articles')
    .where({ author_id: fromId })
    .update({ author_id: to.id, author_name: to.displayName, updated_at: trx.fn.now() });
  await deleteAllSessionsOf(trx, fromId);
  await trx('users').where({ id: fromId }).delete();
  return moved;
}

export type NewPerson = Pick<UserRow, 'username' | 'display_name' | 'email' | 'role' | 'password_hash'>;

/** A new account; null when the username or e-mail address is taken (the unique indexes decide, race or not). */
export async function insertPerson(db: Database, person: NewPerson): Promise<UserRow | null> {
  try {
    const [row] = await db<UserRow>('users').insert(person).returning('*');
    return row ?? null;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
    throw error;
  }
}

/** Whether a username (as sign-in folds it) or an e-mail address is already an account's. */
export async function findTaken(db: Database, username: string, email: string | null): Promise<{ username: boolean; email: boolean }> {
  const byName = await db('users').whereRaw('lower(username) = lower(?)', [username]).first<{ id: string } | undefined>('id');
  const byEmail = email
    ? await db('users').whereRaw('lower(email) = lower(?)', [email]).first<{ id: string } | undefined>('id')
    : undefined;
  return { username: byName !== undefined, email: byEmail !== undefined };
}

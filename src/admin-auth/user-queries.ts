import type { Database } from '../platform/db/connection.js';
import { accountKey } from './account-names.js';

/** The contract's roles, most powerful first. */
export const ROLES = ['administrator', 'editor', 'author', 'moderator'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  /** For invitations and password resets; null for an account made without one. */
  email: string | null;
  status: 'active' | 'disabled';
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The account a name signs in as, folded as the sign-in throttle folds it (accountKey). */
export async function findUserByUsername(db: Database, username: string): Promise<UserRow | null> {
  const key = accountKey(username);
  if (key === null) return null;
  return (await db<UserRow>('users').whereRaw('lower(username) = ?', [key]).first()) ?? null;
}

export async function findUserById(db: Database, id: string): Promise<UserRow | null> {
  return (await db<UserRow>('users').where({ id }).first()) ?? null;
}

export async function countUsers(db: Database): Promise<number> {
  const row = await db('users').count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

export async function updateDisplayName(db: Database, id: string, displayName: string): Promise<void> {
  await db('users').where({ id }).update({ display_name: displayName, updated_at: db.fn.now() });
}

export async function insertUser(db: Database, user: Pick<UserRow, 'username' | 'display_name' | 'password_hash'>): Promise<UserRow> {
  const [row] = await db<UserRow>('users').insert(user).returning('*');
  return row as UserRow;
}

export async function updatePasswordHash(db: Database, id: string, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
}

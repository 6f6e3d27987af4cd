import type { Database } from '../db/connection.js';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: 'admin';
  created_at: Date;
  updated_at: Date;
}

export async function findUserByUsername(db: Database, username: string): Promise<UserRow | null> {
  return (await db<UserRow>('users').whereRaw('lower(username) = lower(?)', [username]).first()) ?? null;
}

export async function findUserById(db: Database, id: string): Promise<UserRow | null> {
  return (await db<UserRow>('users').where({ id }).first()) ?? null;
}

export async function countUsers(db: Database): Promise<number> {
  const row = await db('users').count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

export async function insertUser(
  db: Database,
  user: Pick<UserRow, 'username' | 'display_name' | 'password_hash'>,
): Promise<UserRow> {
  const [row] = await db<UserRow>('users').insert(user).returning('*');
  return row as UserRow;
}

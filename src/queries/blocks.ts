import type { Knex } from 'knex';
import type { Database } from '../db/connection.js';

export type BlockKind = 'email' | 'ip' | 'domain';

export interface BlockRow {
  id: string;
  kind: BlockKind;
  value: string;
  note: string;
  expires_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

function whereActive(query: Knex.QueryBuilder, db: Database) {
  query.where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()));
}

/** The first active block matching this commenter's email, its domain, or IP. */
export async function findMatchingBlock(db: Database, email: string, ip: string | null): Promise<BlockRow | null> {
  const domain = email.split('@').pop()?.toLowerCase() ?? '';
  const row = await db<BlockRow>('commenter_blocks')
    .where((match) => {
      match.where((q) => q.where({ kind: 'email' }).whereRaw('lower(value) = lower(?)', [email]));
      match.orWhere((q) => q.where({ kind: 'domain' }).whereRaw('lower(value) = ?', [domain]));
      if (ip) match.orWhere((q) => q.where({ kind: 'ip' }).where({ value: ip }));
    })
    .modify((query) => whereActive(query, db))
    .orderBy('id')
    .first();
  return row ?? null;
}

export async function listActiveBlocks(db: Database): Promise<BlockRow[]> {
  return db<BlockRow>('commenter_blocks').modify((query) => whereActive(query, db)).orderBy('created_at', 'desc');
}

export async function deleteBlock(db: Database, id: string): Promise<number> {
  return db('commenter_blocks').where({ id }).delete();
}

import type { Knex } from 'knex';
import type { Database, SqlPart } from '../platform/db/connection.js';
import { lockCountsOf, logRow, type Actor } from './moderation-queries.js';
import { HASHED_BLOCK_LABEL, type HashedCommenter } from './block-hash.js';

export type BlockKind = 'email' | 'ip' | 'domain';

export interface BlockRow {
  id: string;
  kind: BlockKind;
  value: string;
  note: string;
  expires_at: Date | null;
  created_by: string | null;
  created_at: Date;
  /** The value is a keyed hash (block-hash.ts): the commenter it blocks was erased. */
  hashed: boolean;
}

export interface ListedBlock extends BlockRow {
  /** Null once that admin is removed. */
  created_by_name: string | null;
}

export interface NewBlock {
  kind: BlockKind;
  value: string;
  note: string;
  expires_at: Date | null;
}

/** A where() group: the block in `column`'s row has not expired. */
function active(db: Database, column = 'expires_at') {
  return (q: Knex.QueryBuilder) => {
    q.whereNull(column).orWhere(column, '>', db.fn.now());
  };
}

/**
 * Active blocks matching this commenter's email, its domain, or IP (as such
 * or by their keyed hash), oldest first: a SELECT of commenter_blocks rows.
 * One text whatever is missing (a missing value matches nothing), so the
 * statement it is part of can be prepared once.
 */
export function matchingBlocksSql(email: string, ip: string | null, hashed: HashedCommenter): SqlPart {
  return {
    // The domain is what follows the email's last @, taken in SQL so the email is the only value bound.
    sql: `SELECT * FROM commenter_blocks
           WHERE ((kind = 'email' AND NOT hashed AND lower(value) = lower(?))
               OR (kind = 'domain' AND lower(value) = lower(substring(? from '[^@]*$')))
               OR (kind = 'ip' AND NOT hashed AND value = ?)
               OR (hashed AND ((kind = 'email' AND value = ?) OR (kind = 'ip' AND value = ?))))
             AND (expires_at IS NULL OR expires_at > now())
           ORDER BY id`,
    bindings: [email, email, ip, hashed.email, hashed.ip],
  };
}

/** The value a block is described by: a hashed one is never shown. */
export const describedValueSql = `CASE WHEN hashed THEN '${HASHED_BLOCK_LABEL}' ELSE value END`;

export async function findMatchingBlock(db: Database, email: string, ip: string | null, hashed: HashedCommenter): Promise<BlockRow | null> {
  const matching = matchingBlocksSql(email, ip, hashed);
  const row = (await db.raw<{ rows: BlockRow[] }>(`${matching.sql} LIMIT 1`, matching.bindings)).rows[0];
  return row ? { ...row, value: row.hashed ? HASHED_BLOCK_LABEL : row.value } : null;
}

/** Active blocks, newest first, with the name of the admin who made each. */
export async function listActiveBlocks(db: Database): Promise<ListedBlock[]> {
  return db('commenter_blocks as b')
    .leftJoin('users as u', 'u.id', 'b.created_by')
    .select<ListedBlock[]>('b.*', 'u.display_name AS created_by_name')
    .where(active(db, 'b.expires_at'))
    .orderBy([
      { column: 'b.created_at', order: 'desc' },
      { column: 'b.id', order: 'desc' },
    ]);
}

/** Lifts a block; the lifted block, or null when there was none. */
export async function deleteBlock(db: Database, id: string): Promise<BlockRow | null> {
  const [row] = await db<BlockRow>('commenter_blocks').where({ id }).delete().returning('*');
  return row ?? null;
}

/** The pending comments a block covers, in SQL: the same matching as findMatchingBlock, seen from the comment. */
function whereCommentMatches(query: Knex.QueryBuilder, block: Pick<NewBlock, 'kind' | 'value'>) {
  if (block.kind === 'email') query.whereRaw('lower(author_email) = lower(?)', [block.value]);
  else if (block.kind === 'domain') query.whereRaw(`lower(regexp_replace(author_email, '^.*@', '')) = lower(?)`, [block.value]);
  else query.whereRaw('ip = ?::inet', [block.value]);
}

export interface BlockOutcome {
  block: BlockRow;
  /** The pending comments moved to spam. */
  movedIds: string[];
}

/**
 * Blocks a commenter and moves every pending comment of theirs to spam, with
 * the reason and a log row each, in one transaction. Blocking again updates
 * the expiry and note of the block already there.
 */
export async function blockCommenter(
  db: Database,
  block: NewBlock,
  actor: Actor,
  at: Date,
  reason: { code: 'blocked'; text: string },
): Promise<BlockOutcome> {
  return db.transaction(async (trx) => {
    const inserted = await trx.raw<{ rows: BlockRow[] }>(
      `INSERT INTO commenter_blocks (kind, value, note, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, lower(value)) DO UPDATE SET note = EXCLUDED.note, expires_at = EXCLUDED.expires_at
       RETURNING *`,
      [block.kind, block.value, block.note, block.expires_at, actor.id, at],
    );
    const pending = await trx('comments')
      .where({ status: 'pending' })
      .modify((query) => whereCommentMatches(query, block))
      .select<Array<{ id: string }>>('id')
      .orderBy('id')
      .forUpdate();
    const movedIds = pending.map((row) => String(row.id));
    if (movedIds.length > 0) {
      await lockCountsOf(trx, movedIds);
      await trx('comments')
        .whereIn('id', movedIds)
        .update({
          status: 'spam',
          status_reasons: JSON.stringify([reason]),
          approved_at: null,
          moderated_by: actor.id,
          moderated_at: at,
          updated_at: at,
        });
      await trx('moderation_log').insert(movedIds.map((id: string) => logRow(actor, at, id, 'status', 'pending', 'spam')));
    }
    return { block: inserted.rows[0]!, movedIds };
  });
}

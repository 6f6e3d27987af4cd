import type { Knex } from 'knex';
import type { StoredReason } from '../comments/index.js';
import type { Actor } from '../moderation/index.js';

/** The writes of an erasure, each inside the one transaction erasure.ts opens. */

export interface ErasedComment {
  id: string;
  status: string;
  /** As PostgreSQL prints it (host()), the form blocks and rate limits hold it in. */
  ip: string | null;
  author_url: string;
  author_name: string;
  body: string;
  status_reasons: StoredReason[];
  notify_on_approval: boolean;
  notify_on_reply: boolean;
}

/** The address's comments, locked in id order (as every moderation locks them). */
export async function lockCommentsOf(trx: Knex.Transaction, email: string): Promise<ErasedComment[]> {
  const rows = await trx('comments')
    .whereRaw('lower(author_email) = lower(?)', [email])
    .select<ErasedComment[]>(
      trx.raw('id::text AS id'),
      'status',
      trx.raw('host(ip) AS ip'),
      'author_url',
      'author_name',
      'body',
      'status_reasons',
      'notify_on_approval',
      'notify_on_reply',
    )
    .orderBy('id')
    .forUpdate();
  return rows;
}

/** The comment keeps its words (with the erased values cut out) under "Anonymous"; everything that named its author goes. */
export async function anonymizeComment(
  trx: Knex.Transaction,
  comment: ErasedComment,
  kept: { authorName: string; body: string; reasons: StoredReason[] },
): Promise<void> {
  await trx('comments')
    .where({ id: comment.id })
    .update({
      author_name: kept.authorName,
      author_email: '',
      author_url: '',
      ip: null,
      user_agent: '',
      body: kept.body,
      status_reasons: JSON.stringify(kept.reasons),
      notify_on_approval: false,
      notify_on_reply: false,
    });
}

export async function deleteComments(trx: Knex.Transaction, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await trx('comments').whereIn('id', ids).delete();
}

/** One log row per comment: that it was erased, by whom, and whether it went (to_status null). */
export async function logErasure(trx: Knex.Transaction, comments: readonly ErasedComment[], actor: Actor, at: Date, deleted: boolean) {
  if (comments.length === 0) return;
  await trx('moderation_log').insert(
    comments.map((comment) => ({
      comment_id: comment.id,
      actor_id: actor.id,
      actor_name: actor.name,
      action: 'erase',
      from_status: comment.status,
      to_status: deleted ? null : comment.status,
      created_at: at,
    })),
  );
}

/** The history the self-edit feature kept: the commenter's own edits and withdrawals, logged under their name. */
export async function deleteCommenterHistory(trx: Knex.Transaction, commentIds: readonly string[]): Promise<number> {
  if (commentIds.length === 0) return 0;
  return trx('moderation_log').whereIn('comment_id', commentIds).whereNull('actor_id').whereLike('actor_name', '% (commenter)').delete();
}

/** Unsubscribe and re-subscribe records of the address. */
export async function deleteSubscriptionRecords(trx: Knex.Transaction, email: string, commentIds: readonly string[]): Promise<number> {
  const byEmail = (table: string) => trx(table).whereRaw('lower(email) = lower(?)', [email]).delete();
  const unsubscribes = await byEmail('mail_unsubscribes');
  const conversations = await byEmail('conversation_unsubscribes');
  const resubscriptions = await trx('mail_resubscriptions')
    .where((q) => {
      q.whereRaw('lower(email) = lower(?)', [email]);
      if (commentIds.length > 0) q.orWhereIn('comment_id', commentIds);
    })
    .delete();
  return unsubscribes + conversations + resubscriptions;
}

export interface PlainBlock {
  id: string;
  kind: 'email' | 'ip';
  value: string;
  note: string;
}

/** The address's blocks, and those of its comments' IPs, that still hold the value itself. */
export async function lockPlainBlocks(trx: Knex.Transaction, email: string, ips: readonly string[]): Promise<PlainBlock[]> {
  return trx('commenter_blocks')
    .where({ hashed: false })
    .where((q) => {
      q.where((byEmail) => {
        byEmail.where({ kind: 'email' }).whereRaw('lower(value) = lower(?)', [email]);
      });
      if (ips.length > 0) {
        q.orWhere((byIp) => {
          byIp.where({ kind: 'ip' }).whereIn('value', ips);
        });
      }
    })
    .select<PlainBlock[]>(trx.raw('id::text AS id'), 'kind', 'value', 'note')
    .orderBy('id')
    .forUpdate();
}

/** The block keeps its expiry, author and (cleaned) note, with the keyed hash for its value; a hashed twin already there wins. */
export async function hashBlock(trx: Knex.Transaction, block: PlainBlock, hash: string, note: string): Promise<void> {
  const twin = await trx('commenter_blocks').where({ kind: block.kind, hashed: true, value: hash }).first<{ id: string } | undefined>('id');
  if (twin) await trx('commenter_blocks').where({ id: block.id }).delete();
  else await trx('commenter_blocks').where({ id: block.id }).update({ value: hash, hashed: true, note });
}

/** Rate-limit counters keyed by the address or by its comments' IPs (`prefix:value`). */
export async function deleteRateLimitsOf(trx: Knex.Transaction, email: string, ips: readonly string[]): Promise<void> {
  await trx('rate_limits')
    .where((q) => {
      q.whereRaw("lower(key) LIKE '%:' || lower(?)", [email]);
      for (const ip of ips) q.orWhereRaw("key LIKE '%:' || ?", [ip]);
    })
    .delete();
}

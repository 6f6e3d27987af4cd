import type { Knex } from 'knex';
import { createFloodControl } from '../comments/index.js';
import { forgetMailRows } from './forget-mail.js';
import { deleteRateLimitKeys } from './retention-queries.js';

/** What a comment deleted for good leaves behind it, read from its row as it is deleted. */
export interface DeletedComment {
  id: string;
  author_email: string;
  ip: string | null;
}

const floodKeys = createFloodControl();

/** The counters keyed by a comment, its address or its IP: the flood interval's, and the commenter's own edits' (comments/comment-edits.ts). */
function counterKeys(comment: DeletedComment): string[] {
  return [
    ...floodKeys.countingFor(comment.ip, comment.author_email).keys,
    `edit:comment:${comment.id}`,
    ...(comment.ip ? [`edit:ip:${comment.ip}`] : []),
  ];
}

/**
 * In the transaction that deletes these comments for good: their mail
 * (pending and sent) and the short-lived counters that name their author's
 * address or IP go with them. Returns the outbox ids removed, whose files
 * go once the transaction commits (removeMailFiles).
 */
export async function forgetDeletedComments(trx: Knex.Transaction, comments: readonly DeletedComment[]): Promise<string[]> {
  if (comments.length === 0) return [];
  await deleteRateLimitKeys(trx, [...new Set(comments.flatMap(counterKeys))]);
  return forgetMailRows(trx, { commentIds: comments.map((comment) => String(comment.id)) });
}

import type { Database } from '../platform/db/connection.js';
import { lockCountsOf, type Actor } from '../moderation/index.js';
import { blockHash } from '../moderation/index.js';
import { forgetMailRows, removeMailFiles } from './forget-mail.js';
import { ANONYMOUS, withoutErasedValues, type ErasureMode, type ErasureReport } from './privacy-requests.js';
import {
  anonymizeComment,
  deleteCommenterHistory,
  deleteComments,
  deleteRateLimitsOf,
  deleteSubscriptionRecords,
  hashBlock,
  lockCommentsOf,
  lockPlainBlocks,
  logErasure,
  type ErasedComment,
} from './erasure-queries.js';
import { clearRequestsOf } from './request-queries.js';

/**
 * Erases what the site keeps about one e-mail address, in one transaction:
 * its comments anonymised (the words stay under "Anonymous") or deleted,
 * their e-mail, website, IP and browser gone either way; its subscription
 * records, mail (pending and sent) and self-edit history removed; blocks of
 * the address or its comments' IPs kept as a keyed hash only; and the
 * moderation log told that it happened. The outbox's files go after the
 * commit, so a rolled-back erasure loses no mail.
 */

export interface ErasureOrder {
  email: string;
  mode: ErasureMode;
  /** The confirmed request this erasure completes. */
  requestId: string;
  actor: Actor;
  at: Date;
}

export interface ErasureSetting {
  secret: string;
  outboxDir: string;
}

/** Everything that identified the commenter, to be cut out of the text that stays. */
function erasedValuesOf(email: string, comments: readonly ErasedComment[]): string[] {
  return [email, ...comments.flatMap((comment) => [comment.author_url, comment.ip ?? '', comment.author_name])];
}

export async function eraseAddress(db: Database, setting: ErasureSetting, order: ErasureOrder): Promise<ErasureReport> {
  const { email, mode, actor, at } = order;
  const { report, mailIds } = await db.transaction(async (trx) => {
    const comments = await lockCommentsOf(trx, email);
    const ids = comments.map((comment) => comment.id);
    const ips = [...new Set(comments.flatMap((comment) => (comment.ip ? [comment.ip] : [])))];
    const values = erasedValuesOf(email, comments);
    // The name is cut from text only where it is long enough not to eat ordinary words.
    const scrub = (text: string) => withoutErasedValues(text, values);
    await lockCountsOf(trx, ids);

    const historyRemoved = await deleteCommenterHistory(trx, ids);
    await logErasure(trx, comments, actor, at, mode === 'delete');
    const subscriptions = comments.filter((comment) => comment.notify_on_approval || comment.notify_on_reply).length;
    const subscriptionsRemoved = subscriptions + (await deleteSubscriptionRecords(trx, email, ids));
    const mailIds = await forgetMailRows(trx, { commentIds: ids, emails: [email] });
    if (mode === 'delete') await deleteComments(trx, ids);
    else {
      for (const comment of comments) {
        const reasons = comment.status_reasons.map((reason) => ({ ...reason, text: scrub(reason.text) }));
        await anonymizeComment(trx, comment, { authorName: ANONYMOUS, body: scrub(comment.body), reasons });
      }
    }
    const blocks = await lockPlainBlocks(trx, email, ips);
    for (const block of blocks) await hashBlock(trx, block, blockHash(setting.secret, block.kind, block.value), scrub(block.note));
    await deleteRateLimitsOf(trx, email, ips);

    const report: ErasureReport = {
      mode,
      commentsAnonymized: mode === 'anonymize' ? comments.length : 0,
      commentsDeleted: mode === 'delete' ? comments.length : 0,
      subscriptionsRemoved,
      mailRemoved: mailIds.length,
      blocksHashed: blocks.length,
      historyRemoved,
      requestsCleared: 0,
    };
    report.requestsCleared = await clearRequestsOf(trx, email, { id: order.requestId, adminId: actor.id, mode, at }, report, scrub);
    return { report, mailIds };
  });
  await removeMailFiles(setting.outboxDir, mailIds);
  return report;
}

import type { Database } from '../platform/db/connection.js';
import { consentFor, type ConsentFacts } from './mail-consent.js';
import { askingCommentOf, type AskingComment } from './notifications.js';
import { enqueueMail, type NewMail } from './outbox-queries.js';

export async function isUnsubscribed(db: Database, email: string): Promise<boolean> {
  return (await db('mail_unsubscribes').where({ email: email.toLowerCase() }).first()) !== undefined;
}

/** Stops every comment email to the address; a second click only moves the time. */
export async function unsubscribe(db: Database, email: string): Promise<void> {
  await db('mail_unsubscribes').insert({ email: email.toLowerCase() }).onConflict('email').merge({ created_at: db.fn.now() });
}

/** Stops comment emails to the address about one article (the conversation of the comment the link came with). */
export async function unsubscribeFromConversation(db: Database, email: string, commentId: string): Promise<boolean> {
  const result = await db.raw<{ rowCount: number }>(
    `INSERT INTO conversation_unsubscribes (email, article_id)
     SELECT ?, article_id FROM comments WHERE id = ?
     ON CONFLICT (email, article_id) DO UPDATE SET created_at = now()`,
    [email.toLowerCase(), commentId],
  );
  return result.rowCount > 0;
}

/** The article a comment is on, for naming the conversation on the unsubscribe page. */
export async function conversationOf(db: Database, commentId: string): Promise<{ title: string } | null> {
  const row = await db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .where('c.id', commentId)
    .first<{ title: string } | undefined>('a.title');
  return row ?? null;
}

async function readConsentFacts(db: Database, email: string, asking: AskingComment | null): Promise<ConsentFacts> {
  const address = email.toLowerCase();
  const commentId = asking?.commentId ?? null;
  // The box's name comes from a closed union, never from input.
  const box = asking?.box === 'notify_on_approval' ? 'notify_on_approval' : 'notify_on_reply';
  const result = await db.raw<{ rows: Array<{ unsubscribed_at: Date | null; asked_at: Date | null }> }>(
    `SELECT greatest(
              (SELECT created_at FROM mail_unsubscribes WHERE email = ?),
              (SELECT u.created_at FROM conversation_unsubscribes u JOIN comments c ON c.article_id = u.article_id
                WHERE c.id = ?::bigint AND u.email = ?)
            ) AS unsubscribed_at,
            (SELECT created_at FROM comments WHERE id = ?::bigint AND ${box} AND lower(author_email) = ?) AS asked_at`,
    [address, commentId, address, commentId, address],
  );
  const row = result.rows[0]!;
  return { unsubscribedAt: row.unsubscribed_at, askedAt: row.asked_at };
}

/**
 * Whether a mail to a commenter may go. A later ticked box wins over an
 * earlier unsubscribe; that re-subscription is recorded (which comment,
 * which unsubscribe it overrode, when) the first time it decides a mail.
 */
export async function commenterStillWants(db: Database, mail: Pick<NewMail, 'kind' | 'dedupe_key' | 'recipient'>): Promise<boolean> {
  const asking = askingCommentOf(mail);
  const facts = await readConsentFacts(db, mail.recipient, asking);
  const consent = consentFor(facts);
  if (consent === 'resubscribed' && asking) {
    await db('mail_resubscriptions')
      .insert({ comment_id: asking.commentId, email: mail.recipient.toLowerCase(), unsubscribed_at: facts.unsubscribedAt })
      .onConflict('comment_id')
      .ignore();
  }
  return consent !== 'unsubscribed';
}

/** Queues mail to a commenter unless they have unsubscribed (from everything, or from its conversation). */
export async function enqueueCommenterMail(db: Database, mail: NewMail): Promise<boolean> {
  if (!(await commenterStillWants(db, mail))) return false;
  return enqueueMail(db, mail);
}

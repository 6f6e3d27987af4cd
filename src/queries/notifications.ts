import type { Database } from '../db/connection.js';
import { enqueueMail, type NewMail } from './outbox.js';

export async function isUnsubscribed(db: Database, email: string): Promise<boolean> {
  return (await db('mail_unsubscribes').where({ email: email.toLowerCase() }).first()) !== undefined;
}

export async function unsubscribe(db: Database, email: string): Promise<void> {
  await db('mail_unsubscribes').insert({ email: email.toLowerCase() }).onConflict('email').ignore();
}

/** Queues mail to a commenter unless they have unsubscribed. */
export async function enqueueCommenterMail(db: Database, mail: NewMail): Promise<boolean> {
  if (await isUnsubscribed(db, mail.recipient)) return false;
  return enqueueMail(db, mail);
}

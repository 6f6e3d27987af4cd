import type { Database } from '../platform/db/connection.js';

/** What an export reads about one address: its comments, its subscription records and the mail sent to it. */

export interface ExportedCommentRow {
  id: string;
  parent_id: string | null;
  article_title: string;
  article_slug: string;
  status: string;
  author_name: string;
  author_email: string;
  author_url: string;
  body: string;
  ip: string | null;
  user_agent: string;
  created_at: Date;
  approved_at: Date | null;
  updated_at: Date | null;
  notify_on_approval: boolean;
  notify_on_reply: boolean;
}

export interface ExportedMailRow {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  status: string;
  created_at: Date;
  sent_at: Date | null;
}

export interface SubscriptionRows {
  unsubscribedAt: Date | null;
  conversationsLeft: Array<{ article_title: string; created_at: Date }>;
  resubscriptions: Array<{ comment_id: string; unsubscribed_at: Date; created_at: Date }>;
}

export async function commentsOfAddress(db: Database, email: string): Promise<ExportedCommentRow[]> {
  return db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .whereRaw('lower(c.author_email) = lower(?)', [email])
    .select<ExportedCommentRow[]>(
      db.raw('c.id::text AS id'),
      db.raw('c.parent_id::text AS parent_id'),
      'a.title AS article_title',
      'a.slug AS article_slug',
      'c.status',
      'c.author_name',
      'c.author_email',
      'c.author_url',
      'c.body',
      db.raw('host(c.ip) AS ip'),
      'c.user_agent',
      'c.created_at',
      'c.approved_at',
      'c.updated_at',
      'c.notify_on_approval',
      'c.notify_on_reply',
    )
    .orderBy([{ column: 'c.created_at' }, { column: 'c.id' }]);
}

export async function subscriptionsOfAddress(db: Database, email: string): Promise<SubscriptionRows> {
  const [all, conversationsLeft, resubscriptions] = await Promise.all([
    db('mail_unsubscribes').whereRaw('lower(email) = lower(?)', [email]).first<{ created_at: Date } | undefined>('created_at'),
    db('conversation_unsubscribes as u')
      .join('articles as a', 'a.id', 'u.article_id')
      .whereRaw('lower(u.email) = lower(?)', [email])
      .select<SubscriptionRows['conversationsLeft']>('a.title AS article_title', 'u.created_at')
      .orderBy('u.created_at'),
    db('mail_resubscriptions')
      .whereRaw('lower(email) = lower(?)', [email])
      .select<SubscriptionRows['resubscriptions']>(db.raw('comment_id::text AS comment_id'), 'unsubscribed_at', 'created_at')
      .orderBy('created_at'),
  ]);
  return { unsubscribedAt: all?.created_at ?? null, conversationsLeft, resubscriptions };
}

/** Mail the outbox still holds for the address, pending and sent (sent mail loses its text after the retention period). */
export async function mailToAddress(db: Database, email: string): Promise<ExportedMailRow[]> {
  return db('mail_outbox')
    .whereRaw('lower(recipient) = lower(?)', [email])
    .select<ExportedMailRow[]>(db.raw('id::text AS id'), 'kind', 'recipient', 'subject', 'body', 'status', 'created_at', 'sent_at')
    .orderBy('id');
}

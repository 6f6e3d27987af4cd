import type { Database } from '../platform/db/connection.js';
import { commentsOfAddress, mailToAddress, subscriptionsOfAddress, type ExportedCommentRow } from './export-queries.js';

/**
 * A person's data as the site keeps it, for an export: every comment with
 * its article, dates, status, name, website and the IP and browser kept; the
 * notification subscriptions and unsubscribe records; and the mail sent to
 * them. One value, written out as JSON or as a readable HTML document.
 */

export interface ExportedComment {
  id: string;
  article: { title: string; url: string };
  inReplyTo: string | null;
  status: string;
  name: string;
  email: string;
  website: string;
  ipAddress: string | null;
  userAgent: string;
  text: string;
  createdAt: string;
  approvedAt: string | null;
  updatedAt: string | null;
  url: string | null;
}

export interface PersonalExport {
  email: string;
  generatedAt: string;
  site: string;
  comments: ExportedComment[];
  subscriptions: {
    /** Comments whose approval or replies are mailed to the address. */
    notifications: Array<{ commentId: string; article: string; onApproval: boolean; onReply: boolean }>;
    unsubscribedFromAllAt: string | null;
    conversationsLeft: Array<{ article: string; at: string }>;
    resubscriptions: Array<{ commentId: string; unsubscribedAt: string; at: string }>;
  };
  mail: Array<{
    id: string;
    kind: string;
    to: string;
    subject: string;
    status: string;
    createdAt: string;
    sentAt: string | null;
    body: string;
  }>;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function exportedComment(row: ExportedCommentRow, baseUrl: string): ExportedComment {
  const articleUrl = new URL(`/articles/${row.article_slug}`, baseUrl).toString();
  return {
    id: row.id,
    article: { title: row.article_title, url: articleUrl },
    inReplyTo: row.parent_id,
    status: row.status,
    name: row.author_name,
    email: row.author_email,
    website: row.author_url,
    ipAddress: row.ip,
    userAgent: row.user_agent,
    text: row.body,
    createdAt: row.created_at.toISOString(),
    approvedAt: iso(row.approved_at),
    updatedAt: iso(row.updated_at),
    // Only a published comment has an address anyone can open.
    url: row.status === 'approved' ? new URL(`/comments/${row.id}`, baseUrl).toString() : null,
  };
}

export async function buildPersonalExport(db: Database, email: string, baseUrl: string, now: Date): Promise<PersonalExport> {
  const [comments, subscriptions, mail] = await Promise.all([
    commentsOfAddress(db, email),
    subscriptionsOfAddress(db, email),
    mailToAddress(db, email),
  ]);
  return {
    email,
    generatedAt: now.toISOString(),
    site: baseUrl,
    comments: comments.map((row) => exportedComment(row, baseUrl)),
    subscriptions: {
      notifications: comments
        .filter((row) => row.notify_on_approval || row.notify_on_reply)
        .map((row) => ({
          commentId: row.id,
          article: row.article_title,
          onApproval: row.notify_on_approval,
          onReply: row.notify_on_reply,
        })),
      unsubscribedFromAllAt: iso(subscriptions.unsubscribedAt),
      conversationsLeft: subscriptions.conversationsLeft.map((row) => ({ article: row.article_title, at: row.created_at.toISOString() })),
      resubscriptions: subscriptions.resubscriptions.map((row) => ({
        commentId: row.comment_id,
        unsubscribedAt: row.unsubscribed_at.toISOString(),
        at: row.created_at.toISOString(),
      })),
    },
    mail: mail.map((row) => ({
      id: row.id,
      kind: row.kind,
      to: row.recipient,
      subject: row.subject,
      status: row.status,
      createdAt: row.created_at.toISOString(),
      sentAt: iso(row.sent_at),
      body: row.body,
    })),
  };
}

/** The file name an export is offered under: no address in it. */
export const exportFileName = (requestId: string, extension: 'json' | 'html') => `personal-data-${requestId}.${extension}`;

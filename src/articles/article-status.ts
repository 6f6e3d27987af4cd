import type { ArticleStatus } from './article-queries.js';

/**
 * Where an article may go from where it is, and what its dates become: the
 * one rule the editor's buttons and the list's row actions share.
 *
 * - Publish: public now; an article published before keeps its date.
 * - Schedule: public at `publishAt`, which must still be ahead.
 * - Draft (unpublish, or restore from the trash): private again, its date kept
 *   for a later publish.
 * - Trash: from anywhere; only a restore (to draft) leaves it.
 */
export interface ArticleMove {
  status: ArticleStatus;
  published_at: Date | null;
  trashed_at: Date | null;
}

export type MovePlan = { ok: true; move: ArticleMove } | { ok: false; field: 'status' | 'publish_at'; message: string };

export function planArticleMove(
  article: { status: ArticleStatus; published_at: Date | null },
  target: ArticleStatus,
  now: Date,
  publishAt: Date | null = null,
): MovePlan {
  if (article.status === 'trash' && target !== 'draft' && target !== 'trash') {
    return { ok: false, field: 'status', message: 'This article is in the trash: restore it first.' };
  }
  switch (target) {
    case 'published': {
      const publishedBefore = article.status === 'published' && article.published_at !== null && article.published_at <= now;
      return ok({ status: 'published', published_at: publishedBefore ? article.published_at : now, trashed_at: null });
    }
    case 'scheduled':
      if (publishAt === null) return { ok: false, field: 'publish_at', message: 'Choose the date and time to publish it.' };
      if (publishAt <= now) {
        return { ok: false, field: 'publish_at', message: 'That time has already passed: choose a later one, or publish it now.' };
      }
      return ok({ status: 'scheduled', published_at: publishAt, trashed_at: null });
    case 'draft':
      return ok({ status: 'draft', published_at: article.published_at, trashed_at: null });
    case 'trash':
      return ok({ status: 'trash', published_at: article.published_at, trashed_at: now });
  }
}

const ok = (move: ArticleMove): MovePlan => ({ ok: true, move });

/** The word staff read for each status, in tabs, rows and messages. */
export const STATUS_LABELS: Record<ArticleStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  published: 'Published',
  trash: 'Trash',
};

import type { Database } from '../platform/db/connection.js';
import { beyondCursor, cursorTime, keysetPage, type Cursor, type KeysetPage } from '../platform/db/keyset-page.js';
import type { ArticleStatus } from './article-queries.js';

/** What the admin's article list reads: one page of articles and the count per status. */

export type ArticleListView = ArticleStatus | 'all';

export interface ArticleListFilters {
  view: ArticleListView;
  /** A LIKE pattern made by containsPattern(), or null when not searching. */
  titlePattern: string | null;
  before: Cursor | null;
  after: Cursor | null;
  /** A numbered page (2 and up) jumped to from the page list. */
  page: number | null;
  /** Only this account's articles (an author's list); null for every article. */
  ownerId: string | null;
}

export interface ArticleListRow {
  id: string;
  slug: string;
  title: string;
  author_name: string;
  status: ArticleStatus;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  approved_count: number;
  pending_count: number;
  /** Tag names, alphabetical. */
  tags: string[];
  cursor_time: string;
}

export type ArticleListPage = KeysetPage<ArticleListRow>;

/** A comment count from the trigger-kept counts: one primary-key lookup per row shown. */
const commentCount = (status: 'approved' | 'pending') =>
  `coalesce((SELECT count FROM comment_counts cc WHERE cc.article_id = a.id AND cc.status = '${status}'), 0)::int AS ${status}_count`;

const TAG_NAMES = `ARRAY(SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
                          WHERE at.article_id = a.id ORDER BY t.name) AS tags`;

/**
 * The rows a view holds, narrowed by the title search. "All" leaves out the
 * trash, as WordPress does. The bodies are never read: a list row shows none.
 */
function matching(db: Database, filters: Pick<ArticleListFilters, 'view' | 'titlePattern' | 'ownerId'>) {
  const query = db('articles as a');
  if (filters.ownerId) query.where('a.author_id', filters.ownerId);
  if (filters.view === 'all') query.whereNot('a.status', 'trash');
  else query.where('a.status', filters.view);
  // `titlePattern` comes from containsPattern(): its % and _ are escaped.
  if (filters.titlePattern) query.whereILike('a.title', filters.titlePattern);
  return query;
}

function listQuery(db: Database, filters: ArticleListFilters) {
  return matching(db, filters).select(
    'a.id',
    'a.slug',
    'a.title',
    'a.author_name',
    'a.status',
    'a.published_at',
    'a.created_at',
    'a.updated_at',
    db.raw(commentCount('approved')),
    db.raw(commentCount('pending')),
    db.raw(TAG_NAMES),
    db.raw(cursorTime('a.created_at')),
  );
}

/** One page, newest first (created_at, id), by keyset; a page jumped to by number uses OFFSET. */
export function listArticlePage(db: Database, filters: ArticleListFilters, limit: number): Promise<ArticleListPage> {
  return keysetPage<ArticleListRow>(() => listQuery(db, filters), 'a', filters, limit, { prepare: filters.titlePattern === null });
}

/** Exact count per status of the articles matching the search (all of them when not searching): one grouped count. */
export async function countArticlesByStatus(
  db: Database,
  titlePattern: string | null,
  ownerId: string | null,
): Promise<Record<ArticleStatus, number>> {
  const query = db('articles as a').select('a.status').count({ count: '*' }).groupBy('a.status');
  if (ownerId) query.where('a.author_id', ownerId);
  if (titlePattern) query.whereILike('a.title', titlePattern);
  const counts: Record<ArticleStatus, number> = { draft: 0, scheduled: 0, published: 0, trash: 0 };
  for (const row of (await query) as Array<{ status: ArticleStatus; count: string }>) counts[row.status] = Number(row.count);
  return counts;
}

/** How many rows of the view come before (are newer than) this one: the page number of a page reached by cursor. */
export async function countNewerArticles(db: Database, filters: ArticleListFilters, cursor: Cursor): Promise<number> {
  const row = await beyondCursor(matching(db, filters), 'a', cursor, '>').count({ count: '*' }).first<{ count: string } | undefined>();
  return Number(row?.count ?? 0);
}

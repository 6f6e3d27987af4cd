import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import type { FlashModel, QueuePaginationModel } from '../moderation/index.js';
import { loadAdminChrome, takeFlash } from '../moderation/index.js';
import { containsPattern, decodeCursor, encodeCursor, pageNumbers, SEARCH_MAX } from '../moderation/index.js';
import { PAGE_NUMBER_PATTERN } from '../platform/http/route-patterns.js';
import { ownerScope } from '../people/index.js';
import { STATUS_LABELS } from './article-status.js';
import type { ArticleStatus } from './article-queries.js';
import {
  countArticlesByStatus,
  countNewerArticles,
  listArticlePage,
  type ArticleListFilters,
  type ArticleListPage,
  type ArticleListRow,
  type ArticleListView,
} from './admin-list-queries.js';

/** The admin's article list: WordPress's Posts screen. */

export const ARTICLE_LIST_PATH = '/admin/articles';
const PER_PAGE = 20;

/**
 * Each view: its tab, what it says when empty, and what it calls its
 * articles when a search finds none. Tabs in WordPress's order; "All" is
 * everything but the trash.
 */
const VIEWS: Record<ArticleListView, { label: string; empty: string; noun: string }> = {
  all: { label: 'All', empty: 'No articles yet. Write the first one: it stays a draft until you publish it.', noun: 'articles' },
  published: {
    label: 'Published',
    empty: 'Nothing is published yet. Open a draft and publish it, or write a new article.',
    noun: 'published articles',
  },
  scheduled: {
    label: 'Scheduled',
    empty: 'Nothing is scheduled. Choose “Schedule” in an article’s editor to publish it at a later time.',
    noun: 'scheduled articles',
  },
  draft: { label: 'Drafts', empty: 'No drafts. Articles you save without publishing wait here.', noun: 'drafts' },
  trash: {
    label: 'Trash',
    empty: 'The trash is empty. Articles you trash wait here until you restore them or delete them permanently.',
    noun: 'articles in the trash',
  },
};
const VIEW_ORDER = Object.keys(VIEWS) as ArticleListView[];

export interface ArticleListRowModel {
  id: string;
  title: string;
  editHref: string;
  authorName: string;
  status: ArticleStatus;
  statusLabel: string;
  /** "Published", "Scheduled for" or "Last modified", and when. */
  date: { label: string; at: Date };
  /** Shown under the date when it is not the date itself. */
  modifiedAt: Date | null;
  tags: string[];
  comments: { approved: number; pending: number; approvedHref: string; pendingHref: string };
  /** View for a published article, Preview for any other. */
  readerLink: { label: 'View' | 'Preview'; href: string };
  statusAction: string;
  deleteHref: string;
}

export interface ArticleListPageModel {
  meta: PageMeta;
  view: ArticleListView;
  tabs: Array<{ view: ArticleListView; label: string; count: number; href: string; current: boolean }>;
  q: string;
  clearSearchHref: string | null;
  rows: ArticleListRowModel[];
  pagination: QueuePaginationModel;
  summary: { total: string; results: string | null };
  /** Where the row forms send the browser back to: this very view. */
  returnTo: string;
  flash: FlashModel | null;
  empty: { message: string; link: { href: string; label: string } | null };
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'articles/admin/list': ArticleListPageModel;
  }
}

interface ListAddress extends Omit<ArticleListFilters, 'titlePattern' | 'ownerId'> {
  q: string;
}

const DEFAULT_ADDRESS: ListAddress = { view: 'all', q: '', before: null, after: null, page: null };

/** Reads the list's query string; anything malformed is refused, never guessed. */
function parseListQuery(query: Record<string, unknown>): ListAddress | string {
  const keys = ['status', 'q', 'before', 'after', 'page'] as const;
  const values = Object.fromEntries(keys.map((key) => [key, query[key]]));
  if (Object.values(values).some((value) => value !== undefined && typeof value !== 'string')) return 'A filter was given more than once.';
  const { status, q = '', before, after, page } = values as Partial<Record<(typeof keys)[number], string>>;
  const address: ListAddress = { ...DEFAULT_ADDRESS, q: q.trim() };
  if (status) {
    if (!(VIEW_ORDER as string[]).includes(status)) return 'There is no such article status.';
    address.view = status as ArticleListView;
  }
  if (address.q.length > SEARCH_MAX) return `Search for at most ${SEARCH_MAX} characters.`;
  if (/[\u0000-\u001F\u007F]/.test(address.q)) return 'The search contains characters that cannot be searched for.';
  if ([before, after, page].filter(Boolean).length > 1) return 'A page cannot start and end at once.';
  if (page) {
    if (!PAGE_NUMBER_PATTERN.test(page)) return 'There is no such page.';
    address.page = Number(page) > 1 ? Number(page) : null;
  }
  const cursorText = before || after;
  if (cursorText) {
    const cursor = decodeCursor(cursorText);
    if (!cursor) return 'That page link is damaged. Go back to the first page.';
    address[before ? 'before' : 'after'] = cursor;
  }
  return address;
}

/** The list's URL for this address, leaving out what is the default. */
export function articleListHref(address: Partial<ListAddress>): string {
  const params = new URLSearchParams();
  if (address.view && address.view !== 'all') params.set('status', address.view);
  if (address.q) params.set('q', address.q);
  if (address.page && address.page > 1) params.set('page', String(address.page));
  if (address.before) params.set('before', encodeCursor(address.before));
  if (address.after) params.set('after', encodeCursor(address.after));
  const query = params.toString();
  return query ? `${ARTICLE_LIST_PATH}?${query}` : ARTICLE_LIST_PATH;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const commentsHref = (status: 'approved' | 'pending', slug: string) =>
  `/admin/comments?${new URLSearchParams({ status, article: slug }).toString()}`;

function dateOf(row: ArticleListRow): ArticleListRowModel['date'] {
  if (row.status === 'published' && row.published_at) return { label: 'Published', at: row.published_at };
  if (row.status === 'scheduled' && row.published_at) return { label: 'Scheduled for', at: row.published_at };
  return { label: 'Last modified', at: row.updated_at };
}

function rowModel(row: ArticleListRow): ArticleListRowModel {
  const id = String(row.id);
  const date = dateOf(row);
  return {
    id,
    title: row.title,
    editHref: `/admin/articles/${id}/edit`,
    authorName: row.author_name,
    status: row.status,
    statusLabel: STATUS_LABELS[row.status],
    date,
    modifiedAt: date.at === row.updated_at ? null : row.updated_at,
    tags: row.tags,
    comments: {
      approved: row.approved_count,
      pending: row.pending_count,
      approvedHref: commentsHref('approved', row.slug),
      pendingHref: commentsHref('pending', row.slug),
    },
    readerLink:
      row.status === 'published'
        ? { label: 'View', href: `/articles/${row.slug}` }
        : { label: 'Preview', href: `/admin/articles/${id}/preview` },
    statusAction: `/admin/articles/${id}/status`,
    deleteHref: `/admin/articles/${id}/delete`,
  };
}

/** Which page this is: its number when jumped to, else counted from the rows before it. */
async function paginationModel(
  req: Request,
  address: ListAddress,
  filters: ArticleListFilters,
  page: ArticleListPage,
  total: number,
): Promise<QueuePaginationModel> {
  const pageCount = Math.max(1, Math.ceil(total / PER_PAGE));
  let current = address.page ?? 1;
  const first = page.rows[0];
  if (!address.page && (address.before || address.after) && first) {
    const newer = await countNewerArticles(contextOf(req).db, filters, { createdAt: first.cursor_time, id: String(first.id) });
    current = Math.floor(newer / PER_PAGE) + 1;
  }
  const within = (more: Partial<ListAddress>) => articleListHref({ view: address.view, q: address.q, ...more });
  const atPage = (number: number) => within({ page: number });
  const numbered = address.page !== null;
  const older = page.older && (numbered ? atPage(current + 1) : within({ before: page.older }));
  const newer = numbered ? atPage(current - 1) : page.newer && within({ after: page.newer });
  return {
    olderHref: older || null,
    newerHref: newer || null,
    firstHref: current > 1 || address.before || address.after ? atPage(1) : null,
    current,
    pageCount,
    numbers: pageNumbers(current, pageCount).map((number) =>
      number === null ? null : { number, href: atPage(number), current: number === current },
    ),
  };
}

function emptyState(address: ListAddress, paged: boolean): ArticleListPageModel['empty'] {
  if (paged)
    return {
      message: 'No articles on this page any more.',
      link: { href: articleListHref({ view: address.view, q: address.q }), label: 'Go to the first page' },
    };
  if (address.q) {
    return {
      message: `No ${VIEWS[address.view].noun} have “${address.q}” in their title. Check the spelling, or search another status.`,
      link: { href: articleListHref({ view: address.view }), label: 'Clear the search' },
    };
  }
  const write = address.view === 'all' || address.view === 'published' || address.view === 'draft';
  return { message: VIEWS[address.view].empty, link: write ? { href: '/admin/articles/new', label: 'Write a new article' } : null };
}

async function buildListModel(
  req: Request,
  address: ListAddress,
  flash: FlashModel | null,
  ownerId: string | null,
): Promise<ArticleListPageModel> {
  const { db } = contextOf(req);
  const filters: ArticleListFilters = { ...address, titlePattern: address.q ? containsPattern(address.q) : null, ownerId };
  const [page, counts] = await Promise.all([
    listArticlePage(db, filters, PER_PAGE),
    countArticlesByStatus(db, filters.titlePattern, ownerId),
  ]);
  const all = counts.draft + counts.scheduled + counts.published;
  const countOf = (view: ArticleListView) => (view === 'all' ? all : counts[view]);
  const total = countOf(address.view);
  const paged = address.before !== null || address.after !== null || address.page !== null;
  return {
    meta: { title: address.view === 'all' ? 'Articles' : `Articles: ${VIEWS[address.view].label}` },
    view: address.view,
    tabs: VIEW_ORDER.map((view) => ({
      view,
      label: VIEWS[view].label,
      count: countOf(view),
      href: articleListHref({ view, q: address.q }),
      current: view === address.view,
    })),
    q: address.q,
    clearSearchHref: address.q ? articleListHref({ view: address.view }) : null,
    rows: page.rows.map(rowModel),
    pagination: await paginationModel(req, address, filters, page, total),
    summary: {
      total: plural(total, 'article', 'articles'),
      results: address.q ? `${plural(total, 'result', 'results')} for “${address.q}”` : null,
    },
    returnTo: articleListHref(address),
    flash,
    empty: emptyState(address, paged),
  };
}

/** GET /admin/articles — every article by status (all but the trash by default), searched by title, newest first, 20 a page. */
export async function showArticleList(req: Request, res: Response) {
  const address = parseListQuery(req.query);
  if (typeof address === 'string') throw new HttpError(400, address);
  // An author's list holds only their own articles.
  const ownerId = ownerScope(res, 'articles');
  // The layout's chrome (its pending count) is read beside the list's own queries rather than before them.
  const [model] = await Promise.all([buildListModel(req, address, takeFlash(req), ownerId), loadAdminChrome(req, res)]);
  await renderPage(res, 200, 'articles/admin/list', model);
}

import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { ownerScope } from '../people/index.js';
import { countMatchingByStatus, countNewerThan, listQueuePage, type QueuePage, type QueueRow } from './queue-queries.js';
import { commentExists, findArticleIdBySlug, listArticleChoices } from './comment-lookup-queries.js';
import { findQueuePreferences, type QueuePreferences } from './queue-preference-queries.js';
import type { AdminQueuePageModel, FlashModel, QueuePaginationModel, QueueRowModel, ScreenOptionsModel } from './admin-models.js';
import { renderPage } from '../platform/rendering/render.js';
import { BLOCK_DURATIONS, BLOCK_NOTE_MAX, blockChoices, type Commenter } from './commenter-blocks.js';
import {
  BULK_TRASH_WARNING,
  bulkActionsFor,
  canReplyTo,
  describeLogEntry,
  emptyStatusConfirm,
  explainStatus,
  rowActions,
  trashWarning,
} from './moderation.js';
import {
  containsPattern,
  DEFAULT_FILTERS,
  pageNumbers,
  parseQueueQuery,
  PER_PAGE_MAX,
  PER_PAGE_MIN,
  QUEUE_VIEWS,
  queueHref,
  type QueueFilters,
  type QueueView,
} from './queue-address.js';
import { loadAdminChrome, takeFlash } from './admin-chrome.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';

const VIEW_LABELS: Record<QueueView, string> = { pending: 'Pending', approved: 'Approved', spam: 'Spam', trash: 'Trash', all: 'All' };

const EMPTY_MESSAGES: Record<QueueView, string> = {
  pending: 'No comments are waiting for moderation.',
  approved: 'No approved comments.',
  spam: 'No comments in spam.',
  trash: 'The trash is empty.',
  all: 'No comments yet.',
};

/** A reply that could not be stored, shown again at its row. */
export interface ReplyProblem {
  commentId: string;
  text: string;
  message: string;
}

/** Screen options that could not be saved, shown again as typed. */
export interface ScreenOptionsProblem {
  values: ScreenOptionsModel['values'];
  message: string;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function blockModel(id: string, commenter: Commenter): QueueRowModel['block'] {
  const choices = blockChoices(commenter);
  if (choices.length === 0) return null;
  return { action: `/admin/comments/${id}/block`, choices, durations: BLOCK_DURATIONS, noteMax: BLOCK_NOTE_MAX };
}

/** `returnQuery`: `return_to=…`, the same for every row. */
function rowModel(row: QueueRow, filters: QueueFilters, returnQuery: string, problem: ReplyProblem | null): QueueRowModel {
  const id = String(row.id);
  const ownProblem = problem?.commentId === id ? problem : null;
  return {
    id,
    approvedReplies: row.approved_replies,
    trashConfirm: trashWarning(row.approved_replies),
    status: row.status,
    authorName: row.author_name,
    authorEmail: row.author_email,
    authorUrl: row.author_url,
    ip: row.ip,
    createdAt: row.created_at,
    article: {
      title: row.article_title,
      // An approved comment's permalink finds the comment page holding it; any
      // other is not public yet, and its anchor is where approving it puts it.
      publicHref: row.status === 'approved' ? `/comments/${id}` : `/articles/${row.article_slug}#comment-${id}`,
      filterHref: queueHref({ view: filters.view, article: row.article_slug }),
    },
    inReplyTo: row.parent_id
      ? {
          id: String(row.parent_id),
          authorName: row.parent_author_name ?? '',
          href: queueHref({ view: 'all', commentId: String(row.parent_id) }),
        }
      : null,
    body: row.body,
    isSiteReply: row.is_site_reply,
    why: explainStatus({
      status: row.status,
      reasons: (row.status_reasons ?? []).map((reason) => reason.text),
      reasonCodes: (row.status_reasons ?? []).map((reason) => reason.code),
      moderated: row.moderated_at !== null,
      isSiteReply: row.is_site_reply,
    }),
    moderated: row.moderated_at ? { by: row.moderator_name ?? 'a removed account', at: row.moderated_at } : null,
    log: row.recent_log.map((entry) => ({ at: entry.created_at, actor: entry.actor_name, description: describeLogEntry(entry) })),
    actions: rowActions(row.status),
    editHref: `/admin/comments/${id}/edit?${returnQuery}`,
    reply: { allowed: canReplyTo(row.status), open: ownProblem !== null, text: ownProblem?.text ?? '', error: ownProblem?.message ?? null },
    block: blockModel(id, { email: row.author_email, ip: row.ip, isSiteReply: row.is_site_reply }),
  };
}

function screenOptionsModel(preferences: QueuePreferences, problem: ScreenOptionsProblem | null): ScreenOptionsModel {
  return {
    action: '/admin/comments/preferences',
    values: problem?.values ?? {
      shortcuts: preferences.shortcutsEnabled,
      perPage: String(preferences.perPage),
      density: preferences.density,
    },
    perPageMin: PER_PAGE_MIN,
    perPageMax: PER_PAGE_MAX,
    error: problem?.message ?? null,
  };
}

/** Which page this is: its number when jumped to, else counted from the rows before it. */
async function paginationModel(
  req: Request,
  filters: QueueFilters,
  page: QueuePage,
  at: { total: number; perPage: number; articleId: string | null; pattern: string | null },
): Promise<QueuePaginationModel> {
  const pageCount = Math.max(1, Math.ceil(at.total / at.perPage));
  let current = filters.page ?? 1;
  const first = page.rows[0];
  if (!filters.page && (filters.before || filters.after) && first) {
    const cursor = { createdAt: first.cursor_time, id: String(first.id) };
    current = Math.floor((await countNewerThan(contextOf(req).db, filters, at.articleId, at.pattern, cursor)) / at.perPage) + 1;
  }
  const atPage = (number: number) => queueHref({ ...filters, before: null, after: null, page: number });
  const numbered = filters.page !== null;
  return {
    olderHref: page.older ? (numbered ? atPage(current + 1) : queueHref({ ...filters, before: page.older, after: null })) : null,
    newerHref: numbered ? atPage(current - 1) : page.newer ? queueHref({ ...filters, after: page.newer, before: null }) : null,
    firstHref: current > 1 || filters.before || filters.after ? atPage(1) : null,
    current,
    pageCount,
    numbers: pageNumbers(current, pageCount).map((number) =>
      number === null ? null : { number, href: atPage(number), current: number === current },
    ),
  };
}

/** Everything the queue page shows for these filters. */
export async function buildQueueModel(
  req: Request,
  res: Response,
  address: QueueFilters,
  flash: FlashModel | null,
  problem: ReplyProblem | null = null,
  screenProblem: ScreenOptionsProblem | null = null,
): Promise<AdminQueuePageModel> {
  const { db } = contextOf(req);
  // An author's queue holds only the comments on their own articles.
  const filters: QueueFilters = { ...address, ownerId: ownerScope(res, 'comments') };
  const articleId = filters.article ? await findArticleIdBySlug(db, filters.article) : null;
  if (filters.article && !articleId) throw new HttpError(404, 'There is no article with that address, so it has no comments to show.');
  const pattern = filters.q ? containsPattern(filters.q) : null;
  const preferences = await findQueuePreferences(db, signedInAdmin(res).id);
  const perPage = preferences.perPage;
  const [page, counts, articles] = await Promise.all([
    listQueuePage(db, filters, articleId, pattern, perPage),
    countMatchingByStatus(db, filters, articleId, pattern),
    listArticleChoices(db, filters.ownerId ?? null),
  ]);
  const returnTo = queueHref(filters);
  const returnQuery = new URLSearchParams({ return_to: returnTo }).toString();
  const all = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const total = filters.view === 'all' ? all : counts[filters.view];
  const paged = filters.before !== null || filters.after !== null || filters.page !== null;
  const narrowed = filters.article !== null || filters.q !== '' || filters.commentId !== null || filters.ip !== null;
  const emptiable = (filters.view === 'spam' || filters.view === 'trash') && !narrowed && total > 0 ? filters.view : null;

  return {
    meta: { title: `${VIEW_LABELS[filters.view]} comments` },
    view: filters.view,
    tabs: QUEUE_VIEWS.map((view) => ({
      view,
      label: VIEW_LABELS[view],
      count: view === 'all' ? all : counts[view],
      href: queueHref({ view, article: filters.article, q: filters.q, ip: filters.ip }),
      current: view === filters.view,
    })),
    filters: { article: filters.article ?? '', q: filters.q, commentId: filters.commentId },
    clearFiltersHref: narrowed ? queueHref({ view: filters.view }) : null,
    articles,
    rows: page.rows.map((row) => rowModel(row, filters, returnQuery, problem)),
    pagination: await paginationModel(req, filters, page, { total, perPage, articleId, pattern }),
    summary: {
      total: plural(total, 'comment', 'comments'),
      results: filters.q ? `${plural(total, 'result', 'results')} for “${filters.q}”` : null,
    },
    returnTo,
    bulkActions: bulkActionsFor(filters.view),
    bulkTrashConfirm: BULK_TRASH_WARNING,
    emptyStatus: emptiable && {
      status: emptiable,
      count: total,
      label: `Empty ${emptiable}`,
      confirm: emptyStatusConfirm(emptiable, total),
    },
    screenOptions: screenOptionsModel(preferences, screenProblem),
    flash,
    emptyMessage: paged
      ? 'No comments on this page any more.'
      : narrowed
        ? 'No comments match these filters.'
        : EMPTY_MESSAGES[filters.view],
  };
}

/** Renders the queue; the flash message is shown (and used up) here. */
export async function renderQueue(
  req: Request,
  res: Response,
  status: number,
  filters: QueueFilters,
  problem: ReplyProblem | null = null,
  screenProblem: ScreenOptionsProblem | null = null,
) {
  // The GET route's adminChrome middleware has loaded it already; a POST that shows the queue again has not.
  const chrome = 'pendingCount' in res.locals ? null : loadAdminChrome(req, res);
  const flash = takeFlash(req);
  const shown: FlashModel | null = problem
    ? { tone: 'error', message: `Your reply was not published: ${problem.message}`, undoToken: null }
    : flash;
  const [model] = await Promise.all([buildQueueModel(req, res, filters, shown, problem, screenProblem), chrome]);
  await renderPage(res, status, 'moderation/admin/queue', model);
}

/** GET /admin/comments — the moderation queue: one status (pending by default), filtered, searched, paged as the account chose. */
export async function showQueue(req: Request, res: Response) {
  const parsed = parseQueueQuery(req.query);
  if (!parsed.ok) throw new HttpError(400, parsed.message);
  await renderQueue(req, res, 200, parsed.filters);
}

/** GET /admin/comments/:id — the queue narrowed to one comment, whatever its status: moderator mail links here. */
export async function showQueuedComment(req: Request, res: Response) {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new HttpError(404, 'There is no such comment.');
  if (!(await commentExists(contextOf(req).db, id))) throw new HttpError(404, 'There is no such comment.');
  await renderQueue(req, res, 200, { ...DEFAULT_FILTERS, view: 'all', commentId: id });
}

import { threadComments, type RemovedParents, type Threadable, type ThreadNode } from './threading.js';

/**
 * Comment pages as WordPress makes them: top-level threads, oldest first, are
 * cut into pages of `commentsPerPage` (a thread's replies always stay with it), so
 * page 1 holds the oldest threads and the last page may be short. The page a
 * reader lands on is the newest (last) one or the oldest, by setting.
 */

/** Named as in the discussion settings, which can be passed as they are. */
export interface CommentPaging {
  commentsPerPage: number;
  firstPageShown: 'newest' | 'oldest';
  orderWithinPage: 'asc' | 'desc';
}

/** The discussion settings that decide where a comment is shown. */
export interface CommentPlacement extends CommentPaging {
  paginateComments: boolean;
  threadDepth: number;
}

export interface CommentPage<T extends Threadable> {
  page: number;
  pageCount: number;
  defaultPage: number;
  /** This page's threads, in the order they are shown. */
  roots: ThreadNode<T>[];
}

export function commentPageCount(countedThreads: number, perPage: number): number {
  return Math.max(1, Math.ceil(countedThreads / perPage));
}

export function defaultCommentPage(pageCount: number, firstPageShown: CommentPaging['firstPageShown']): number {
  return firstPageShown === 'newest' ? pageCount : 1;
}

/**
 * The page of each thread, in thread order. A thread that does not count
 * (the viewer's own comment still held for moderation, which nobody else
 * sees) joins the page of the thread before it, so it never moves the page
 * boundaries everyone else sees.
 */
export function pagesOfThreads(counted: readonly boolean[], perPage: number): number[] {
  let countedSoFar = 0;
  return counted.map((counts) => {
    if (counts) countedSoFar += 1;
    return countedSoFar === 0 ? 1 : Math.ceil(countedSoFar / perPage);
  });
}

/**
 * One page of threads, or null when there is no such page. `page` null means
 * the page a reader lands on.
 */
export function selectCommentPage<T extends Threadable>(
  roots: readonly ThreadNode<T>[],
  counts: (comment: T) => boolean,
  page: number | null,
  paging: CommentPaging,
): CommentPage<T> | null {
  const counted = roots.map((root) => threadCounts(root, counts));
  const pageCount = commentPageCount(counted.filter(Boolean).length, paging.commentsPerPage);
  const defaultPage = defaultCommentPage(pageCount, paging.firstPageShown);
  const shown = page ?? defaultPage;
  if (!Number.isInteger(shown) || shown < 1 || shown > pageCount) return null;
  const pages = pagesOfThreads(counted, paging.commentsPerPage);
  const onPage = roots.filter((_root, index) => pages[index] === shown);
  return { page: shown, pageCount, defaultPage, roots: paging.orderWithinPage === 'desc' ? onPage.reverse() : onPage };
}

/** The address of a comment page: the default one is the article itself, as WordPress links it. */
export function commentPagePath(articlePath: string, page: number, defaultPage: number): string {
  return page === defaultPage ? articlePath : `${articlePath}/comment-page-${page}/`;
}

/**
 * Where each comment can be read: the path of the page holding it plus
 * `#comment-<id>`. `comments` are in display order: the approved ones, plus
 * (for the commenter who wrote them) their own held ones, which `counts`
 * leaves out of the page boundaries as the article page does.
 * `removedParents` (listRemovedParents) threads replies to removed comments
 * as the article page does; without it their placeholders start threads.
 */
export function commentLocations<T extends Threadable>(
  comments: readonly T[],
  placement: CommentPlacement,
  articlePath: string,
  counts: (comment: T) => boolean = () => true,
  removedParents?: RemovedParents,
): Map<string, string> {
  const roots = threadComments(comments, placement.threadDepth, removedParents);
  const locations = new Map<string, string>();
  const counted = roots.map((root) => threadCounts(root, counts));
  const pages = placement.paginateComments ? pagesOfThreads(counted, placement.commentsPerPage) : [];
  const pageCount = commentPageCount(counted.filter(Boolean).length, placement.commentsPerPage);
  const defaultPage = defaultCommentPage(pageCount, placement.firstPageShown);
  roots.forEach((root, index) => {
    const path = placement.paginateComments ? commentPagePath(articlePath, pages[index]!, defaultPage) : articlePath;
    for (const comment of commentsIn(root)) locations.set(comment.id, `${path}#comment-${comment.id}`);
  });
  return locations;
}

/** Every comment shown in a thread, parent before replies (a removed comment's placeholder is none). */
export function commentsIn<T extends Threadable>(root: ThreadNode<T>): T[] {
  const replies = root.children.flatMap((child) => commentsIn(child));
  return root.comment ? [root.comment, ...replies] : replies;
}

/**
 * Whether a thread moves the page boundaries: as its first comment says, or,
 * under a removed comment's placeholder, when any reply in it counts (so a
 * thread of approved replies keeps its page, and one holding only the
 * viewer's own held reply does not move anyone else's).
 */
function threadCounts<T extends Threadable>(root: ThreadNode<T>, counts: (comment: T) => boolean): boolean {
  return root.comment ? counts(root.comment) : commentsIn(root).some(counts);
}

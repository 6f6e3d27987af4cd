import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commentLocations,
  commentPageCount,
  commentPagePath,
  commentsIn,
  defaultCommentPage,
  pagesOfThreads,
  selectCommentPage,
  type CommentPaging,
  type CommentPlacement,
} from '../../src/comments/comment-pages.js';
import { threadComments, type ThreadNode } from '../../src/comments/threading.js';

interface Row {
  id: string;
  parent_id: string | null;
  held?: boolean;
}

const row = (id: number, parent?: number, held = false): Row => ({
  id: String(id),
  parent_id: parent === undefined ? null : String(parent),
  held,
});

const counts = (comment: Row) => !comment.held;
const rootIds = (roots: readonly ThreadNode<Row>[]) => roots.map((root) => root.comment?.id ?? '(removed)');
const paging = (overrides: Partial<CommentPaging> = {}): CommentPaging => ({
  commentsPerPage: 2,
  firstPageShown: 'newest',
  orderWithinPage: 'asc',
  ...overrides,
});

// Five threads, oldest first: 1 (replies 2 and 3, 3 answering 2), 4, 5 (reply 6), 7, 8.
const COMMENTS = [row(1), row(2, 1), row(3, 2), row(4), row(5), row(6, 5), row(7), row(8)];
const THREADS = threadComments(COMMENTS);

describe('comment page arithmetic', () => {
  it('counts pages of top-level threads, at least one', () => {
    assert.equal(commentPageCount(0, 50), 1);
    assert.equal(commentPageCount(50, 50), 1);
    assert.equal(commentPageCount(51, 50), 2);
    assert.equal(commentPageCount(5, 2), 3);
  });

  it('lands on the last page when the newest is shown first, else on page 1', () => {
    assert.equal(defaultCommentPage(3, 'newest'), 3);
    assert.equal(defaultCommentPage(3, 'oldest'), 1);
    assert.equal(defaultCommentPage(1, 'newest'), 1);
  });

  it('numbers pages from the oldest thread, the last page short', () => {
    assert.deepEqual(pagesOfThreads([true, true, true, true, true], 2), [1, 1, 2, 2, 3]);
  });

  it('keeps a thread that does not count on the page of the thread before it', () => {
    assert.deepEqual(pagesOfThreads([true, true, false, true], 2), [1, 1, 1, 2]);
    assert.deepEqual(pagesOfThreads([false, true], 1), [1, 1]);
  });

  it('links the default page as the article itself', () => {
    assert.equal(commentPagePath('/articles/a', 3, 3), '/articles/a');
    assert.equal(commentPagePath('/articles/a', 1, 3), '/articles/a/comment-page-1/');
  });
});

describe('selectCommentPage', () => {
  it('shows the newest page by default, with its replies', () => {
    const page = selectCommentPage(THREADS, counts, null, paging())!;
    assert.deepEqual(
      { page: page.page, pageCount: page.pageCount, defaultPage: page.defaultPage },
      { page: 3, pageCount: 3, defaultPage: 3 },
    );
    assert.deepEqual(rootIds(page.roots), ['8']);
  });

  it('keeps every reply with its top-level comment', () => {
    const first = selectCommentPage(THREADS, counts, 1, paging())!;
    assert.deepEqual(rootIds(first.roots), ['1', '4']);
    assert.deepEqual(
      first.roots.flatMap(commentsIn).map((comment) => comment.id),
      ['1', '2', '3', '4'],
    );
    const second = selectCommentPage(THREADS, counts, 2, paging())!;
    assert.deepEqual(
      second.roots.flatMap(commentsIn).map((comment) => comment.id),
      ['5', '6', '7'],
    );
  });

  it('shows page 1 first when set to the oldest', () => {
    const page = selectCommentPage(THREADS, counts, null, paging({ firstPageShown: 'oldest' }))!;
    assert.equal(page.page, 1);
    assert.deepEqual(rootIds(page.roots), ['1', '4']);
  });

  it('reverses the threads within a page when set to newest first, but not the replies', () => {
    const page = selectCommentPage(THREADS, counts, 1, paging({ orderWithinPage: 'desc' }))!;
    assert.deepEqual(rootIds(page.roots), ['4', '1']);
    assert.deepEqual(
      page.roots[1]!.children.map((child) => child.comment?.id),
      ['2'],
    );
  });

  it('has no page 0 or past the last', () => {
    assert.equal(selectCommentPage(THREADS, counts, 0, paging()), null);
    assert.equal(selectCommentPage(THREADS, counts, 4, paging()), null);
    assert.equal(selectCommentPage(THREADS, counts, 1.5, paging()), null);
  });

  it('has one empty page when there are no comments', () => {
    const page = selectCommentPage([], counts, null, paging())!;
    assert.deepEqual({ page: page.page, pageCount: page.pageCount, roots: page.roots }, { page: 1, pageCount: 1, roots: [] });
  });

  it('never lets the viewer’s own held comment move the pages others see', () => {
    const withHeld = threadComments([...COMMENTS, row(9, undefined, true)]);
    const page = selectCommentPage(withHeld, counts, null, paging())!;
    assert.equal(page.pageCount, 3);
    assert.deepEqual(rootIds(page.roots), ['8', '9']);
  });

  it('counts a thread under a removed comment’s placeholder when a reply in it counts', () => {
    // 99 was a top-level comment, now removed: its approved reply keeps the thread's place.
    const threads = threadComments([row(1), row(2, 99), row(4), row(7)]);
    const page = selectCommentPage(threads, counts, null, paging())!;
    assert.equal(page.pageCount, 2);
    assert.deepEqual(rootIds(page.roots), ['4', '7']);
    assert.deepEqual(rootIds(selectCommentPage(threads, counts, 1, paging())!.roots), ['1', '(removed)']);
  });

  it('does not count a placeholder thread holding only the viewer’s own held reply', () => {
    const threads = threadComments([row(1), row(4), row(2, 99, true), row(7)]);
    const page = selectCommentPage(threads, counts, 1, paging())!;
    assert.equal(page.pageCount, 2);
    assert.deepEqual(rootIds(page.roots), ['1', '4', '(removed)']);
  });

  it('lists no placeholder among a thread’s comments', () => {
    const [thread] = threadComments([row(2, 99), row(3, 2)]);
    assert.deepEqual(
      commentsIn(thread!).map((comment) => comment.id),
      ['2', '3'],
    );
  });
});

describe('commentLocations', () => {
  const placement = (overrides: Partial<CommentPlacement> = {}): CommentPlacement => ({
    ...paging(),
    paginateComments: true,
    threadDepth: 5,
    ...overrides,
  });

  it('points every comment at the page holding its thread', () => {
    const locations = commentLocations(COMMENTS, placement(), '/articles/a');
    assert.equal(locations.get('3'), '/articles/a/comment-page-1/#comment-3');
    assert.equal(locations.get('6'), '/articles/a/comment-page-2/#comment-6');
    assert.equal(locations.get('8'), '/articles/a#comment-8', 'the default page is the article itself');
    assert.equal(locations.size, COMMENTS.length);
  });

  it('points at the article when comments are on one page', () => {
    const locations = commentLocations(COMMENTS, placement({ paginateComments: false }), '/articles/a');
    assert.equal(locations.get('3'), '/articles/a#comment-3');
  });

  it('puts a commenter’s own held comment where the article page shows it to them', () => {
    const held = [...COMMENTS, row(9, undefined, true), row(10, 4, true)];
    const locations = commentLocations(held, placement(), '/articles/a', counts);
    assert.equal(locations.get('9'), '/articles/a#comment-9', 'a new thread joins the newest page, making no new one');
    assert.equal(locations.get('10'), '/articles/a/comment-page-1/#comment-10', 'a reply stays with its thread');
    assert.equal(locations.get('8'), '/articles/a#comment-8');
  });

  it('places replies to a removed comment as the article page does, given the removed parents', () => {
    // 50 (a reply to 1) was removed; 51 replies to it. Without its parent, its placeholder starts a thread.
    const withRemoved = [...COMMENTS, row(51, 50)];
    const threaded = commentLocations(withRemoved, placement(), '/articles/a', undefined, new Map([['50', '1']]));
    assert.equal(threaded.get('51'), '/articles/a/comment-page-1/#comment-51');
    assert.equal(threaded.get('8'), '/articles/a#comment-8');
    assert.equal(threaded.has('50'), false, 'a placeholder has no location');
  });

  it('follows the setting for the first page shown', () => {
    const locations = commentLocations(COMMENTS, placement({ firstPageShown: 'oldest' }), '/articles/a');
    assert.equal(locations.get('1'), '/articles/a#comment-1');
    assert.equal(locations.get('8'), '/articles/a/comment-page-3/#comment-8');
  });
});

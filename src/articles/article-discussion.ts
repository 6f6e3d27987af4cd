import type { Database } from '../platform/db/connection.js';
import { HttpError } from '../platform/http-error.js';
import { listCommentEmails } from '../mail/index.js';
import {
  listRemovedParents,
  listVisibleCommentOutlines,
  listVisibleComments,
  listVisibleCommentsById,
  type CommentOutline,
  type PublicCommentRow,
} from '../comments/index.js';
import type { CommentPagesModel, ShownComment } from '../platform/rendering/models.js';
import { commentPagePath, commentsIn, selectCommentPage } from '../comments/index.js';
import type { AvatarSource, DiscussionSettings } from '../settings/index.js';
import { renderCommentText } from '../comments/index.js';
import { avatarHash, avatarPath, gravatarUrl } from '../comments/index.js';
import { withinEditWindow } from '../comments/index.js';
import { threadComments, type RemovedParents, type ThreadNode } from '../comments/index.js';

/**
 * The discussion under an article: which comments a reader sees on the
 * comment page asked for, read as cheaply as that page allows, threaded and
 * given their avatars.
 */

export interface DiscussionPage {
  roots: ThreadNode<ShownComment>[];
  pagePath: string;
  pages: CommentPagesModel | null;
}

/**
 * The threads of one comment page (all of them when comments are not
 * paginated); 404 past the last page. `removedParents` keeps replies to a
 * removed comment in their thread (listRemovedParents).
 */
export function pageOfDiscussion(
  shown: ShownComment[],
  settings: DiscussionSettings,
  requested: number | null,
  path: string,
  removedParents?: RemovedParents,
): DiscussionPage {
  const roots = threadComments(shown, settings.threadDepth, removedParents);
  if (!settings.paginateComments) return { roots, pagePath: path, pages: null };
  const selected = selectCommentPage(roots, (comment) => !comment.awaitingModeration, requested, settings);
  if (!selected) throw new HttpError(404, 'There is no such page of comments.');
  const { page, pageCount, defaultPage } = selected;
  const pathOf = (number: number) => commentPagePath(path, number, defaultPage);
  return {
    roots: selected.roots,
    pagePath: pathOf(page),
    pages: {
      page,
      pageCount,
      olderHref: page > 1 ? `${pathOf(page - 1)}#comments` : null,
      newerHref: page < pageCount ? `${pathOf(page + 1)}#comments` : null,
    },
  };
}

export interface DiscussionRequest {
  requested: number | null;
  path: string;
  nowMs: number;
  replyToId: string | null;
}

type CommentText = Pick<PublicCommentRow, 'author_name' | 'author_url' | 'body' | 'is_site_reply'>;

/** Placeholders for what an outline does not read; only comments never shown keep them. */
const UNREAD_TEXT: CommentText = { author_name: '', author_url: '', body: '', is_site_reply: false };

/**
 * Every comment the reader may see, and the page of them shown. With comment
 * pages only an outline of each comment is read (enough to cut the pages),
 * then the text of those on the page shown and of the one replied to: a long
 * discussion is not read in full for every page of it. Should one of those
 * have gone in between, it is all read again in full.
 */
export async function readDiscussion(
  db: Database,
  articleId: string,
  ownPending: ReadonlySet<string>,
  settings: DiscussionSettings,
  request: DiscussionRequest,
): Promise<{ shown: ShownComment[]; discussion: DiscussionPage }> {
  const ownIds = [...ownPending];
  // Built field by field: spreading thousands of driver rows costs more than reading them.
  const shownFrom = <Row extends CommentOutline>(rows: readonly Row[], text: (row: Row) => CommentText): ShownComment[] =>
    rows.map((row) => {
      const { author_name, author_url, body, is_site_reply } = text(row);
      return {
        id: row.id,
        parent_id: row.parent_id,
        status: row.status,
        created_at: row.created_at,
        author_name,
        author_url,
        body,
        is_site_reply,
        awaitingModeration: row.status !== 'approved',
        editHref: ownPending.has(row.id) && withinEditWindow(row.created_at, request.nowMs) ? `/comments/${row.id}/edit` : null,
        avatarHref: null,
        bodyHtml: '',
      };
    });
  const inFull = async () => {
    const rows = await listVisibleComments(db, articleId, ownIds);
    const shown = shownFrom(rows, (row) => row);
    const removedParents = await listRemovedParents(db, articleId, rows);
    return withTextRendered({ shown, discussion: pageOfDiscussion(shown, settings, request.requested, request.path, removedParents) });
  };
  if (!settings.paginateComments) return inFull();
  const outlines = await listVisibleCommentOutlines(db, articleId, ownIds);
  const shown = shownFrom(outlines, () => UNREAD_TEXT);
  const removedParents = await listRemovedParents(db, articleId, outlines);
  const discussion = pageOfDiscussion(shown, settings, request.requested, request.path, removedParents);
  const wanted = discussion.roots.flatMap((root) => commentsIn(root));
  const replyTarget = shown.find((comment) => comment.id === request.replyToId);
  if (replyTarget) wanted.push(replyTarget);
  const texts = new Map(
    (
      await listVisibleCommentsById(
        db,
        articleId,
        ownIds,
        wanted.map((comment) => comment.id),
      )
    ).map((row) => [row.id, row]),
  );
  if (wanted.some((comment) => !texts.has(comment.id))) return inFull();
  for (const comment of wanted) {
    const { author_name, author_url, body, is_site_reply } = texts.get(comment.id)!;
    Object.assign(comment, { author_name, author_url, body, is_site_reply });
  }
  return withTextRendered({ shown, discussion });
}

/** Renders the text of each comment on the page shown, once: only those are in the HTML. */
function withTextRendered<Read extends { discussion: DiscussionPage }>(read: Read): Read {
  for (const comment of read.discussion.roots.flatMap((root) => commentsIn(root))) comment.bodyHtml = renderCommentText(comment.body);
  return read;
}

/** Avatars are shown 48 px square; Gravatar is asked for twice that, for high-density screens. */
const GRAVATAR_SIZE = 96;

/**
 * Gives each shown comment its avatar: the site's identicon, or Gravatar's
 * when the settings choose it (and the comment has an email to look up).
 * The emails stay here; a page only ever carries a hash of one, keyed and
 * per comment (see avatarHash).
 */
export async function addAvatars(db: Database, secret: string, comments: ShownComment[], source: AvatarSource) {
  const emails = await listCommentEmails(
    db,
    comments.map((comment) => comment.id),
  );
  for (const comment of comments) {
    const email = emails.get(comment.id) ?? '';
    comment.avatarHref =
      source === 'gravatar' && email.trim() !== '' ? gravatarUrl(email, GRAVATAR_SIZE) : avatarPath(avatarHash(secret, email, comment.id));
  }
}

import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { ownerScope } from '../people/index.js';
import { HttpError } from '../platform/http-error.js';
import { listLogPage } from './log-queries.js';
import { renderPage } from '../platform/rendering/render.js';
import { describeLogEntry } from './moderation.js';
import { decodeCursor, encodeCursor, PAGE_SIZE, queueHref, type Cursor } from './queue-address.js';

const LOG_PATH = '/admin/log';
const LOG_PAGE_SIZE = PAGE_SIZE * 2;

function readCursor(value: unknown): Cursor | null {
  if (value === undefined || value === '') return null;
  const cursor = typeof value === 'string' ? decodeCursor(value) : null;
  if (!cursor) throw new HttpError(400, 'That page link is damaged. Go back to the first page of the log.');
  return cursor;
}

const logHref = (key: 'before' | 'after', cursor: Cursor) => `${LOG_PATH}?${key}=${encodeURIComponent(encodeCursor(cursor))}`;

/** GET /admin/log — every moderation action, newest first, with links to the comments that still exist. */
export async function showLog(req: Request, res: Response) {
  const before = readCursor(req.query.before);
  const after = readCursor(req.query.after);
  if (before && after) throw new HttpError(400, 'A page cannot start and end at once.');
  // An author sees what was done to the comments on their own articles.
  const page = await listLogPage(contextOf(req).db, { before, after }, LOG_PAGE_SIZE, ownerScope(res, 'moderation-log'));
  await renderPage(res, 200, 'moderation/admin/log', {
    meta: { title: 'Moderation log' },
    entries: page.rows.map((entry) => {
      const commentId = String(entry.comment_id);
      const exists = entry.comment_status !== null;
      return {
        at: entry.created_at,
        actor: entry.actor_name,
        action: entry.action,
        description: describeLogEntry(entry),
        commentId,
        commentHref: exists ? queueHref({ view: 'all', commentId }) : null,
        commentLabel: exists ? `#${commentId} by ${entry.comment_author_name ?? ''}` : `#${commentId} (deleted)`,
      };
    }),
    pagination: {
      olderHref: page.older ? logHref('before', page.older) : null,
      newerHref: page.newer ? logHref('after', page.newer) : null,
      firstHref: before || after ? LOG_PATH : null,
    },
  });
}

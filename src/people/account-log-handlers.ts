import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import type { AccountEventKind } from './account-events.js';
import { cursorOf, decodeCursor, encodeCursor, type Cursor } from '../platform/db/keyset-page.js';
import { listAccountEvents, type AccountEventRow } from './account-events-queries.js';

const LOG_PATH = '/admin/people/log';
const LOG_PAGE_SIZE = 50;

export interface AccountLogEntry {
  at: Date;
  kind: AccountEventKind;
  description: string;
  /** Who did it, or null when nobody signed in did (a reset link, the command line, a failed sign-in). */
  actor: string | null;
  /** Whose account; null when it matched none. */
  subject: string | null;
  ip: string | null;
  detail: string | null;
}

export interface AccountLogPageModel {
  meta: PageMeta;
  entries: AccountLogEntry[];
  pagination: { olderHref: string | null; newerHref: null; firstHref: string | null };
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'people/admin/log': AccountLogPageModel;
  }
}

const DESCRIPTIONS: Record<AccountEventKind, string> = {
  'sign-in': 'Signed in',
  'sign-in-failed': 'Failed sign-in',
  'two-factor-on': 'Turned two-factor on',
  'two-factor-off': 'Turned two-factor off',
  'password-changed': 'Changed the password',
  'password-reset': 'Reset the password',
  'role-changed': 'Changed the role',
  invited: 'Invited',
  'invitation-accepted': 'Accepted an invitation',
  disabled: 'Disabled the account',
  enabled: 'Re-enabled the account',
  deleted: 'Deleted the account',
  created: 'Created the account',
};

/** A cursor is the last row's exact time and id (platform/db/keyset-page.ts). */
function readCursor(value: unknown): Cursor | null {
  if (value === undefined || value === '') return null;
  const cursor = typeof value === 'string' ? decodeCursor(value) : null;
  if (!cursor) throw new HttpError(400, 'That page link is damaged. Go back to the first page of the log.');
  return cursor;
}

function entryOf(row: AccountEventRow): AccountLogEntry {
  return {
    at: row.created_at,
    kind: row.kind,
    description: DESCRIPTIONS[row.kind],
    actor: row.actor_name,
    subject: row.subject_name,
    ip: row.ip,
    detail: row.detail,
  };
}

/** GET /admin/people/log — every account event, newest first: who, whom, when and from which address. */
export async function showAccountLog(req: Request, res: Response) {
  const before = readCursor(req.query.before);
  const page = await listAccountEvents(contextOf(req).db, before, LOG_PAGE_SIZE);
  const last = page.rows.at(-1);
  await renderPage(res, 200, 'people/admin/log', {
    meta: { title: 'Account log' },
    entries: page.rows.map(entryOf),
    pagination: {
      olderHref: page.hasMore && last ? `${LOG_PATH}?before=${encodeURIComponent(encodeCursor(cursorOf(last)))}` : null,
      newerHref: null,
      firstHref: before ? LOG_PATH : null,
    },
  });
}

import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { QUEUE_DENSITIES, saveQueuePreferences } from './queue-preference-queries.js';
import { filtersOfQueuePath, PER_PAGE_MAX, PER_PAGE_MIN } from './queue-address.js';
import { setFlash } from './admin-chrome.js';
import { hidden, parseForm, returnPath } from './comment-action-handlers.js';
import { renderQueue } from './queue-handlers.js';

/** The queue's screen options, saved per account (like WordPress's Screen Options). */

// An unchecked checkbox sends nothing: no `shortcuts` means off.
const preferencesForm = z.strictObject({
  ...hidden,
  shortcuts: z.literal('on').optional(),
  per_page: z.string().max(20),
  density: z.enum(QUEUE_DENSITIES),
});

/** POST /admin/comments/preferences — shortcuts on or off, rows per page, density; 303 back to the queue. */
export async function saveScreenOptions(req: Request, res: Response) {
  const form = parseForm(preferencesForm, req.body);
  const back = returnPath(req, form.return_to);
  const perPage = /^\d{1,3}$/.test(form.per_page.trim()) ? Number(form.per_page.trim()) : NaN;
  if (!(perPage >= PER_PAGE_MIN && perPage <= PER_PAGE_MAX)) {
    const values = { shortcuts: form.shortcuts === 'on', perPage: form.per_page, density: form.density };
    const message = `Show between ${PER_PAGE_MIN} and ${PER_PAGE_MAX} comments a page.`;
    return renderQueue(req, res, 422, filtersOfQueuePath(back), null, { values, message });
  }
  const { db, now } = contextOf(req);
  await saveQueuePreferences(
    db,
    signedInAdmin(res).id,
    { shortcutsEnabled: form.shortcuts === 'on', perPage, density: form.density },
    new Date(now()),
  );
  setFlash(req, 'success', 'Screen options saved.');
  res.redirect(303, back);
}

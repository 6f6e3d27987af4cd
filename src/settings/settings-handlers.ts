import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { loadDiscussionSettings, saveDiscussionSettings } from './settings-queries.js';
import type { AdminSettingsPageModel, DiscussionFormValues } from '../moderation/index.js';
import { supportedTimeZones } from '../platform/rendering/format.js';
import { renderPage } from '../platform/rendering/render.js';
import { moderatorAddress } from '../mail/index.js';
import { DEFAULT_DISCUSSION_SETTINGS } from './discussion-settings.js';
import { discussionForm, errorsOf, FIELD_ORDER, settingsOf, typedValues, valuesOf, type FormErrors } from './settings-form.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/index.js';
import { HELD_MAILS_PER_MINUTE } from '../mail/index.js';

const SETTINGS_PATH = '/admin/settings/discussion';
const THREAD_DEPTHS = [2, 3, 4, 5, 6, 7, 8, 9, 10];

let timeZoneGroups: AdminSettingsPageModel['timeZoneGroups'] | null = null;

/** UTC, then each region's cities ("America" › "New York"), as WordPress's timezone menu lists them. */
function groupedTimeZones(): AdminSettingsPageModel['timeZoneGroups'] {
  if (timeZoneGroups) return timeZoneGroups;
  const groups = new Map<string, Array<{ value: string; label: string }>>([['UTC', [{ value: 'UTC', label: 'UTC' }]]]);
  for (const zone of supportedTimeZones().slice(1)) {
    const slash = zone.indexOf('/');
    const region = slash > 0 ? zone.slice(0, slash) : 'Other';
    const label = (slash > 0 ? zone.slice(slash + 1) : zone).replaceAll('_', ' ').replaceAll('/', ' – ');
    groups.set(region, [...(groups.get(region) ?? []), { value: zone, label }]);
  }
  timeZoneGroups = [...groups].map(([region, zones]) => ({ region, zones }));
  return timeZoneGroups;
}

async function renderSettings(req: Request, res: Response, status: number, values: DiscussionFormValues, errors: FormErrors = {}) {
  const model: AdminSettingsPageModel = {
    meta: { title: 'Discussion Settings' },
    action: SETTINGS_PATH,
    values,
    errors,
    errorSummary: FIELD_ORDER.flatMap((field) => (errors[field] ? [{ field, message: errors[field] }] : [])),
    threadDepths: THREAD_DEPTHS,
    defaultNotificationEmail: moderatorAddress(DEFAULT_DISCUSSION_SETTINGS, contextOf(req).config.baseUrl),
    heldMailsPerMinute: HELD_MAILS_PER_MINUTE,
    flash: status === 200 ? takeFlash(req) : null,
    timeZoneGroups: groupedTimeZones(),
    now: new Date(contextOf(req).now()),
  };
  // The Site section's additions are not (yet) in admin-models' type for this page.
  await renderPage(res, status, 'settings/admin/discussion', model);
}

/** GET /admin/settings/discussion — every discussion option, laid out as WordPress lays out its Discussion Settings. */
export async function showDiscussionSettings(req: Request, res: Response) {
  const settings = await loadDiscussionSettings(contextOf(req).db);
  await renderSettings(req, res, 200, valuesOf(settings));
}

/** POST /admin/settings/discussion — saves every option at once; 422 with the form again when any is wrong. */
export async function updateDiscussionSettings(req: Request, res: Response) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const parsed = discussionForm.safeParse(body);
  if (!parsed.success) {
    await loadAdminChrome(req, res);
    return renderSettings(req, res, 422, typedValues(body), errorsOf(parsed.error));
  }
  const { db } = contextOf(req);
  await saveDiscussionSettings(db, settingsOf(parsed.data), signedInAdmin(res).id);
  setFlash(req, 'success', 'Settings saved.');
  res.redirect(303, SETTINGS_PATH);
}

import type { Response } from 'express';
import { contextOf } from '../context.js';
import { rememberedDiscussionSettings } from '../page-cache/index.js';
import { SITE_IMAGE_PATH } from './site-image.js';
import { dateFormatsIn, DEFAULT_TIME_ZONE, namedDateFormatsIn, type DateFormats } from './format.js';
import type { PageModels } from './models.js';

/** A page is `views/<feature>/<name>.ejs`; a staff page sits in its feature's `admin/` folder and gets the admin layout. */
const isStaffPage = (page: string) => page.includes('/admin/');

/**
 * The date helpers a page formats with, in the site's zone: read from the
 * settings as every instance reads them (kept while the change listener
 * hears every change), so a new zone shows at once everywhere. Staff pages
 * name the zone after each time. The error page shows no dates and must
 * render when the database cannot answer, and a 503 answers exactly that: neither asks.
 */
async function dateFormatsFor(res: Response, page: keyof PageModels): Promise<DateFormats> {
  if (page === 'platform/error' || res.statusCode === 503) return dateFormatsIn(DEFAULT_TIME_ZONE);
  const { db, memo } = contextOf(res.req);
  // A page answering a database failure (a comment form given back) still renders, in UTC.
  const timeZone = await rememberedDiscussionSettings(db, memo).then(
    (settings) => settings.timeZone,
    () => DEFAULT_TIME_ZONE,
  );
  return isStaffPage(page) ? namedDateFormatsIn(timeZone) : dateFormatsIn(timeZone);
}

/** Renders a page inside its layout and returns the HTML. */
export async function renderPageToString<Page extends keyof PageModels>(
  res: Response,
  page: Page,
  model: PageModels[Page],
): Promise<string> {
  const dates = await dateFormatsFor(res, page);
  const render = (view: string, locals: object) =>
    new Promise<string>((resolve, reject) =>
      res.app.render(view, { ...res.locals, ...dates, ...locals }, (error, html) => (error ? reject(error) : resolve(html))),
    );
  const body = await render(page, model);
  const layout = isStaffPage(page) ? 'layouts/admin' : 'layouts/site';
  return render(layout, { ...model, body, siteImagePath: SITE_IMAGE_PATH });
}

/**
 * Renders a page into the site layout. Each page has one view-model type,
 * so a template only ever formats what its controller gave it.
 */
export async function renderPage<Page extends keyof PageModels>(
  res: Response,
  status: number,
  page: Page,
  model: PageModels[Page],
): Promise<void> {
  res.status(status);
  const html = await renderPageToString(res, page, model);
  res.type('html').send(html);
}

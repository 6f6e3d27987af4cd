import type { Response } from 'express';
import type { PageModels } from './models.js';

/** Renders a page inside its layout and returns the HTML. */
export async function renderPageToString<Page extends keyof PageModels>(
  res: Response,
  page: Page,
  model: PageModels[Page],
): Promise<string> {
  const render = (view: string, locals: object) =>
    new Promise<string>((resolve, reject) =>
      res.app.render(view, { ...res.locals, ...locals }, (error, html) => (error ? reject(error) : resolve(html))),
    );
  const body = await render(`pages/${page}`, model);
  const layout = page.startsWith('admin/') ? 'layouts/admin' : 'layouts/site';
  return render(layout, { ...model, body });
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
  const html = await renderPageToString(res, page, model);
  res.status(status).type('html').send(html);
}

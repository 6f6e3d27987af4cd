import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import type { CachedPage, RenderedPage } from './page-cache.js';
import { preparePage } from './page-encoding.js';
import { sendPage } from './send-page.js';

/**
 * Answers with the page kept under `key`, or renders it with `render`,
 * keeps it and sends it. `key` names the page: the handler builds it from
 * what changes the page (its path, the query parameters its route
 * declares), so other parameters share the page. When another request is
 * rendering this very page, this one waits for that render rather than
 * repeating it (after a change, under load, every reader would otherwise
 * render). `render` answers null when it has answered itself (a redirect).
 */
export async function cachePage(req: Request, res: Response, key: string, render: () => Promise<RenderedPage | null>): Promise<void> {
  if (await sendKept(req, res, key)) return;
  const { pageCache } = contextOf(req);
  const underWay = pageCache.renderUnderWay(key);
  if (underWay && (await sendKept(req, res, key, await underWay))) return;
  const finish = pageCache.startRender(key);
  let prepared: CachedPage | null = null;
  try {
    // Noted before the render reads anything: a change heard after it refuses the page.
    const readStart = await pageCache.freshReadStart();
    const rendered = await render();
    if (!rendered) return;
    prepared = await preparePage(rendered, readStart);
    if (!prepared) return void res.status(200).type('html').send(rendered.html);
    if (pageCache.store(key, prepared)) pageCache.rememberRequest(req.originalUrl, req.headers.cookie, key);
    sendPage(req, res, prepared, 'miss');
  } finally {
    finish(prepared);
  }
}

/**
 * Sends the page kept under `key`, once this process's own writes have been
 * heard; false when there is none. `rendered` is a page a render under way
 * handed over without keeping it (too large): it is sent if still current.
 */
async function sendKept(req: Request, res: Response, key: string, rendered: CachedPage | null = null): Promise<boolean> {
  const { pageCache } = contextOf(req);
  if (!pageCache.listening) return false;
  await pageCache.localWritesHeard();
  const kept = pageCache.peek(key);
  const page = kept ?? (rendered && pageCache.isCurrent(rendered) ? rendered : null);
  if (!page) return false;
  if (kept) pageCache.rememberRequest(req.originalUrl, req.headers.cookie, key);
  sendPage(req, res, page, kept ? 'hit' : 'shared');
  return true;
}

import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { renderPage } from '../platform/rendering/render.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { ExportAborted, writeWordpressExport } from './wordpress-export.js';
import { countExportRows } from './wordpress-export-queries.js';

export const EXPORT_DOWNLOAD_PATH = '/admin/export/download';

export interface ExportPageModel {
  meta: PageMeta;
  downloadHref: string;
  fileName: string;
  articles: number;
  comments: number;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'moving/admin/export': ExportPageModel;
  }
}

/** `broadsheet-YYYY-MM-DD.xml`, dated in UTC. */
export function exportFileName(now: Date): string {
  return `broadsheet-${now.toISOString().slice(0, 10)}.xml`;
}

/** GET /admin/export — what the file holds, and the button that downloads it (Administrators). */
export async function showExport(req: Request, res: Response) {
  const { db, now } = contextOf(req);
  const totals = await countExportRows(db);
  await renderPage(res, 200, 'moving/admin/export', {
    meta: { title: 'Export' },
    downloadHref: EXPORT_DOWNLOAD_PATH,
    fileName: exportFileName(new Date(now())),
    ...totals,
  });
}

/**
 * GET /admin/export/download — the WXR file as an attachment, streamed as
 * it is read (a cancelled download stops the export). A failure once bytes
 * are sent can only cut the response short: the file then fails to parse,
 * never passes for complete.
 */
export async function downloadExport(req: Request, res: Response) {
  const { db, config, now } = contextOf(req);
  const at = new Date(now());
  const { timeZone } = await loadDiscussionSettings(db);
  res.status(200);
  res.set({
    'Content-Type': 'application/xml; charset=utf-8',
    'Content-Disposition': `attachment; filename="${exportFileName(at)}"`,
    'X-Content-Type-Options': 'nosniff',
  });
  try {
    await writeWordpressExport(db, res, {
      baseUrl: config.baseUrl,
      siteName: String(req.app.locals.siteName ?? 'Broadsheet'),
      timeZone,
      now: at,
    });
  } catch (error) {
    if (error instanceof ExportAborted) return;
    if (!res.headersSent) {
      // Nothing sent yet: the error page, not a file.
      res.removeHeader('Content-Disposition');
      res.removeHeader('Content-Type');
      throw error;
    }
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  res.end();
}

import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { namedDateFormatsIn } from '../platform/rendering/format.js';
import { renderArticleBody } from './article-markdown.js';
import { lookUpMedia, mediaUrlsIn } from '../media/index.js';
import { BODY_MAX_BYTES, EXCERPT_MAX, FIGURE_AFTER_MAX, FIGURE_TEXT_MAX, TITLE_MAX } from './editor-form.js';
import { EDITOR_BODY_LIMIT, editorOf, loadEditedArticle } from './editor-handlers.js';
import { siteTimeZone } from './editor-page.js';
import { writeAutosave } from './revision-queries.js';

/** What the editor's script asks for in JSON: the live preview of the body, and the autosave slot. */

export const editorJsonBody: RequestHandler = express.json({ limit: EDITOR_BODY_LIMIT });

const bodyText = z.string().refine((body) => Buffer.byteLength(body) <= BODY_MAX_BYTES, 'The text is longer than 1 MB.');
const previewRequest = z.strictObject({
  _csrf: z.string(),
  body: bodyText,
  body_format: z.enum(['markdown', 'html']).optional(),
});
/** Kept as typed, half-finished or not: only a save applies the field rules. */
const autosaveRequest = z.strictObject({
  _csrf: z.string(),
  title: z.string().max(TITLE_MAX * 4),
  body: bodyText,
  excerpt: z.string().max(EXCERPT_MAX * 2),
  figure_image: z.string().max(FIGURE_TEXT_MAX),
  figure_alt: z.string().max(FIGURE_TEXT_MAX * 2),
  figure_caption: z.string().max(FIGURE_TEXT_MAX * 2),
  figure_after: z.string().max(20),
});

const refused = (res: Response, message: string) => void res.status(422).json({ error: message });
/** PostgreSQL refuses NUL in text; a slot holds what can be stored. */
const storable = (text: string) => text.replace(/\0/g, '');
const orNull = (text: string) => (text.trim() === '' ? null : storable(text));

/** POST /admin/articles/preview-body — the body rendered and sanitised as a save would store it: `{ "html": … }`. */
export async function previewBody(req: Request, res: Response) {
  const parsed = previewRequest.safeParse(req.body ?? {});
  if (!parsed.success) return refused(res, parsed.error.issues[0]?.message ?? 'The preview request could not be read.');
  const { body, body_format: format = 'markdown' } = parsed.data;
  res.json({ html: renderArticleBody(body, format, await lookUpMedia(contextOf(req).db, mediaUrlsIn(body))) });
}

/** POST /admin/articles/:id/autosave — keeps the typed text in this account's slot; the article itself is untouched. */
export async function autosaveArticle(req: Request, res: Response) {
  const article = await loadEditedArticle(req);
  const parsed = autosaveRequest.safeParse(req.body ?? {});
  if (!parsed.success) return refused(res, parsed.error.issues[0]?.message ?? 'The autosave could not be read.');
  const typed = parsed.data;
  const after = /^\d{1,4}$/.test(typed.figure_after.trim()) ? Number(typed.figure_after.trim()) : 1;
  const { db, now } = contextOf(req);
  const at = new Date(now());
  await writeAutosave(
    db,
    article.id,
    {
      title: storable(typed.title),
      body: storable(typed.body),
      body_format: article.body_format,
      excerpt: orNull(typed.excerpt),
      figure_image: orNull(typed.figure_image),
      figure_alt: orNull(typed.figure_alt),
      figure_caption: orNull(typed.figure_caption),
      figure_after_paragraph: Math.min(Math.max(after, 1), FIGURE_AFTER_MAX),
    },
    editorOf(res),
    at,
  );
  const { formatDateTime } = namedDateFormatsIn(await siteTimeZone(req));
  res.json({ savedAt: at.toISOString(), savedAtText: formatDateTime(at) });
}

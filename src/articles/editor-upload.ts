import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { isId } from '../platform/http/route-patterns.js';
import { findArticleById } from './article-queries.js';
import { editorValuesOf, type EditorErrors } from './editor-form.js';
import { renderEditor } from './editor-page.js';

/**
 * The editor without JavaScript uploads an image by sending the whole form,
 * every typed field with the file, to the media route; its answer is the
 * editor again with all of them as typed, and either the image's address
 * (filling the figure when it was empty) or what was wrong with the file.
 */
export async function renderEditorAfterUpload(
  req: Request,
  res: Response,
  status: number,
  outcome: { url: string } | { error: string },
): Promise<void> {
  const sent = (req.body ?? {}) as Record<string, unknown>;
  const article = isId(sent.article_id) ? await findArticleById(contextOf(req).db, sent.article_id) : null;
  const values = editorValuesOf(sent);
  const errors: EditorErrors = {};
  let upload = null;
  if ('url' in outcome) {
    if (values.figure_image.trim() === '') values.figure_image = outcome.url;
    upload = { url: outcome.url, markdown: `![Describe the image](${outcome.url})` };
  } else {
    errors.file = outcome.error;
  }
  await renderEditor(req, res, status, { article, values, errors, upload });
}

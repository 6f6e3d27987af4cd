import express, { type Request, type RequestHandler, type Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { namedDateFormatsIn } from '../platform/rendering/format.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { setFlash, takeFlash } from '../moderation/index.js';
import { notYourArticle, ownerScope } from '../people/index.js';
import { findArticleById, type ArticleRow } from './article-queries.js';
import { createArticle, saveArticle, type Editor, type SaveOutcome } from './article-editing.js';
import { parseEditorForm, type EditorAction, type EditorValues } from './editor-form.js';
import { editorPath, renderEditor, siteTimeZone, valuesFromArticle } from './editor-page.js';
import { findAutosave } from './revision-queries.js';
import { renderArticlePreview } from './article-preview.js';

/** The article editor: a new article, an existing one, saving either; the preview for staff. */

/**
 * The editor's form carries a body of up to 1 MB, which url-encoding can
 * triple: the site's form parser stops at 1 MB, so the editor's routes
 * parse their own, after the session check so that only staff may send
 * that much.
 */
export const EDITOR_BODY_LIMIT = '4mb';
export const editorFormBody: RequestHandler = express.urlencoded({ extended: false, limit: EDITOR_BODY_LIMIT, parameterLimit: 50 });

export async function loadEditedArticle(req: Request): Promise<ArticleRow> {
  const id = String(req.params.id);
  const article = ID_PATTERN.test(id) ? await findArticleById(contextOf(req).db, id) : null;
  if (!article) throw new HttpError(404, 'There is no such article.');
  return article;
}

export function editorOf(res: Response): Editor {
  const admin = signedInAdmin(res);
  return { id: admin.id, name: admin.displayName };
}

/** An author's article stays theirs: naming another account (or none) as its author is refused. */
function refuseOtherAuthor(res: Response, authorId: string) {
  const owner = ownerScope(res, 'articles');
  if (owner !== null && authorId !== owner) throw notYourArticle();
}

function blankValues(res: Response): EditorValues {
  const admin = signedInAdmin(res);
  return {
    title: '',
    slug: '',
    body: '',
    excerpt: '',
    tags: '',
    author_name: admin.displayName,
    author_id: admin.id,
    comments_open: true,
    figure_image: '',
    figure_alt: '',
    figure_caption: '',
    figure_after: '1',
    publish_at: '',
    version: '',
  };
}

/** GET /admin/articles/new — the editor, empty. */
export async function showNewArticle(req: Request, res: Response) {
  await renderEditor(req, res, 200, { article: null, values: blankValues(res), flash: takeFlash(req) });
}

/** GET /admin/articles/:id/edit — the current text, its status and revisions; `?restore=autosave` fills in this account's autosave. */
export async function showEditor(req: Request, res: Response) {
  const article = await loadEditedArticle(req);
  const values = await valuesFromArticle(req, article, await siteTimeZone(req));
  const autosave = await findAutosave(contextOf(req).db, article.id, signedInAdmin(res).id);
  if (req.query.restore === 'autosave' && autosave) {
    const restored = {
      ...values,
      title: autosave.title,
      body: autosave.body,
      excerpt: autosave.excerpt ?? '',
      figure_image: autosave.figure_image ?? '',
      figure_alt: autosave.figure_alt ?? '',
      figure_caption: autosave.figure_caption ?? '',
      figure_after: String(autosave.figure_after_paragraph),
    };
    const notice = 'The autosaved text is in the editor. Save to keep it; leave without saving to keep the text as it was.';
    return renderEditor(req, res, 200, { article, values: restored, notice });
  }
  await renderEditor(req, res, 200, { article, values, autosave, flash: takeFlash(req) });
}

async function savedMessage(req: Request, action: EditorAction, article: ArticleRow, slugNote: string | null): Promise<string> {
  const { formatDateTime } = namedDateFormatsIn(await siteTimeZone(req));
  const messages: Record<EditorAction, string> = {
    save: article.status === 'draft' ? 'Draft saved.' : 'Saved.',
    publish: `Published: readers find it at /articles/${article.slug}.`,
    schedule: `Scheduled: it will be published on ${article.published_at ? formatDateTime(article.published_at) : ''}.`,
    unpublish: 'Moved to drafts: readers no longer see it.',
  };
  return slugNote ? `${messages[action]} ${slugNote}` : messages[action];
}

/** The answer to a save that did not go through. */
async function refuse(
  req: Request,
  res: Response,
  article: ArticleRow | null,
  values: EditorValues,
  outcome: Exclude<SaveOutcome, { ok: true }>,
) {
  if (outcome.reason === 'missing') throw new HttpError(404, 'This article no longer exists.');
  if (outcome.reason === 'invalid') return renderEditor(req, res, 422, { article, values, errors: outcome.errors });
  const { current, savedBy } = outcome;
  // The form now carries the version shown beside it: saving again knowingly replaces it.
  return renderEditor(req, res, 409, {
    article: current,
    values: { ...values, version: String(current.version) },
    errors: {
      form: `${savedBy.name} saved this article while you were editing it. Your text is in the form below, theirs above it: nothing of either was lost.`,
    },
    conflict: {
      savedByName: savedBy.name,
      savedAt: savedBy.at,
      title: current.title,
      body: current.body,
      excerpt: current.excerpt ?? '',
      version: current.version,
    },
  });
}

/** POST /admin/articles — creates the article (a draft unless the action says otherwise); 303 to its editor. */
export async function createArticleFromEditor(req: Request, res: Response) {
  const parsed = parseEditorForm(req.body, await siteTimeZone(req));
  refuseOtherAuthor(res, parsed.values.author_id);
  if (!parsed.ok) return renderEditor(req, res, 422, { article: null, values: parsed.values, errors: parsed.errors });
  const outcome = await createArticle(contextOf(req).db, parsed.submission, editorOf(res), new Date(contextOf(req).now()));
  if (!outcome.ok) return refuse(req, res, null, parsed.values, outcome);
  setFlash(req, 'success', await savedMessage(req, parsed.submission.action, outcome.article, outcome.slugNote));
  res.redirect(303, editorPath(outcome.article.id));
}

/** POST /admin/articles/:id — saves; 422 with every field as typed, 409 when someone saved in between. */
export async function saveArticleFromEditor(req: Request, res: Response) {
  const article = await loadEditedArticle(req);
  const parsed = parseEditorForm(req.body, await siteTimeZone(req));
  refuseOtherAuthor(res, parsed.values.author_id);
  if (!parsed.ok) return renderEditor(req, res, 422, { article, values: parsed.values, errors: parsed.errors });
  if (parsed.submission.version === null) {
    const errors = { form: 'The form lost its version number. Reload the page and try again.' };
    return renderEditor(req, res, 422, { article, values: parsed.values, errors });
  }
  const { db, now } = contextOf(req);
  const outcome = await saveArticle(db, article.id, article.body_format, parsed.submission, editorOf(res), new Date(now()));
  if (!outcome.ok) return refuse(req, res, article, parsed.values, outcome);
  setFlash(req, 'success', await savedMessage(req, parsed.submission.action, outcome.article, outcome.slugNote));
  res.redirect(303, editorPath(article.id));
}

/** GET /admin/articles/:id/preview — the article page as readers will see it, for staff, whatever its status. */
export async function previewArticle(req: Request, res: Response) {
  await renderArticlePreview(req, res, await loadEditedArticle(req));
}

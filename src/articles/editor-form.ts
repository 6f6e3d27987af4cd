import { z } from 'zod';
import { ID_PATTERN, SLUG_PATTERN } from '../platform/http/route-patterns.js';
import { parseLocalDateTime } from './site-time.js';
import { parseTagNames, type TagName } from './tag-names.js';

/**
 * The editor's form: its field names (fixed by the contract), the values as
 * typed (a refused save shows them again, untouched) and the rules each
 * field must meet before anything is stored.
 */

export const EDITOR_ACTIONS = ['save', 'publish', 'schedule', 'unpublish'] as const;
export type EditorAction = (typeof EDITOR_ACTIONS)[number];

const TEXT_FIELDS = [
  'title',
  'slug',
  'body',
  'excerpt',
  'tags',
  'author_name',
  'author_id',
  'figure_image',
  'figure_alt',
  'figure_caption',
  'figure_after',
  'publish_at',
  'version',
] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** Fields shown with a place for their message; the hidden ones report on the form as a whole. */
const SHOWN_FIELDS = new Set<string>([...TEXT_FIELDS.filter((field) => field !== 'version'), 'action']);

/** What the form shows: each text field as typed, the checkbox as ticked. */
export type EditorValues = Record<TextField, string> & { comments_open: boolean };

/** Field name → message; `form` for the form as a whole, `file` for the upload control. */
export type EditorErrors = Partial<Record<TextField | 'comments_open' | 'action' | 'form' | 'file', string>>;

export const TITLE_MAX = 300;
export const SLUG_MAX = 200;
export const BODY_MAX_BYTES = 1024 * 1024;
export const EXCERPT_MAX = 2000;
export const AUTHOR_NAME_MAX = 100;
export const FIGURE_TEXT_MAX = 1000;
export const FIGURE_AFTER_MAX = 1000;
/** The schema's rule: a bundled image under /images/ or an upload under /media/, no climbing out, no dotfiles. */
const FIGURE_IMAGE_PATH = /^\/(images|media)\/[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export interface ArticleSubmission {
  title: string;
  /** Null: make one from the title. */
  slug: string | null;
  body: string;
  excerpt: string | null;
  tags: TagName[];
  /** '' when the account's display name is to be used. */
  authorName: string;
  authorId: string | null;
  commentsOpen: boolean;
  figure: { image: string | null; alt: string | null; caption: string | null; afterParagraph: number };
  action: EditorAction;
  /** Set when the action is `schedule`. */
  publishAt: Date | null;
  /** The version the editor was opened on; null on a new article's form. */
  version: number | null;
}

export type EditorParse =
  { ok: true; values: EditorValues; submission: ArticleSubmission } | { ok: false; values: EditorValues; errors: EditorErrors };

const sentOnce = { error: 'This field was sent more than once. Reload the page and try again.' };
const NO_NUL = 'This holds a character that cannot be stored (a NUL byte). Remove it and try again.';
const text = () => z.string(sentOnce).refine((value) => !value.includes('\0'), NO_NUL);
const tooLong = (label: string, max: number) => `${label} must be ${max.toLocaleString('en-US')} characters or fewer.`;

const editorForm = z.strictObject({
  _csrf: z.string(sentOnce),
  article_id: z.string(sentOnce).optional(),
  title: text().trim().min(1, 'Enter a title.').max(TITLE_MAX, tooLong('The title', TITLE_MAX)),
  slug: text()
    .trim()
    .toLowerCase()
    .max(SLUG_MAX, tooLong('The slug', SLUG_MAX))
    .refine((slug) => slug === '' || SLUG_PATTERN.test(slug), 'Use lower-case letters a–z, digits and single hyphens between them.'),
  body: text().refine((body) => Buffer.byteLength(body) <= BODY_MAX_BYTES, 'The text is longer than 1 MB. Split it into two articles.'),
  excerpt: text().trim().max(EXCERPT_MAX, tooLong('The excerpt', EXCERPT_MAX)),
  tags: text()
    .max(10_000, 'Too many tags.')
    .transform((typed, context) => {
      const parsed = parseTagNames(typed);
      if (parsed.ok) return parsed.tags;
      context.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }),
  author_name: text().trim().max(AUTHOR_NAME_MAX, tooLong('The author’s name', AUTHOR_NAME_MAX)),
  author_id: z.string(sentOnce).refine((id) => id === '' || ID_PATTERN.test(id), 'Choose an account from the list.'),
  comments_open: z.literal('1', sentOnce).optional(),
  figure_image: text()
    .trim()
    .max(500, tooLong('The image address', 500))
    .refine((path) => path === '' || FIGURE_IMAGE_PATH.test(path), 'Use an uploaded image (/media/…) or a bundled one (/images/…).'),
  figure_alt: text().trim().max(FIGURE_TEXT_MAX, tooLong('The alternative text', FIGURE_TEXT_MAX)),
  figure_caption: text().trim().max(FIGURE_TEXT_MAX, tooLong('The caption', FIGURE_TEXT_MAX)),
  figure_after: z
    .string(sentOnce)
    .trim()
    .regex(/^\d{1,4}$/, `Enter a whole number from 1 to ${FIGURE_AFTER_MAX}.`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= FIGURE_AFTER_MAX, `Enter a whole number from 1 to ${FIGURE_AFTER_MAX}.`),
  // Empty on a new article's form.
  version: z
    .string(sentOnce)
    .regex(/^\d{0,9}$/, 'The form lost its version number. Reload the page and try again.')
    .transform((version) => (version === '' ? null : Number(version)))
    .optional(),
  action: z.enum(EDITOR_ACTIONS, { error: 'Choose one of the buttons offered.' }).optional(),
  // Offered only while the article may be scheduled.
  publish_at: z.string(sentOnce).trim().max(40).optional(),
  // A file field sends its file's name in a url-encoded form: the upload goes through its own button.
  file: z.string(sentOnce).optional(),
});

/** The values as typed, whatever was sent: anything not a single string shows as empty. */
export function editorValuesOf(body: unknown): EditorValues {
  const sent = (body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(TEXT_FIELDS.map((field) => [field, typeof sent[field] === 'string' ? sent[field] : ''])) as Record<
    TextField,
    string
  >;
  return { ...values, comments_open: sent.comments_open === '1' };
}

/** The rules that look at two fields at once; reported even when single fields failed, so every error shows at once. */
function crossFieldErrors(values: EditorValues): EditorErrors {
  const errors: EditorErrors = {};
  if (values.figure_image.trim() !== '' && values.figure_alt.trim() === '') {
    errors.figure_alt = 'Describe the image for people who cannot see it.';
  }
  if (values.author_name.trim() === '' && values.author_id === '') {
    errors.author_name = 'Enter the author’s name, or choose an account.';
  }
  return errors;
}

function publishAtOf(action: EditorAction, typed: string, timeZone: string): Date | null | 'invalid' {
  if (action !== 'schedule') return null;
  return parseLocalDateTime(typed, timeZone) ?? 'invalid';
}

/** Parses a posted editor form; `timeZone` is the site's, in which `publish_at` is typed. */
export function parseEditorForm(body: unknown, timeZone: string): EditorParse {
  const values = editorValuesOf(body);
  const parsed = editorForm.safeParse(body ?? {});
  const errors: EditorErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      // Hidden fields have no place of their own to show a message: the form as a whole does.
      const shown = typeof field === 'string' && SHOWN_FIELDS.has(field);
      const key = shown ? (field as keyof EditorErrors) : 'form';
      errors[key] ??=
        issue.code === 'unrecognized_keys'
          ? 'The form was sent with fields it does not have. Reload the page and try again.'
          : issue.message;
    }
  }
  for (const [field, message] of Object.entries(crossFieldErrors(values))) {
    errors[field as keyof EditorErrors] ??= message;
  }
  const action = parsed.success ? (parsed.data.action ?? 'save') : 'save';
  const publishAt = publishAtOf(action, values.publish_at.trim(), timeZone);
  if (publishAt === 'invalid') errors.publish_at ??= 'Enter the date and time to publish it, as YYYY-MM-DDTHH:MM.';
  if (!parsed.success || Object.keys(errors).length > 0 || publishAt === 'invalid') return { ok: false, values, errors };
  const form = parsed.data;
  return {
    ok: true,
    values,
    submission: {
      title: form.title,
      slug: form.slug === '' ? null : form.slug,
      body: form.body,
      excerpt: form.excerpt === '' ? null : form.excerpt,
      tags: form.tags,
      authorName: form.author_name,
      authorId: form.author_id === '' ? null : form.author_id,
      commentsOpen: form.comments_open === '1',
      figure: {
        image: form.figure_image === '' ? null : form.figure_image,
        alt: form.figure_alt === '' ? null : form.figure_alt,
        caption: form.figure_caption === '' ? null : form.figure_caption,
        afterParagraph: form.figure_after,
      },
      action,
      publishAt,
      version: form.version ?? null,
    },
  };
}

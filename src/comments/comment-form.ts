import { domainToASCII } from 'node:url';
import { z } from 'zod';

export const COMMENT_LIMITS = { author: 245, email: 100, url: 200, comment: 65525 } as const;

export const COMMENT_FIELDS = ['comment', 'author', 'email', 'url'] as const;
export type CommentFieldName = (typeof COMMENT_FIELDS)[number] | 'parent_id' | 'form';

/** What the commenter typed, kept as typed so a refused form comes back intact. */
export interface CommentFormValues {
  comment: string;
  author: string;
  email: string;
  url: string;
  remember: boolean;
  parent_id: string;
  submission_id: string;
  rendered_at: string;
  notify_replies: boolean;
  notify_approval: boolean;
}

export interface CommentSubmission {
  body: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  remember: boolean;
  parentId: string | null;
  submissionId: string | null;
  renderedAt: string;
  honeypotFilled: boolean;
  notifyOnReply: boolean;
  notifyOnApproval: boolean;
}

/** The bot trap: hidden from people, tempting to form-filling robots. */
export const HONEYPOT_FIELD = 'comment_subject';

export interface CommentFormOptions {
  requireNameAndEmail: boolean;
}

export type FieldErrors = Partial<Record<CommentFieldName, string>>;

export type CommentFormResult =
  { ok: true; submission: CommentSubmission; values: CommentFormValues } | { ok: false; errors: FieldErrors; values: CommentFormValues };

const characterCount = (text: string) => Array.from(text).length;
/** C0 controls but tab and line breaks, DEL, and the noncharacters (U+FDD0–FDEF, every plane's xFFFE and xFFFF). */
const hasControlCharacters = (text: string) => /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Noncharacter_Code_Point}/u.test(text);

/**
 * Bidirectional embeddings, overrides, isolates and marks: in a name they
 * reverse whatever is shown after it (the admin's own labels included), so
 * names lose them as they come in.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
export const withoutBidiControls = (text: string) => text.replace(BIDI_CONTROLS, '');
const formatNumber = (n: number) => n.toLocaleString('en-US');

function limited(field: keyof typeof COMMENT_LIMITS, label: string) {
  const limit = COMMENT_LIMITS[field];
  return z.string().refine((value) => characterCount(value) <= limit, {
    error: (issue) =>
      `${label} must be ${formatNumber(limit)} characters or fewer (it has ${formatNumber(characterCount(String(issue.input)))}).`,
  });
}

/** A bare domain gets https:// as WordPress would; any other scheme is refused. */
export function normaliseWebsite(typed: string): string {
  const trimmed = typed.trim();
  if (trimmed === '' || /^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed;
  return `https://${trimmed.replace(/^\/\/+/, '')}`;
}

function isWebAddress(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
}

const noControls = (label: string) =>
  z.string().refine((value) => !hasControlCharacters(value), {
    message: `${label} contained characters that cannot be stored (such as NUL or U+FFFF); they are taken out below. Check it and send it again.`,
  });

/**
 * An address whose domain may be internationalised (`info@grå.org`): the
 * domain is checked in its ASCII (IDNA) form, and the address is kept as typed.
 */
function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = value.slice(at + 1);
  const asciiDomain = /^[\x00-\x7F]*$/.test(domain) ? domain : domainToASCII(domain);
  return asciiDomain !== '' && z.email().safeParse(`${value.slice(0, at)}@${asciiDomain}`).success;
}

/**
 * Name, email and website are one line in the form, and they go into mail
 * headers and mail lines: a line break inside one could only forge those.
 */
const oneLine = (label: string) =>
  z.string().refine((value) => !/[\r\n\u0085\u2028\u2029]/.test(value), { message: `${label} must be on one line.` });

const fieldSchemas = {
  comment: noControls('Your comment').pipe(z.string().trim().min(1, 'Type your comment.')).pipe(limited('comment', 'Your comment')),
  author: noControls('Your name')
    .pipe(z.string().transform(withoutBidiControls))
    .pipe(z.string().trim().min(1, 'Enter your name.'))
    .pipe(oneLine('Your name'))
    .pipe(limited('author', 'Your name')),
  email: noControls('Your email address')
    .pipe(z.string().trim().min(1, 'Enter your email address.'))
    .pipe(oneLine('Your email address'))
    .pipe(limited('email', 'Your email address'))
    .refine(isEmailAddress, { message: 'Enter an email address in the correct format, like name@example.com.' }),
  url: noControls('Your website')
    .pipe(z.string().transform(normaliseWebsite))
    .pipe(oneLine('Your website'))
    .pipe(limited('url', 'Your website'))
    .refine((value) => value === '' || isWebAddress(value), {
      message: 'Enter a website address starting with http:// or https://, or leave it empty.',
    }),
  parent_id: z.string().regex(/^(0|[1-9]\d{0,17})?$/, 'The comment you are replying to could not be found.'),
  submission_id: z.string().regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i),
  remember: z.literal('yes'),
  notify_replies: z.literal('yes'),
  notify_approval: z.literal('yes'),
  rendered_at: z.string().max(200),
  [HONEYPOT_FIELD]: z.string().max(100000),
} as const;

const HIDDEN_FIELDS = new Set(['submission_id', 'remember', 'notify_replies', 'notify_approval', 'rendered_at', HONEYPOT_FIELD]);
const OPTIONAL_FIELDS = new Set(['remember', 'notify_replies', 'notify_approval', 'rendered_at', HONEYPOT_FIELD]);

const ACCEPTED_KEYS = new Set(Object.keys(fieldSchemas));

/** What a refused form shows again: as typed, less the characters refused above, which no page may hold. */
const textOf = (value: unknown): string =>
  typeof value === 'string' ? value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Noncharacter_Code_Point}/gu, '') : '';

function keptValues(body: Record<string, unknown>): CommentFormValues {
  return {
    comment: textOf(body.comment),
    author: textOf(body.author),
    email: textOf(body.email),
    url: textOf(body.url),
    remember: body.remember === 'yes',
    parent_id: textOf(body.parent_id),
    submission_id: textOf(body.submission_id),
    rendered_at: textOf(body.rendered_at),
    notify_replies: body.notify_replies === 'yes',
    notify_approval: body.notify_approval === 'yes',
  };
}

/**
 * Parses a posted comment form. Every field must be a single string: repeated
 * fields (arrays), nested objects and unknown keys are refused, never coerced.
 */
export function parseCommentForm(body: unknown, options: CommentFormOptions = { requireNameAndEmail: true }): CommentFormResult {
  const fields: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const values = keptValues(fields);
  const errors: FieldErrors = {};
  const parsed: Record<string, unknown> = {};

  const unknownKeys = Object.keys(fields).filter((key) => !ACCEPTED_KEYS.has(key));
  if (unknownKeys.length > 0) errors.form = 'The form was sent with fields it does not have. Please try again.';

  for (const [key, schema] of Object.entries(fieldSchemas)) {
    const raw = Object.hasOwn(fields, key) ? fields[key] : OPTIONAL_FIELDS.has(key) ? undefined : '';
    if (raw === undefined) continue;
    const errorKey = HIDDEN_FIELDS.has(key) ? 'form' : (key as CommentFieldName);
    if (typeof raw !== 'string') {
      errors[errorKey] = 'This field was sent more than once. Please send the form again.';
      continue;
    }
    if (!options.requireNameAndEmail && (key === 'author' || key === 'email') && raw.trim() === '') {
      parsed[key] = '';
      continue;
    }
    const result = schema.safeParse(raw);
    if (result.success) parsed[key] = result.data;
    else if (HIDDEN_FIELDS.has(key)) errors.form = 'The form was damaged in transit. Please try again.';
    else errors[errorKey] = result.error.issues[0]?.message ?? 'This value is not accepted.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const parentId = parsed.parent_id as string;
  return {
    ok: true,
    values,
    submission: {
      body: parsed.comment as string,
      authorName: (parsed.author as string) || 'Anonymous',
      authorEmail: parsed.email as string,
      authorUrl: parsed.url as string,
      remember: parsed.remember === 'yes',
      parentId: parentId === '' || parentId === '0' ? null : parentId,
      submissionId: (parsed.submission_id as string) || null,
      renderedAt: (parsed.rendered_at as string | undefined) ?? '',
      honeypotFilled: typeof parsed[HONEYPOT_FIELD] === 'string' && parsed[HONEYPOT_FIELD].length > 0,
      notifyOnReply: parsed.notify_replies === 'yes',
      notifyOnApproval: parsed.notify_approval === 'yes',
    },
  };
}

export interface CommentEditValues {
  comment: string;
  author: string;
  email: string;
  url: string;
}

export type CommentEditResult =
  | { ok: true; edit: { body: string; authorName: string; authorEmail: string; authorUrl: string }; values: CommentEditValues }
  | { ok: false; errors: FieldErrors; values: CommentEditValues };

/** An edit of an existing comment: the same four fields and rules as the public form, plus `token`. */
export function parseCommentEdit(body: unknown): CommentEditResult {
  const fields: Record<string, unknown> = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const values = { comment: textOf(fields.comment), author: textOf(fields.author), email: textOf(fields.email), url: textOf(fields.url) };
  const errors: FieldErrors = {};
  if (Object.keys(fields).some((key) => !['comment', 'author', 'email', 'url', 'token', '_csrf'].includes(key))) {
    errors.form = 'The form was sent with fields it does not have. Please try again.';
  }
  const parsed: Record<string, string> = {};
  for (const key of COMMENT_FIELDS) {
    const raw = Object.hasOwn(fields, key) ? fields[key] : '';
    if (typeof raw !== 'string') {
      errors[key] = 'This field was sent more than once. Please send the form again.';
      continue;
    }
    const result = fieldSchemas[key].safeParse(raw);
    if (result.success) parsed[key] = result.data;
    else errors[key] = result.error.issues[0]?.message ?? 'This value is not accepted.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    edit: { body: parsed.comment!, authorName: parsed.author!, authorEmail: parsed.email!, authorUrl: parsed.url! },
  };
}

import { z } from 'zod';
import type { AdminSettingsPageModel, DiscussionField, DiscussionFormValues } from '../moderation/index.js';
import { canonicalTimeZone } from '../platform/rendering/format.js';
import {
  AVATAR_SOURCES,
  MEDIA_MAX_MEGABYTES,
  MEGABYTE,
  parseWordList,
  RETENTION_DAYS,
  type DiscussionSettings,
} from './discussion-settings.js';

/** The discussion settings form: what it accepts, and how its fields map to the stored settings and back. */

declare module '../moderation/admin-models.js' {
  interface DiscussionFormValues {
    /** The Media section: the upload limit, in whole megabytes. */
    media_max_mb: string;
    /** The Sign-in section: two-factor required above Moderator. */
    require_two_factor: boolean;
    /** The Privacy section: days sent mail keeps its text, and days comments keep IP and browser. */
    mail_retention_days: string;
    ip_retention_days: string;
  }
}

const WORD_LIST_MAX_ENTRIES = 5000;
const WORD_MAX = 200;

/** One message per field; 'form' for trouble with the form as a whole. */
export type FormErrors = AdminSettingsPageModel['errors'];

const sentOnce = { error: 'This field was not sent as one value. Reload the page and try again.' };
const formatNumber = (n: number) => n.toLocaleString('en-US');

const emailAddress = z.email();

/** A ticked box sends "1"; an unticked one sends nothing. */
const checkbox = z
  .literal('1', sentOnce)
  .optional()
  .transform((value) => value === '1');

function wholeNumber(label: string, min: number, max: number) {
  const message = `${label} must be a whole number from ${formatNumber(min)} to ${formatNumber(max)}.`;
  return z
    .string(sentOnce)
    .trim()
    .regex(/^\d{1,7}$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

function wordList(label: string) {
  return z
    .string(sentOnce)
    .max(500_000, `${label}: the list is too long.`)
    .transform(parseWordList)
    .refine((entries) => entries.length <= WORD_LIST_MAX_ENTRIES, `${label}: at most ${formatNumber(WORD_LIST_MAX_ENTRIES)} entries.`)
    .refine(
      (entries) => entries.every((entry) => Array.from(entry).length <= WORD_MAX),
      `${label}: each entry must be ${WORD_MAX} characters or fewer.`,
    );
}

function choice<const Options extends readonly [string, ...string[]]>(options: Options) {
  return z.enum(options, { error: 'Choose one of the options offered.' });
}

/** The form as posted: field names are WordPress's option names. */
export const discussionForm = z.strictObject({
  _csrf: z.string(),
  require_name_email: checkbox,
  close_comments_for_old_posts: checkbox,
  close_comments_days_old: wholeNumber('The number of days', 1, 36500),
  thread_comments_depth: choice(['2', '3', '4', '5', '6', '7', '8', '9', '10']).transform(Number),
  page_comments: checkbox,
  comments_per_page: wholeNumber('Comments per page', 1, 1000),
  default_comments_page: choice(['newest', 'oldest']),
  comment_order: choice(['asc', 'desc']),
  admin_notification: choice(['each', 'digest', 'off']),
  digest_minutes: wholeNumber('The digest interval', 5, 1440),
  notification_email: z
    .string(sentOnce)
    .trim()
    .max(100, 'The email address must be 100 characters or fewer.')
    .refine(
      (value) => value === '' || emailAddress.safeParse(value).success,
      'Enter an email address like name@example.com, or leave it empty.',
    ),
  comment_moderation: checkbox,
  comment_previously_approved: checkbox,
  comment_max_links: wholeNumber('The number of links', 0, 100),
  moderation_keys: wordList('Comment moderation'),
  disallowed_keys: wordList('Disallowed comment keys'),
  show_avatars: checkbox,
  avatar_source: choice(AVATAR_SOURCES),
  timezone_string: z
    .string(sentOnce)
    .trim()
    .refine(
      (value) => canonicalTimeZone(value) !== null,
      'Choose a time zone from the list, such as UTC or a city in the same time zone as you.',
    )
    .transform((value) => canonicalTimeZone(value)!),
  media_max_mb: wholeNumber('The upload limit', MEDIA_MAX_MEGABYTES.min, MEDIA_MAX_MEGABYTES.max),
  require_two_factor: checkbox,
  mail_retention_days: wholeNumber('The days sent mail is kept', RETENTION_DAYS.min, RETENTION_DAYS.max),
  ip_retention_days: wholeNumber('The days IP addresses are kept', RETENTION_DAYS.min, RETENTION_DAYS.max),
});

type ParsedForm = z.output<typeof discussionForm>;

export function settingsOf(form: ParsedForm): DiscussionSettings {
  return {
    holdEveryComment: form.comment_moderation,
    autoApprovePreviouslyApproved: form.comment_previously_approved,
    holdAtLinkCount: form.comment_max_links,
    moderationWords: form.moderation_keys,
    disallowedWords: form.disallowed_keys,
    closeOldArticles: form.close_comments_for_old_posts,
    closeAfterDays: form.close_comments_days_old,
    threadDepth: form.thread_comments_depth,
    paginateComments: form.page_comments,
    commentsPerPage: form.comments_per_page,
    firstPageShown: form.default_comments_page,
    orderWithinPage: form.comment_order,
    requireNameAndEmail: form.require_name_email,
    showAvatars: form.show_avatars,
    avatarSource: form.avatar_source,
    adminNotification: form.admin_notification,
    digestMinutes: form.digest_minutes,
    notificationEmail: form.notification_email,
    timeZone: form.timezone_string,
    mediaMaxBytes: form.media_max_mb * MEGABYTE,
    requireTwoFactor: form.require_two_factor,
    mailRetentionDays: form.mail_retention_days,
    ipRetentionDays: form.ip_retention_days,
  };
}

export function valuesOf(settings: DiscussionSettings): DiscussionFormValues {
  return {
    require_name_email: settings.requireNameAndEmail,
    close_comments_for_old_posts: settings.closeOldArticles,
    close_comments_days_old: String(settings.closeAfterDays),
    thread_comments_depth: String(settings.threadDepth),
    page_comments: settings.paginateComments,
    comments_per_page: String(settings.commentsPerPage),
    default_comments_page: settings.firstPageShown,
    comment_order: settings.orderWithinPage,
    admin_notification: settings.adminNotification,
    digest_minutes: String(settings.digestMinutes),
    notification_email: settings.notificationEmail,
    comment_moderation: settings.holdEveryComment,
    comment_previously_approved: settings.autoApprovePreviouslyApproved,
    comment_max_links: String(settings.holdAtLinkCount),
    moderation_keys: settings.moderationWords.join('\n'),
    disallowed_keys: settings.disallowedWords.join('\n'),
    show_avatars: settings.showAvatars,
    avatar_source: settings.avatarSource,
    timezone_string: settings.timeZone,
    media_max_mb: String(Math.round(settings.mediaMaxBytes / MEGABYTE)),
    require_two_factor: settings.requireTwoFactor,
    mail_retention_days: String(settings.mailRetentionDays),
    ip_retention_days: String(settings.ipRetentionDays),
  };
}

/** What was typed, kept as typed so a refused form comes back intact. */
export function typedValues(body: Record<string, unknown>): DiscussionFormValues {
  const text = (key: DiscussionField) => (typeof body[key] === 'string' ? body[key] : '');
  const ticked = (key: DiscussionField) => body[key] === '1';
  return {
    require_name_email: ticked('require_name_email'),
    close_comments_for_old_posts: ticked('close_comments_for_old_posts'),
    close_comments_days_old: text('close_comments_days_old'),
    thread_comments_depth: text('thread_comments_depth'),
    page_comments: ticked('page_comments'),
    comments_per_page: text('comments_per_page'),
    default_comments_page: text('default_comments_page'),
    comment_order: text('comment_order'),
    admin_notification: text('admin_notification'),
    digest_minutes: text('digest_minutes'),
    notification_email: text('notification_email'),
    comment_moderation: ticked('comment_moderation'),
    comment_previously_approved: ticked('comment_previously_approved'),
    comment_max_links: text('comment_max_links'),
    moderation_keys: text('moderation_keys'),
    disallowed_keys: text('disallowed_keys'),
    show_avatars: ticked('show_avatars'),
    avatar_source: text('avatar_source'),
    timezone_string: text('timezone_string'),
    media_max_mb: text('media_max_mb'),
    require_two_factor: ticked('require_two_factor'),
    mail_retention_days: text('mail_retention_days'),
    ip_retention_days: text('ip_retention_days'),
  };
}

/** One message per field, the first that applies; keys the form does not have are a problem of the whole form. */
export function errorsOf(error: z.ZodError): FormErrors {
  const errors: FormErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    const key = issue.code === 'unrecognized_keys' || typeof field !== 'string' ? 'form' : (field as DiscussionField);
    const message = key === 'form' ? 'The form was sent with fields it does not have. Reload the page and try again.' : issue.message;
    errors[key] ??= message;
  }
  return errors;
}

export const FIELD_ORDER: Array<DiscussionField | 'form'> = [
  'form',
  'require_name_email',
  'close_comments_for_old_posts',
  'close_comments_days_old',
  'thread_comments_depth',
  'page_comments',
  'comments_per_page',
  'default_comments_page',
  'comment_order',
  'admin_notification',
  'digest_minutes',
  'notification_email',
  'comment_moderation',
  'comment_previously_approved',
  'comment_max_links',
  'moderation_keys',
  'disallowed_keys',
  'show_avatars',
  'avatar_source',
  'timezone_string',
  'media_max_mb',
  'require_two_factor',
  'mail_retention_days',
  'ip_retention_days',
];

import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isSupportedTimeZone } from '../platform/rendering/format.js';

export const AVATAR_SOURCES = ['local', 'gravatar'] as const;
export type AvatarSource = (typeof AVATAR_SOURCES)[number];

/**
 * Discussion options, with WordPress's defaults unless noted. Comment
 * paging is on by default, at 200 top-level comments a page (WordPress
 * offers 50, off): nearly every discussion stays whole on the article page,
 * and a discussion of thousands is never one page of megabytes that each
 * reader (or anyone adding junk to the address) makes the site render.
 */
export interface DiscussionSettings {
  holdEveryComment: boolean;
  autoApprovePreviouslyApproved: boolean;
  holdAtLinkCount: number;
  moderationWords: string[];
  disallowedWords: string[];
  closeOldArticles: boolean;
  closeAfterDays: number;
  threadDepth: number;
  paginateComments: boolean;
  commentsPerPage: number;
  firstPageShown: 'newest' | 'oldest';
  orderWithinPage: 'asc' | 'desc';
  requireNameAndEmail: boolean;
  showAvatars: boolean;
  /**
   * Where avatars come from: identicons drawn by the site (no outside
   * request), or Gravatar, which readers' browsers ask for each avatar.
   */
  avatarSource: AvatarSource;
  adminNotification: 'each' | 'digest' | 'off';
  digestMinutes: number;
  /** Where held-comment mail goes; empty: moderation@ the site's host. */
  notificationEmail: string;
  /** The site's IANA time zone: every date shown and entered is in it (WordPress's timezone_string). */
  timeZone: string;
  /** The largest image an upload may be, in bytes (set in whole megabytes). */
  mediaMaxBytes: number;
  /** Sign-in: every account above Moderator must use two-factor sign-in (sent to enrol after sign-in until it does). */
  requireTwoFactor: boolean;
  /** Privacy: days a sent mail keeps its recipient, subject and text before the clean-up clears them. */
  mailRetentionDays: number;
  /** Privacy: days an approved (or trashed) comment keeps its IP address and user agent. */
  ipRetentionDays: number;
}

export const MEGABYTE = 1024 * 1024;
/** Retention periods offered, in days (both settings). */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;
/** Upload limits offered, in megabytes: the whole image is held in memory while it is processed. */
export const MEDIA_MAX_MEGABYTES = { min: 1, max: 50 } as const;

export const DEFAULT_DISCUSSION_SETTINGS: DiscussionSettings = {
  holdEveryComment: false,
  autoApprovePreviouslyApproved: true,
  holdAtLinkCount: 2,
  moderationWords: [],
  disallowedWords: [],
  closeOldArticles: false,
  closeAfterDays: 14,
  threadDepth: 5,
  paginateComments: true,
  commentsPerPage: 200,
  firstPageShown: 'newest',
  orderWithinPage: 'asc',
  requireNameAndEmail: true,
  showAvatars: true,
  avatarSource: 'local',
  adminNotification: 'each',
  digestMinutes: 60,
  notificationEmail: '',
  timeZone: DEFAULT_TIME_ZONE,
  mediaMaxBytes: 10 * MEGABYTE,
  requireTwoFactor: false,
  mailRetentionDays: 7,
  ipRetentionDays: 60,
};

/** One entry a line; blank lines and surrounding spaces ignored, duplicates dropped. */
export function parseWordList(text: string): string[] {
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return [...new Set(entries)];
}

const wordList = z
  .array(z.string().max(200))
  .max(5000)
  .transform((entries) => entries.map((entry) => entry.trim()).filter(Boolean));

/** What may be stored: anything missing or invalid falls back to its default, key by key. */
const storedSettings = z.object({
  holdEveryComment: z.boolean(),
  autoApprovePreviouslyApproved: z.boolean(),
  holdAtLinkCount: z.number().int().min(0).max(100),
  moderationWords: wordList,
  disallowedWords: wordList,
  closeOldArticles: z.boolean(),
  closeAfterDays: z.number().int().min(1).max(36500),
  threadDepth: z.number().int().min(2).max(10),
  paginateComments: z.boolean(),
  commentsPerPage: z.number().int().min(1).max(1000),
  firstPageShown: z.enum(['newest', 'oldest']),
  orderWithinPage: z.enum(['asc', 'desc']),
  requireNameAndEmail: z.boolean(),
  showAvatars: z.boolean(),
  avatarSource: z.enum(AVATAR_SOURCES),
  adminNotification: z.enum(['each', 'digest', 'off']),
  digestMinutes: z.number().int().min(5).max(1440),
  notificationEmail: z.union([z.literal(''), z.email().max(100)]),
  timeZone: z.string().refine(isSupportedTimeZone),
  mediaMaxBytes: z
    .number()
    .int()
    .min(MEDIA_MAX_MEGABYTES.min * MEGABYTE)
    .max(MEDIA_MAX_MEGABYTES.max * MEGABYTE),
  requireTwoFactor: z.boolean(),
  mailRetentionDays: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max),
  ipRetentionDays: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max),
});

export function settingsFromStored(stored: Record<string, unknown>): DiscussionSettings {
  const settings = { ...DEFAULT_DISCUSSION_SETTINGS } as Record<string, unknown>;
  for (const [key, schema] of Object.entries(storedSettings.shape)) {
    if (!Object.hasOwn(stored, key)) continue;
    const parsed = (schema as z.ZodType).safeParse(stored[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  return settings as unknown as DiscussionSettings;
}

export { storedSettings as discussionSettingsSchema };

import { isIP } from 'node:net';
import transliterate from '@sindresorhus/transliterate';
import { AUTHOR_NAME_MAX, EXCERPT_MAX, SLUG_MAX, TITLE_MAX } from '../articles/editor-form.js';
import { addressSlug, TAG_NAME_MAX, TAGS_PER_ARTICLE_MAX, type TagName } from '../articles/tag-names.js';
import { parseLocalDateTime } from '../articles/site-time.js';
import { commentHtmlText } from './comment-html-text.js';
import { remoteImageCount, wordpressBodySource } from './post-body.js';
import { readBroadsheetMeta } from './wordpress-export-meta.js';
import type { WxrAuthor, WxrComment, WxrItem } from './wxr-items.js';

/**
 * The import's rules, from one WXR item to what is stored: no database, no
 * file. An item is planned as an article with its comments, or skipped with
 * the reason the summary gives; every other choice the rules made (a
 * shortened name, a parent not found) is a note for the summary.
 */

export type PostStatus = 'draft' | 'scheduled' | 'published' | 'trash';
export type CommentStatus = 'approved' | 'pending' | 'spam' | 'trash';

export interface PlanContext {
  siteTimeZone: string;
  withPingbacks: boolean;
  skipPages: boolean;
  /** wp:author by login and by id. */
  authors: Map<string, WxrAuthor>;
  authorsById: Map<string, WxrAuthor>;
  /** Accounts here chosen with --map-author, by old login. */
  accounts: Map<string, { id: string; displayName: string }>;
  /** The old site's path, '' at the root: '/blog' for https://example.com/blog. */
  sitePath: string;
}

export interface CommentPlan {
  sourceId: string;
  parentSourceId: string | null;
  status: CommentStatus;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  ip: string | null;
  body: string;
  createdAt: Date;
  isSiteReply: boolean;
  userId: string | null;
  kind: 'comment' | 'pingback';
}

export interface PostPlan {
  sourceId: string;
  kind: 'post' | 'page';
  /** The wanted slug; a number is added when another article has it. */
  slug: string;
  /** WordPress's own slug when it is a valid slug here and differs from the one stored. */
  formerSlug: string | null;
  title: string;
  authorName: string;
  authorId: string | null;
  /** HTML from WordPress; Markdown when the export came from Broadsheet and says so. */
  body: string;
  bodyFormat: 'html' | 'markdown';
  figure: { image: string | null; alt: string | null; caption: string | null; afterParagraph: number } | null;
  excerpt: string | null;
  status: PostStatus;
  publishedAt: Date | null;
  createdAt: Date;
  commentsOpen: boolean;
  tags: TagName[];
  legacyPaths: string[];
  remoteImages: number;
  /** Said in the summary: 'password' (protected, now a draft), 'private' (now a draft). */
  hidden: 'password' | 'private' | null;
  comments: CommentPlan[];
  skippedComments: Array<{ item: string; reason: string }>;
  notes: string[];
}

export type ItemPlan = { kind: 'post'; plan: PostPlan } | { kind: 'skip'; counted: string; item: string; reason: string | null };

const STATUSES: Record<string, PostStatus> = {
  publish: 'published',
  future: 'scheduled',
  draft: 'draft',
  pending: 'draft',
  private: 'draft',
  trash: 'trash',
};
const COMMENT_STATUSES: Record<string, CommentStatus> = {
  '1': 'approved',
  '0': 'pending',
  spam: 'spam',
  trash: 'trash',
  'post-trashed': 'trash',
};
const OTHER_KINDS: Record<string, string> = { attachment: 'attachments', nav_menu_item: 'menu items' };
const ZERO_DATE = /^0000-00-00/;
const WP_DATE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const NAME_MAX = 245;
const EMAIL_MAX = 100;
const URL_MAX = 200;
const COMMENT_MAX = 65525;

/** The old site's address as the import key: scheme and host in lower case, no trailing slash. */
export function siteKeyOf(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

export function sitePathOf(siteKey: string): string {
  return new URL(siteKey).pathname.replace(/\/+$/, '');
}

/** A WordPress date: `post_date_gmt` (UTC) when set, else the wall-clock `post_date` in the site's time zone. */
export function wordpressDate(gmt: string, local: string, timeZone: string): Date | null {
  if (gmt !== '' && !ZERO_DATE.test(gmt)) {
    const match = WP_DATE.exec(gmt);
    if (!match) return null;
    const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
    const date = new Date(Date.UTC(year!, month! - 1, day, hour, minute, second));
    return Number.isNaN(date.getTime()) || date.getUTCDate() !== day ? null : date;
  }
  const match = WP_DATE.exec(local);
  if (!match || ZERO_DATE.test(local)) return null;
  const wall = parseLocalDateTime(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}`, timeZone);
  return wall && new Date(wall.getTime() + Number(match[6] ?? 0) * 1000);
}

export function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The article slug rule applied to a WordPress slug: percent-decoded,
 * transliterated to Latin letters (“επίπεδο” → “epipedo”), then the editor's
 * rule (addressSlug: a-z, 0-9 and hyphens). Empty: from the title.
 */
export function normaliseSlug(postName: string, title: string): string {
  const slugOf = (text: string) =>
    addressSlug(transliterate(text))
      .slice(0, SLUG_MAX - 6)
      .replace(/-+$/, '');
  return slugOf(decodePercent(postName)) || slugOf(title) || 'article';
}

/** The paths WordPress may have served the item at: its link's, and for posts the date and slug shapes. */
export function legacyPathsOf(item: WxrItem, kind: 'post' | 'page', sitePath: string): string[] {
  const paths = new Set<string>();
  const withSlashes = (path: string) => `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  try {
    const link = new URL(item.link);
    if (link.search === '' && link.pathname.length > 1) paths.add(withSlashes(decodePercent(link.pathname)));
  } catch {
    // No usable link: the shapes below remain.
  }
  const slug = decodePercent(item.postName).trim();
  const date = WP_DATE.exec(item.postDate);
  if (slug !== '' && !slug.includes('/')) {
    paths.add(withSlashes(`${sitePath}/${slug}`));
    if (kind === 'post' && date && !ZERO_DATE.test(item.postDate)) {
      paths.add(withSlashes(`${sitePath}/${date[1]}/${date[2]}/${date[3]}/${slug}`));
      paths.add(withSlashes(`${sitePath}/${date[1]}/${date[2]}/${slug}`));
    }
  }
  paths.delete('/');
  return [...paths].sort();
}

function tagsOf(item: WxrItem, notes: string[]): TagName[] {
  const tags = new Map<string, TagName>();
  for (const term of item.terms) {
    if (term.domain !== 'category' && term.domain !== 'post_tag') continue;
    if (term.domain === 'category' && term.nicename === 'uncategorized') continue;
    const name = Array.from(term.name.replace(/\s+/g, ' ').trim()).slice(0, TAG_NAME_MAX).join('');
    const slug = addressSlug(decodePercent(term.nicename)) || addressSlug(name);
    if (name === '' || slug === '' || tags.has(slug)) continue;
    tags.set(slug, { name, slug });
  }
  if (tags.size > TAGS_PER_ARTICLE_MAX) notes.push(`kept the first ${TAGS_PER_ARTICLE_MAX} of ${tags.size} tags and categories`);
  // In slug order: two imports at once then take new tags' locks in the same order.
  return [...tags.values()].slice(0, TAGS_PER_ARTICLE_MAX).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

function cutText(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : characters.slice(0, max).join('');
}

function commentPlanOf(
  comment: WxrComment,
  context: PlanContext,
  label: string,
): { ok: true; plan: CommentPlan; notes: string[] } | { ok: false; reason: string; pingback: boolean } {
  const pingback = comment.type === 'pingback' || comment.type === 'trackback';
  if (pingback && !context.withPingbacks) return { ok: false, reason: `${comment.type} (use --with-pingbacks to import)`, pingback };
  if (!/^\d+$/.test(comment.id)) return { ok: false, reason: 'no wp:comment_id', pingback };
  const status = COMMENT_STATUSES[comment.approved];
  if (!status) return { ok: false, reason: `unknown comment status “${comment.approved}”`, pingback };
  const createdAt = wordpressDate(comment.dateGmt, comment.date, context.siteTimeZone);
  if (!createdAt) return { ok: false, reason: `no readable date (“${comment.dateGmt || comment.date}”)`, pingback };
  const body = cutText(commentHtmlText(comment.content), COMMENT_MAX);
  if (body === '') return { ok: false, reason: 'the comment has no text', pingback };
  const notes: string[] = [];
  let authorName = comment.author.replace(/\s+/g, ' ').trim() || 'Anonymous';
  if (Array.from(authorName).length > NAME_MAX) {
    authorName = cutText(authorName, NAME_MAX);
    notes.push(`${label}: the author's name was cut to ${NAME_MAX} characters`);
  }
  let authorEmail = comment.authorEmail;
  if (authorEmail !== '' && (authorEmail.length > EMAIL_MAX || !EMAIL.test(authorEmail))) {
    notes.push(`${label}: the e-mail address was not a valid one of at most ${EMAIL_MAX} characters and was left out`);
    authorEmail = '';
  }
  let authorUrl = comment.authorUrl;
  if (authorUrl !== '' && (authorUrl.length > URL_MAX || !/^https?:\/\/\S+$/i.test(authorUrl))) {
    notes.push(`${label}: the web address was not an http(s) address of at most ${URL_MAX} characters and was left out`);
    authorUrl = '';
  }
  const author = comment.userId !== '' && comment.userId !== '0' ? context.authorsById.get(comment.userId) : undefined;
  return {
    ok: true,
    notes,
    plan: {
      sourceId: comment.id,
      parentSourceId: /^[1-9]\d*$/.test(comment.parent) ? comment.parent : null,
      status,
      authorName,
      authorEmail,
      authorUrl,
      ip: isIP(comment.authorIp) !== 0 ? comment.authorIp : null,
      body,
      createdAt,
      isSiteReply: author !== undefined,
      userId: author ? (context.accounts.get(author.login)?.id ?? null) : null,
      kind: pingback ? 'pingback' : 'comment',
    },
  };
}

/** Comments whose parent is not among those planned become top-level, said in the notes. */
function threadComments(comments: CommentPlan[], notes: string[]) {
  const ids = new Set(comments.map((comment) => comment.sourceId));
  for (const comment of comments) {
    if (comment.parentSourceId !== null && !ids.has(comment.parentSourceId)) {
      notes.push(`comment ${comment.sourceId}: its parent ${comment.parentSourceId} is not in the export, so it is top-level`);
      comment.parentSourceId = null;
    }
  }
}

export function planItem(item: WxrItem, context: PlanContext): ItemPlan {
  const label = `${item.postType || 'item'} ${item.postId || '(no id)'} “${cutText(item.title, 60)}”`;
  const other = OTHER_KINDS[item.postType];
  if (other) return { kind: 'skip', counted: `${other} skipped`, item: label, reason: null };
  if (item.postType === 'page' && context.skipPages) return { kind: 'skip', counted: 'pages skipped', item: label, reason: null };
  if (item.postType !== 'post' && item.postType !== 'page') {
    return { kind: 'skip', counted: 'other items skipped', item: label, reason: `post type “${item.postType}” is not imported` };
  }
  const skip = (reason: string): ItemPlan => ({ kind: 'skip', counted: 'items skipped', item: label, reason });
  if (!/^\d+$/.test(item.postId)) return skip('no wp:post_id');
  let status = STATUSES[item.status];
  if (!status) return skip(`unknown status “${item.status}”`);
  const date = wordpressDate(item.postDateGmt, item.postDate, context.siteTimeZone);
  if (status === 'scheduled' && !date) return skip('scheduled without a readable date');
  const hidden = item.postPassword !== '' ? 'password' : item.status === 'private' ? 'private' : null;
  if (hidden && status !== 'trash') status = 'draft';
  const notes: string[] = [];
  const skippedComments: PostPlan['skippedComments'] = [];
  const comments: CommentPlan[] = [];
  for (const comment of item.comments) {
    const planned = commentPlanOf(comment, context, `comment ${comment.id}`);
    if (planned.ok) {
      comments.push(planned.plan);
      notes.push(...planned.notes);
    } else {
      skippedComments.push({ item: `comment ${comment.id || '(no id)'} on ${label}`, reason: planned.reason });
    }
  }
  threadComments(comments, notes);
  const title = cutText(item.title.replace(/\s+/g, ' ').trim(), TITLE_MAX) || '(no title)';
  const slug = normaliseSlug(item.postName, item.title);
  const original = decodePercent(item.postName);
  const author = context.authors.get(item.creator);
  const account = context.accounts.get(item.creator);
  const broadsheet = readBroadsheetMeta(item.meta);
  return {
    kind: 'post',
    plan: {
      sourceId: item.postId,
      kind: item.postType,
      slug,
      formerSlug: original !== slug && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(original) ? original : null,
      title,
      authorName: cutText(account?.displayName ?? (author?.displayName || item.creator || 'Unknown author'), AUTHOR_NAME_MAX),
      authorId: account?.id ?? null,
      body: broadsheet.markdown ?? wordpressBodySource(item.content),
      bodyFormat: broadsheet.markdown !== null ? 'markdown' : 'html',
      figure: broadsheet.figure,
      excerpt: item.excerpt === '' ? null : cutText(item.excerpt, EXCERPT_MAX),
      status,
      publishedAt: date ?? (status === 'published' ? new Date() : null),
      createdAt: date ?? new Date(),
      commentsOpen: item.commentStatus !== 'closed',
      tags: tagsOf(item, notes),
      legacyPaths: legacyPathsOf(item, item.postType, context.sitePath),
      remoteImages: remoteImageCount(item.content),
      hidden,
      comments,
      skippedComments,
      notes: notes.map((note) => `${label}: ${note}`),
    },
  };
}

import { AUTHOR_NAME_MAX, EXCERPT_MAX, TITLE_MAX } from '../articles/index.js';
import { addressSlug, TAG_NAME_MAX, TAGS_PER_ARTICLE_MAX, type TagName } from '../articles/index.js';
import { commentPlanOf, threadComments, type CommentContext, type CommentPlan } from './comment-plan.js';
import { remoteImageCount, wordpressBodySource } from './post-body.js';
import { readBroadsheetMeta } from './wordpress-export-meta.js';
import { cutText, decodePercent, legacyPathsOf, normaliseSlug, wordpressDate } from './wordpress-values.js';
import type { WxrAuthor, WxrItem } from './wxr-items.js';

/**
 * The import's rules, from one WXR item to what is stored: no database, no
 * file. An item is planned as an article with its comments, or skipped with
 * the reason the summary gives; every other choice the rules made (a
 * shortened name, a parent not found) is a note for the summary.
 */

export type PostStatus = 'draft' | 'scheduled' | 'published' | 'trash';

export interface PlanContext extends CommentContext {
  skipPages: boolean;
  /** wp:author by login. */
  authors: Map<string, WxrAuthor>;
  /** The old site's path, '' at the root: '/blog' for https://example.com/blog. */
  sitePath: string;
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
const OTHER_KINDS: Record<string, string> = { attachment: 'attachments', nav_menu_item: 'menu items' };

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

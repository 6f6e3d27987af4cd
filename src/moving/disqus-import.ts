import { isIP } from 'node:net';
import type { Database } from '../platform/db/connection.js';
import { loadConfig } from '../platform/config.js';
import { commentHtmlText } from './comment-html-text.js';
import { DisqusReader, DisqusRefused, type DisqusPost, type DisqusThread } from './disqus-reader.js';
import { insertDisqusComments, linkDisqusReplies, type DisqusCommentRow, type ReplyLink } from './disqus-queries.js';
import { legacyPathForm, threadAddress } from './disqus-threads.js';
import { ImportRefused, type ImportProgress, type ImportSummary } from './import-summary.js';
import { findArticleByLegacyPath, findArticleBySlugOrFormer, findArticleBySourceId } from './legacy-address-queries.js';

/**
 * Imports a Disqus export's comments onto the articles here. Each thread is
 * matched to an article by its `<link>`: its path against BASE_URL (after
 * `mapDomain` for a site that moved), as an article address, a former slug,
 * an old WordPress path or `/?p=ID`. Comments keep their thread (`<parent>`)
 * and come in as trash (isDeleted), spam (isSpam), pending (isApproved
 * false) or approved. Disqus exports seldom carry an e-mail address: such
 * comments are stored with an empty one, marked imported from Disqus, and
 * never count as a commenter's "previously approved" comment.
 *
 * The file is read twice as a stream: first through to the end, so a file
 * that is not a Disqus export or is malformed is refused with nothing
 * stored (and the threads, small, are matched); then post by post, a batch
 * per transaction. Comments are known by forum and Disqus id, so a second
 * run adds only what is missing, and replies are joined to their parents at
 * the end of every run.
 */

export interface DisqusImportOptions {
  dryRun: boolean;
  /** Old domain → this site's domain. */
  mapDomain: Record<string, string>;
  /** The site's address; BASE_URL of the configuration when not given. */
  baseUrl?: string;
}

const BATCH = 500;
const NAME_MAX = 245;
const EMAIL_MAX = 100;
const BODY_MAX = 65525;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

class DryRunDone extends Error {}

const cut = (text: string, max: number) => Array.from(text).slice(0, max).join('');
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

interface MatchedThread {
  articleId: string | null;
  site: string;
}

class DisqusTally {
  readonly counts: Record<string, number> = {};
  readonly skipped: ImportSummary['skipped'] = [];
  readonly problems: string[] = [];
  add(key: string, count = 1) {
    if (count !== 0) this.counts[key] = (this.counts[key] ?? 0) + count;
  }
  count(key: string) {
    return this.counts[key] ?? 0;
  }
}

async function survey(filePath: string): Promise<{ threads: DisqusThread[]; posts: number }> {
  const threads: DisqusThread[] = [];
  let posts = 0;
  try {
    for await (const event of new DisqusReader(filePath).events()) {
      if (event.kind === 'thread') threads.push(event.thread);
      else posts++;
    }
  } catch (error) {
    if (error instanceof DisqusRefused) throw new ImportRefused(`Nothing imported: ${error.message}`);
    throw error;
  }
  return { threads, posts };
}

async function matchThread(db: Database, thread: DisqusThread, baseUrl: string, mapDomain: Record<string, string>) {
  const address = threadAddress(thread.link, baseUrl, mapDomain);
  if (!address.ok) return { article: undefined, reason: address.reason };
  const article =
    (address.postId !== null && address.path === '/' ? await findArticleBySourceId(db, address.postId) : undefined) ??
    (/^\/articles\/[^/]+\/?$/.test(address.path) ? await findArticleBySlugOrFormer(db, address.path.split('/')[2]!) : undefined) ??
    (await findArticleByLegacyPath(db, legacyPathForm(address.path))) ??
    (/^\/[^/]+\/?$/.test(address.path) ? await findArticleBySlugOrFormer(db, address.path.replace(/\//g, '')) : undefined);
  return { article, reason: article ? null : `no article here has the address ${address.path}` };
}

async function matchThreads(db: Database, threads: DisqusThread[], options: DisqusImportOptions, baseUrl: string, tally: DisqusTally) {
  const matched = new Map<string, MatchedThread>();
  for (const thread of threads) {
    const site = `disqus:${thread.forum}`;
    const { article, reason } = await matchThread(db, thread, baseUrl, options.mapDomain);
    matched.set(thread.dsqId, { articleId: article?.id ?? null, site });
    if (article) {
      tally.add('threads matched');
    } else {
      tally.add('threads not matched');
      tally.skipped.push({ item: `thread ${thread.dsqId} “${cut(thread.title, 60)}” (${thread.link})`, reason: reason! });
    }
  }
  return matched;
}

type PostPlan = { ok: true; row: DisqusCommentRow } | { ok: false; reason: string };

function statusOf(post: DisqusPost): DisqusCommentRow['status'] {
  if (post.isSpam) return 'spam';
  if (post.isDeleted) return 'trash';
  if (post.isApproved === false) return 'pending';
  return 'approved';
}

function planPost(post: DisqusPost, thread: MatchedThread & { articleId: string }): PostPlan {
  const createdAt = new Date(post.createdAt);
  if (post.createdAt === '' || Number.isNaN(createdAt.getTime())) return { ok: false, reason: `no readable date (“${post.createdAt}”)` };
  const body = cut(commentHtmlText(post.message), BODY_MAX);
  if (body === '') return { ok: false, reason: post.isDeleted ? 'deleted, with no text left' : 'the comment has no text' };
  const email = post.authorEmail.length <= EMAIL_MAX && EMAIL.test(post.authorEmail) ? post.authorEmail : '';
  return {
    ok: true,
    row: {
      article_id: thread.articleId,
      status: statusOf(post),
      author_name: cut(post.authorName.replace(/\s+/g, ' ').trim() || post.authorUsername || 'Anonymous', NAME_MAX),
      author_email: email,
      body,
      ip: isIP(post.ipAddress) !== 0 ? post.ipAddress : null,
      created_at: createdAt,
      source_site: thread.site,
      source_id: post.dsqId,
    },
  };
}

/** Stores a batch and joins its replies; answers the replies whose parent is not stored yet (it may come later in the file). */
async function importBatch(conn: Database, rows: DisqusCommentRow[], links: ReplyLink[], tally: DisqusTally): Promise<ReplyLink[]> {
  const inserted = await conn.transaction((trx) => insertDisqusComments(trx, rows));
  for (const row of rows) {
    if (!inserted.has(row.source_id)) {
      tally.add('comments already imported');
      continue;
    }
    tally.add('comments');
    tally.add(`comments ${row.status}`);
  }
  const fresh = links.filter((link) => inserted.has(link.source_id));
  return joinReplies(conn, links, fresh, tally);
}

/** Joins replies to parents; counts the new replies joined; answers those still without their parent. */
async function joinReplies(conn: Database, links: ReplyLink[], fresh: ReplyLink[], tally: DisqusTally): Promise<ReplyLink[]> {
  if (links.length === 0) return [];
  const missing = await conn.transaction((trx) => linkDisqusReplies(trx, links));
  const orphans = new Set(missing.map((link) => link.source_id));
  tally.add('replies', fresh.filter((link) => !orphans.has(link.source_id)).length);
  return links.filter((link) => orphans.has(link.source_id));
}

async function importPosts(
  conn: Database,
  filePath: string,
  threads: Map<string, MatchedThread>,
  total: number,
  tally: DisqusTally,
  onProgress?: (progress: ImportProgress) => void,
) {
  let batch: DisqusCommentRow[] = [];
  let links: ReplyLink[] = [];
  // Replies read before their parent: joined once the whole file is in.
  const waiting: ReplyLink[] = [];
  let done = 0;
  const flush = async () => {
    waiting.push(...(await importBatch(conn, batch, links, tally)));
    batch = [];
    links = [];
  };
  for await (const event of new DisqusReader(filePath).events()) {
    if (event.kind !== 'post') continue;
    const post = event.post;
    done++;
    const thread = threads.get(post.threadId);
    if (!thread || thread.articleId === null) {
      tally.add('comments skipped');
      if (!thread)
        tally.skipped.push({
          item: `post ${post.dsqId} (line ${post.line})`,
          reason: `its thread ${post.threadId || '(none)'} is not in the export`,
        });
    } else if (post.dsqId === '') {
      tally.add('comments skipped');
      tally.skipped.push({ item: `post at line ${post.line}`, reason: 'it has no dsq:id' });
    } else {
      const plan = planPost(post, { ...thread, articleId: thread.articleId });
      if (plan.ok) {
        batch.push(plan.row);
        if (post.parentId !== null && post.parentId !== '')
          links.push({ site: thread.site, source_id: post.dsqId, parent_source_id: post.parentId });
      } else {
        tally.add('comments skipped');
        tally.skipped.push({ item: `post ${post.dsqId} (line ${post.line})`, reason: plan.reason });
      }
    }
    if (batch.length >= BATCH) await flush();
    onProgress?.({ done, total });
  }
  await flush();
  for (let from = 0; from < waiting.length; from += BATCH) {
    const chunk = waiting.slice(from, from + BATCH);
    for (const orphan of await joinReplies(conn, chunk, chunk, tally)) {
      tally.problems.push(
        `comment ${orphan.source_id}: its parent ${orphan.parent_source_id} is not among the comments imported, so it is top-level`,
      );
    }
  }
}

function summaryOf(tally: DisqusTally, dryRun: boolean): ImportSummary {
  const lines: string[] = [];
  const comments = tally.count('comments');
  const byStatus = (['approved', 'pending', 'spam', 'trash'] as const)
    .filter((status) => tally.count(`comments ${status}`) > 0)
    .map((status) => `${tally.count(`comments ${status}`)} ${status === 'trash' ? 'in the trash' : status}`)
    .join(', ');
  lines.push(`${plural(comments, 'comment', 'comments')}${dryRun ? ' would be imported' : ''}${comments > 0 ? `: ${byStatus}` : ''}`);
  if (tally.count('replies') > 0) lines.push(`${plural(tally.count('replies'), 'reply', 'replies')} in threads`);
  lines.push(`${plural(tally.count('threads matched'), 'thread', 'threads')} matched to articles`);
  if (tally.count('threads not matched') > 0)
    lines.push(`${plural(tally.count('threads not matched'), 'thread', 'threads')} not matched (listed below)`);
  if (tally.count('comments skipped') > 0) lines.push(`${plural(tally.count('comments skipped'), 'comment', 'comments')} skipped`);
  if (tally.count('comments already imported') > 0) {
    lines.push(`${plural(tally.count('comments already imported'), 'comment', 'comments')} already imported`);
  }
  if (tally.problems.length > 0) lines.push(`${plural(tally.problems.length, 'problem', 'problems')} (listed below)`);
  return { lines, counts: { ...tally.counts }, skipped: [...tally.skipped], problems: [...tally.problems] };
}

export async function importDisqus(
  db: Database,
  filePath: string,
  options: DisqusImportOptions,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const baseUrl = options.baseUrl ?? loadConfig().baseUrl;
  const { threads, posts } = await survey(filePath);
  const tally = new DisqusTally();
  const run = async (conn: Database) => {
    const matched = await matchThreads(conn, threads, options, baseUrl, tally);
    await importPosts(conn, filePath, matched, posts, tally, onProgress);
  };
  if (!options.dryRun) {
    await run(db);
  } else {
    await db
      .transaction(async (trx) => {
        await run(trx);
        throw new DryRunDone();
      })
      .catch((error: unknown) => {
        if (!(error instanceof DryRunDone)) throw error;
      });
  }
  return summaryOf(tally, options.dryRun);
}

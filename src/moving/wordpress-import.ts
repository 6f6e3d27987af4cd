import type { Database } from '../platform/db/connection.js';
import { firstFreeSlug, renderBodyForSaving } from '../articles/index.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { findAccountsByUsername, insertImportedArticle, insertImportedComments, startPostImport } from './import-queries.js';
import { ImportRefused, ImportTally, type ImportProgress, type ImportSummary } from './import-summary.js';
import { planItem, type PlanContext, type PostPlan } from './post-plan.js';
import { siteKeyOf, sitePathOf } from './wordpress-values.js';
import { WxrReader, WxrRefused, type WxrChannel } from './wxr-reader.js';

export { ImportRefused, type ImportProgress, type ImportSummary } from './import-summary.js';

/**
 * Imports a WordPress export (WXR) into articles and comments.
 *
 * The file is read twice, as a stream both times: first through to the end
 * with nothing written, so a file that is not WXR, is malformed or cut
 * short is refused (ImportRefused) before anything is stored; then item by
 * item, each post with its comments in one transaction. Posts and comments
 * are known by the old site's address and their WordPress ids, so a second
 * run, or a run after one that was interrupted, adds only what is missing.
 * A dry run does the same inside one transaction that is rolled back.
 */

export interface WordpressImportOptions {
  dryRun: boolean;
  skipPages: boolean;
  withPingbacks: boolean;
  /** Old WordPress login → an existing username here. */
  mapAuthor: Record<string, string>;
}

type InTransaction = (work: (trx: Database) => Promise<void>) => Promise<void>;

/**
 * Posts go in a few at a time, each in its own transaction: most of a
 * post's time is round trips, which overlap. Two posts at once may race for
 * one new slug or tag, or deadlock; two imports of one file may race for
 * one comment (a reply then names a parent the other run stored): the loser
 * is tried again from the start.
 */
const CONCURRENCY = 4;
const ATTEMPTS = 3;

function isRace(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return (
    code === '40P01' ||
    code === '40001' ||
    (code === '23505' && typeof constraint === 'string' && /slug|path|tag|source/.test(constraint)) ||
    (code === '23503' && constraint === 'comments_parent_id_foreign')
  );
}

/** Thrown out of a dry run's transaction so that it is rolled back. */
class DryRunDone extends Error {}

/** A row the rules let through that the database still refused: that item is skipped, the rest go on. */
function isRowRefusal(error: unknown): error is Error {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/** The reader's events, with its refusal as the import's. */
async function* refusingEvents(reader: WxrReader) {
  try {
    yield* reader.events();
  } catch (error) {
    if (error instanceof WxrRefused) throw new ImportRefused(`Nothing imported: ${error.message}`);
    throw error;
  }
}

async function survey(filePath: string): Promise<{ channel: WxrChannel; items: number }> {
  try {
    return await new WxrReader(filePath).survey();
  } catch (error) {
    if (error instanceof WxrRefused) throw new ImportRefused(`Nothing imported: ${error.message}`);
    throw error;
  }
}

async function contextFor(db: Database, channel: WxrChannel, options: WordpressImportOptions, tally: ImportTally): Promise<PlanContext> {
  const wanted = Object.values(options.mapAuthor);
  const found = new Map((await findAccountsByUsername(db, wanted)).map((account) => [account.username, account]));
  const accounts: PlanContext['accounts'] = new Map();
  for (const [login, username] of Object.entries(options.mapAuthor)) {
    const account = found.get(username);
    if (!account) throw new ImportRefused(`--map-author ${login}=${username}: there is no account “${username}” here`);
    if (!channel.authors.some((author) => author.login === login))
      tally.problems.push(`--map-author ${login}: the export has no author “${login}”`);
    accounts.set(login, { id: account.id, displayName: account.display_name });
  }
  const site = siteKeyOf(channel.siteUrl)!;
  return {
    siteTimeZone: (await loadDiscussionSettings(db)).timeZone,
    withPingbacks: options.withPingbacks,
    skipPages: options.skipPages,
    authors: new Map(channel.authors.map((author) => [author.login, author])),
    authorsById: new Map(channel.authors.filter((author) => author.id !== '').map((author) => [author.id, author])),
    accounts,
    sitePath: sitePathOf(site),
  };
}

async function importPost(trx: Database, site: string, plan: PostPlan, tally: ImportTally, now: Date): Promise<void> {
  const start = await startPostImport(trx, site, plan);
  let articleId = start.articleId;
  if (articleId !== null) {
    tally.add('articles already imported');
  } else {
    const rendered = await renderBodyForSaving(trx, plan.body, plan.bodyFormat, plan.excerpt);
    articleId = await insertImportedArticle(trx, site, plan, rendered, firstFreeSlug(plan.slug, start.takenSlugs), now);
    tally.add('articles');
    tally.add(`${plan.kind}s`);
    tally.add(`${plan.kind}s ${plan.status}`);
    if (plan.hidden === 'password') tally.add('password-protected');
    if (plan.hidden === 'private') tally.add('private');
    tally.add('remote images', plan.remoteImages);
  }
  const { inserted } = await insertImportedComments(trx, articleId, site, plan.comments);
  for (const comment of plan.comments) {
    if (!inserted.has(comment.sourceId)) {
      tally.add('comments already imported');
      continue;
    }
    tally.add('comments');
    tally.add(`comments ${comment.status}`);
    if (comment.parentSourceId !== null) tally.add('replies');
    if (comment.kind === 'pingback') tally.add('pingbacks');
  }
}

function countSkippedComments(plan: PostPlan, tally: ImportTally) {
  for (const skipped of plan.skippedComments) {
    if (/^(pingback|trackback) /.test(skipped.reason)) {
      tally.add('pingbacks skipped');
    } else {
      tally.add('comments skipped');
      tally.skip(skipped.item, skipped.reason);
    }
  }
}

export async function importWordpress(
  db: Database,
  filePath: string,
  options: WordpressImportOptions,
  onProgress?: (progress: ImportProgress) => void,
): Promise<ImportSummary> {
  const { channel, items } = await survey(filePath);
  const site = siteKeyOf(channel.siteUrl);
  if (site === null) throw new ImportRefused(`the export's site address “${channel.siteUrl}” is not an http(s) address`);
  const tally = new ImportTally();
  const context = await contextFor(db, channel, options, tally);
  const now = new Date();
  let done = 0;
  onProgress?.({ done, total: items });

  /**
   * Imports one post; answers what it adds to the tally, to be added in the
   * file's order. Only that small tally is kept, never the post itself.
   */
  const importOne = async (plan: PostPlan, line: number, inTransaction: InTransaction): Promise<ImportTally> => {
    for (let attempt = 1; ; attempt++) {
      const counted = new ImportTally();
      try {
        await inTransaction((trx) => importPost(trx, site, plan, counted, now));
        counted.problems.push(...plan.notes);
        countSkippedComments(plan, counted);
        return counted;
      } catch (error) {
        if (isRace(error) && attempt < ATTEMPTS) continue;
        if (!isRowRefusal(error)) throw error;
        const refused = new ImportTally();
        refused.add('items skipped');
        refused.skip(`${plan.kind} ${plan.sourceId} “${plan.title}” (line ${line})`, `the database refused it: ${error.message}`);
        return refused;
      }
    }
  };

  const pass = async (inTransaction: InTransaction, concurrency: number) => {
    const running = new Set<Promise<void>>();
    // Posts finish in any order when several run at once; the summary lists
    // what they added (skipped items, problems) in the file's order.
    const outcomes: Array<{ line: number; added: ImportTally }> = [];
    try {
      for await (const event of refusingEvents(new WxrReader(filePath))) {
        if (event.kind !== 'item') continue;
        const planned = planItem(event.item, context);
        if (planned.kind === 'skip') {
          const added = new ImportTally();
          added.add(planned.counted);
          if (planned.reason !== null) added.skip(`${planned.item} (line ${event.line})`, planned.reason);
          outcomes.push({ line: event.line, added });
          onProgress?.({ done: ++done, total: items });
          continue;
        }
        const job: Promise<void> = importOne(planned.plan, event.line, inTransaction).then((added) => {
          outcomes.push({ line: event.line, added });
          running.delete(job);
          onProgress?.({ done: ++done, total: items });
        });
        running.add(job);
        if (running.size >= concurrency) await Promise.race(running);
      }
      await Promise.all(running);
    } finally {
      await Promise.allSettled(running);
    }
    outcomes.sort((a, b) => a.line - b.line);
    for (const { added } of outcomes) tally.merge(added);
  };

  if (options.dryRun) {
    await db
      .transaction(async (outer) => {
        await pass((work) => outer.transaction(work), 1);
        throw new DryRunDone();
      })
      .catch((error: unknown) => {
        if (!(error instanceof DryRunDone)) throw error;
      });
  } else {
    await pass((work) => db.transaction(work), CONCURRENCY);
  }
  return tally.summary(options.dryRun);
}

import type { Database } from '../../src/platform/db/connection.js';
import { findPublishedArticleBySlug, type ArticleRow } from '../../src/articles/article-queries.js';
import { REMEMBER_COOKIES } from '../../src/comments/commenter-cookies.js';
import { changeDiscussionSettings } from './bench-settings.js';
import { insertBenchComments } from './comments.js';
import { DEMO_SLUG } from './database.js';
import { createClient } from './http-client.js';
import { waitUntilIdle } from './proc.js';
import { troubleOf, type Measured } from './report.js';
import type { RunningApp } from './scale-app.js';
import { verdict, whole, type Loader, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';

/**
 * Row: an article with 5,000 approved comments, paginated per the discussion
 * setting, against the 100-comment article under the same load. Both are
 * measured side by side with the same setting, for an anonymous reader (the
 * page cache answers) and for a commenter with a held comment (their page
 * is rendered for them on every request).
 */

export const LONG_THREAD_TARGET = 2;
export const LONG_THREAD_COMMENTS = 5000;
const LONG_SLUG = 'bench-article-with-many-comments';
/**
 * With 100 threads a page the 100-comment article still fits on one page,
 * byte for byte the page the headline row measures; the long one gets ~33.
 */
const COMMENTS_PER_PAGE = 100;

export interface LongThreadInput {
  app: RunningApp;
  loader: Loader;
  db: Database;
  say: Say;
  onCleanUp: OnCleanUp;
}

async function removeLongArticle(db: Database): Promise<void> {
  const article = await db('articles').where({ slug: LONG_SLUG }).first<{ id: string } | undefined>();
  if (!article) return;
  await db.transaction(async (trx) => {
    // Thousands of rows, each through the comment triggers: longer than the app's 5 s statement limit on a busy machine.
    await trx.raw('SET LOCAL statement_timeout = 0');
    await trx('comments').where({ article_id: article.id }).delete();
    await trx('articles').where({ id: article.id }).delete();
  });
}

/** The demo article (text, figure, dates) under another slug, with `count` approved comments. */
async function createLongArticle(db: Database, count: number, say: Say): Promise<ArticleRow> {
  const demo = await db('articles').where({ slug: DEMO_SLUG }).first<Record<string, unknown> | undefined>();
  if (!demo) throw new Error(`the demo article ${DEMO_SLUG} is missing`);
  await removeLongArticle(db);
  // Its own id, times and page version; everything a reader sees the same as the demo's.
  const { id: _id, created_at: _created, updated_at: _updated, cache_version: _version, ...fields } = demo;
  await db('articles').insert({ ...fields, slug: LONG_SLUG, title: `${String(demo.title)} (many comments)` });
  const article = await findPublishedArticleBySlug(db, LONG_SLUG);
  if (!article) throw new Error('the long article could not be created');
  say(`  inserting ${whole(count)} approved comments on /articles/${LONG_SLUG}…`);
  const { inserted, replies } = await insertBenchComments(db, article, count);
  say(`  ${whole(inserted)} inserted (${whole(replies)} of them replies).`);
  return article;
}

const commentsShown = (html: string) => html.match(/<li id="comment-\d+"/g)?.length ?? 0;

export async function measureLongThread(input: LongThreadInput): Promise<{ measured: Measured[]; verdicts: Verdict[] }> {
  const { app, loader, db, say, onCleanUp } = input;
  say(`article with ${whole(LONG_THREAD_COMMENTS)} comments, paginated, against the 100-comment one:`);
  const restoreSettings = await changeDiscussionSettings(db, { paginateComments: true, commentsPerPage: COMMENTS_PER_PAGE });
  onCleanUp(restoreSettings);
  onCleanUp(() => removeLongArticle(db));
  try {
    await createLongArticle(db, LONG_THREAD_COMMENTS, say);
    say(`  comment pagination on, ${COMMENTS_PER_PAGE} threads a page (stored as the settings page stores it).`);

    const short = `/articles/${DEMO_SLUG}`;
    const long = `/articles/${LONG_SLUG}`;
    const client = createClient(app.base);
    const [shortPage, longPage] = [await client.get(short), await client.get(long)];
    client.close();
    if (shortPage.status !== 200 || longPage.status !== 200)
      throw new Error(`the pages answered ${shortPage.status} and ${longPage.status}`);
    if (!longPage.body.includes('comment-page-')) throw new Error('the long article shows no links to other comment pages');
    say(`  landing pages: ${commentsShown(shortPage.body)} and ${commentsShown(longPage.body)} comments shown.`);

    // All three remember-me cookies, as the site writes them: fewer are not taken for a commenter.
    const commenter = {
      Cookie: `${REMEMBER_COOKIES.author}=Bench%20Reader; ${REMEMBER_COOKIES.email}=bench%40example.org; ${REMEMBER_COOKIES.url}=`,
    };
    const measured: Measured[] = [];
    const verdicts: Verdict[] = [];
    for (const reader of ['anonymous', 'commenter'] as const) {
      const headers = reader === 'commenter' ? commenter : undefined;
      const shortLabel = `article, 100 comments, paginated (${reader})`;
      const longLabel = `article, ${whole(LONG_THREAD_COMMENTS)} comments, paginated (${reader})`;
      const shortFigures = await loader.measure(shortLabel, { url: `${app.base}${short}`, headers }, { idle: [app.pid] });
      const longFigures = await loader.measure(longLabel, { url: `${app.base}${long}`, headers }, { idle: [app.pid] });
      measured.push({ label: shortLabel, figures: shortFigures }, { label: longLabel, figures: longFigures });
      // Same connections, same duration: time per request is connections / rate.
      const times = longFigures.requestsPerSecond > 0 ? shortFigures.requestsPerSecond / longFigures.requestsPerSecond : Infinity;
      const trouble = [troubleOf(shortFigures), troubleOf(longFigures)].filter(Boolean).join('; ');
      const row = verdict(
        `article with ${whole(LONG_THREAD_COMMENTS)} comments, ${reader === 'anonymous' ? 'anonymous reader (page cache)' : 'commenter (rendered for them)'}`,
        Number.isFinite(times)
          ? `${times.toFixed(2)}× the 100-comment page's time (p50 ${longFigures.latencyP50} vs ${shortFigures.latencyP50} ms)`
          : `no answer within the run (100-comment page: ${whole(shortFigures.requestsPerSecond)} req/s)`,
        `≤ ${LONG_THREAD_TARGET}×`,
        times <= LONG_THREAD_TARGET && !trouble,
        trouble ? [`answers not all 200: ${trouble}`] : [],
      );
      // A commenter's own page is rendered for them alone, on purpose (a handful of people reload their own page): shown, not judged.
      if (reader === 'commenter' && !trouble) row.result = 'INFO';
      verdicts.push(row);
    }
    return { measured, verdicts };
  } finally {
    // The app may still be rendering what the last target left queued, holding its database connections.
    await waitUntilIdle([app.pid]);
    await restoreSettings();
    await removeLongArticle(db);
  }
}

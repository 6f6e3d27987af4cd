import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { startEmbeddedDatabase } from '../../src/platform/db/embedded.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { seedDemoArticle } from '../../src/platform/db/seed-demo.js';
import { findPublishedArticleBySlug } from '../../src/articles/article-queries.js';
import { insertBenchComments, removeBenchComments } from './comments.js';

export const DEMO_SLUG = 'xi-ducks-putins-push-for-expanded-military-ties';

export interface BenchDatabase {
  url: string;
  db: Database;
  approvedComments: number;
}

type Say = (message: string) => void;
type OnCleanUp = (step: () => Promise<void>) => void;

/** Resolves when `file` is gone (PostgreSQL removes postmaster.pid as it stops) or time is up. */
export async function whenGone(file: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; existsSync(file) && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * DATABASE_URL when set, else an embedded PostgreSQL in `folder`; migrated,
 * with the demo article and `commentCount` approved bench comments on it.
 * Every step registers how to undo it.
 */
export async function prepareDatabase(folder: string, commentCount: number, say: Say, onCleanUp: OnCleanUp): Promise<BenchDatabase> {
  let url = process.env.DATABASE_URL;
  if (url) {
    say(`Using DATABASE_URL (${new URL(url).host}); bench comments are removed again at the end.`);
  } else {
    const directory = path.join(folder, 'db');
    say(`No DATABASE_URL: starting an embedded PostgreSQL in ${directory}…`);
    const embedded = await startEmbeddedDatabase({
      directory,
      password: randomBytes(18).toString('base64url'),
      onProgress: say,
    });
    // Ctrl-C also reaches the cluster itself; then stop() would wait for an exit already past.
    onCleanUp(() => Promise.race([embedded.stop(), whenGone(path.join(directory, 'postmaster.pid'), 20_000)]));
    url = embedded.url;
  }

  const db = connectDatabase(url);
  onCleanUp(() => db.destroy());
  await migrateToLatest(db, say);
  if (await seedDemoArticle(db)) say('Loaded the demo article.');
  const article = await findPublishedArticleBySlug(db, DEMO_SLUG);
  if (!article) throw new Error(`The demo article ${DEMO_SLUG} is not published in this database.`);

  const removed = await removeBenchComments(db);
  if (removed > 0) say(`Removed ${removed} comments left by an earlier bench run.`);
  if (process.env.DATABASE_URL) onCleanUp(async () => void (await removeBenchComments(db)));
  say(`Inserting ${commentCount} approved comments on the demo article…`);
  const { inserted, replies } = await insertBenchComments(db, article, commentCount);
  const counted = await db('comments')
    .where({ article_id: article.id, status: 'approved' })
    .count<{ count: string }>({ count: '*' })
    .first();
  const approvedComments = Number(counted?.count ?? 0);
  say(`  ${inserted} inserted (${replies} of them replies); the article now has ${approvedComments} approved comments.`);
  return { url, db, approvedComments };
}

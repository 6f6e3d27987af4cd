import { randomBytes } from 'node:crypto';
import { MINIMUM_SECONDS_TO_WRITE } from '../../src/comments/discussion-rules.js';
import type { Database } from '../../src/platform/db/connection.js';
import { readCommentForm } from '../lib/comment-form.js';
import { changeDiscussionSettings } from './bench-settings.js';
import { describeCpuUse, startCountingCpu } from './cpu-use.js';
import { createClient } from './http-client.js';
import { clientAddress, markerInText, type CommentPostPlan } from './post-plan.js';
import { waitUntilIdle } from './proc.js';
import type { RunningApp } from './scale-app.js';
import { sleep, verdict, whole, type Loader, type OnCleanUp, type RowResult, type Say } from './scale-kit.js';
import type { LoadFigures } from './load.js';

/**
 * Row: comment POSTs with every rule on, each from a different commenter at
 * a different address, as fast as the bench's connections send them. A
 * fixed number of posts is sent and every answer awaited, so the 303s
 * counted can be set against the rows stored afterwards: an accepted
 * comment must never be lost.
 */

export const POSTS_PER_SECOND_TARGET = 700;

/**
 * Word lists that never match the posts, so the moderation and disallowed
 * word checks run their full course on every comment instead of being skipped.
 */
const WORDS = ['casino', 'viagra', 'payday', 'crypto giveaway', 'replica watches', 'free followers', 'cheap pills', 'essay writing'];

export interface PostRateInput {
  app: RunningApp;
  loader: Loader;
  db: Database;
  articlePath: string;
  connections: number;
  /** Posts counted (after a warm-up of a fifth as many, counted apart). */
  posts: number;
  say: Say;
  onCleanUp: OnCleanUp;
}

async function storedWith(db: Database, marker: string): Promise<Record<string, number>> {
  const rows = await db('comments')
    .select('status')
    .count<Array<{ status: string; count: string }>>({ count: '*' })
    .where('body', 'like', `%${markerInText(marker)}%`)
    .groupBy('status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** The flood limiter's entries for the addresses the posts came from (1 to `count`; their emails go with the other bench traces). */
async function removeFloodEntries(db: Database, count: number): Promise<void> {
  for (let from = 1; from <= count; from += 1000) {
    const keys = Array.from({ length: Math.min(1000, count - from + 1) }, (_, index) => `flood:ip:${clientAddress(from + index)}`);
    await db('rate_limits').whereIn('key', keys).delete();
  }
}

const describe = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, count]) => `${whole(count)} ${key}`)
    .join(', ') || 'none';

export async function measurePostRate(input: PostRateInput): Promise<RowResult> {
  const { app, loader, db, articlePath, connections, posts, say, onCleanUp } = input;
  const label = 'comment POST, every rule on, distinct IPs';
  say(`${label}:`);
  const restoreSettings = await changeDiscussionSettings(db, { moderationWords: WORDS, disallowedWords: WORDS });
  onCleanUp(restoreSettings);
  let built = 0;
  onCleanUp(() => removeFloodEntries(db, built));
  try {
    // One rendered form serves every post: the time stamp must only be 3 s
    // old (no upper bound, not single-use), and the submission id, the one
    // per-render value that must differ, is replaced in each post.
    const client = createClient(app.base);
    const page = await client.get(articlePath).finally(() => client.close());
    const form = page.status === 200 ? readCommentForm(page.body) : null;
    if (!form) throw new Error(`GET ${articlePath} answered ${page.status} without a comment form`);
    say(`  form read; waiting the ${MINIMUM_SECONDS_TO_WRITE} s a person takes before posting…`);
    // So that no timing trap takes the posts for a bot.
    await sleep(MINIMUM_SECONDS_TO_WRITE * 1000 + 300);
    const url = new URL(form.action, app.base).href;
    const plan = (marker: string): CommentPostPlan => ({ fields: form.fields, marker });

    await waitUntilIdle([app.pid]);
    const warmMarker = `bench-posts-warm-${randomBytes(4).toString('hex')}`;
    const warmAmount = Math.max(connections, Math.round(posts / 5));
    say(`  warming up with ${whole(warmAmount)} posts…`);
    const warm = await loader.run(
      { url, connections, amount: warmAmount, posts: plan(warmMarker) },
      Math.max(300, (warmAmount * 5) / connections + 120) * 1000,
    );
    built = warm.postsBuilt;
    // A site's autovacuum analyzes tables that grow (within a minute by default), and PostgreSQL then
    // re-plans the post's prepared statements for their size; the scratch database has had no minute.
    say('  analyzing the tables the warm-up grew, as autovacuum would…');
    await db.raw('ANALYZE comments, rate_limits, comment_counts, mail_outbox');

    const marker = `bench-posts-${randomBytes(4).toString('hex')}`;
    say(`  sending ${whole(posts)} posts over ${connections} connections, every answer awaited…`);
    // Generous: a slow app answers every post eventually, and a figure is still wanted then.
    const allowSeconds = Math.max(300, (posts * 5) / connections + 120);
    const stopCounting = await startCountingCpu([app.pid], loader.pid);
    const figures: LoadFigures = await loader.run({ url, connections, amount: posts, posts: plan(marker) }, allowSeconds * 1000);
    const cpu = await stopCounting();
    built = figures.postsBuilt;
    const accepted = figures.statusCodes['303'] ?? 0;
    const stored = await storedWith(db, marker);
    const rows = Object.values(stored).reduce((sum, count) => sum + count, 0);
    const perSecond = accepted / figures.elapsedSeconds;
    say(
      `  ${whole(accepted)} accepted (303) in ${figures.elapsedSeconds.toFixed(1)} s: ${whole(perSecond)}/s; rows stored: ${describe(stored)}.`,
    );

    const refused = Object.entries(figures.statusCodes).filter(([code]) => code !== '303');
    const notes = [
      `answers: ${describe(figures.statusCodes)}${figures.errors ? `, ${whole(figures.errors)} errors` : ''}${figures.timeouts ? `, ${whole(figures.timeouts)} timeouts` : ''}`,
      `rows stored: ${describe(stored)}`,
      // With every core busy, this says what set the pace: the app, the database or the load.
      describeCpuUse('CPU while posting', cpu),
    ];
    if (rows > accepted) notes.push(`${whole(rows - accepted)} rows stored whose 303 never reached the client (timeouts or errors)`);
    if (stored.spam) notes.push(`${whole(stored.spam)} taken for spam: the posts did not look like a person's form`);
    const lost = Math.max(0, accepted - rows);
    return {
      measured: [{ label, figures, expectedStatus: 303 }],
      verdicts: [
        verdict(
          label,
          `${whole(perSecond)} accepted/s, ${whole(lost)} lost (${whole(accepted)} × 303, ${whole(rows)} rows)`,
          `≥ ${whole(POSTS_PER_SECOND_TARGET)}/s, 0 lost`,
          perSecond >= POSTS_PER_SECOND_TARGET && lost === 0 && rows === accepted && refused.length === 0 && !stored.spam,
          notes,
        ),
      ],
    };
  } finally {
    await restoreSettings();
    await removeFloodEntries(db, built);
  }
}

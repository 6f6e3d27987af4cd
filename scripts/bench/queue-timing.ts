import { measureArticleAdmin } from './article-admin-timing.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { connectDatabase } from '../../src/platform/db/connection.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createClient, timeGets, type BenchClient } from './http-client.js';
import { memoryAfterLoad } from './proc.js';
import { startTypeScript } from './processes.js';
import { startApp, type Build } from './scale-app.js';
import { percentile, verdict, whole, type OnCleanUp, type RowResult, type Say } from './scale-kit.js';
import { createScratchDatabase } from './scratch-database.js';

/**
 * Row: the moderation queue's first page with its exact per-status counts,
 * over a database holding `comments` comments (20 % pending), timed through
 * a signed-in admin's requests one after another, by the server's own
 * time (its Server-Timing header), the client's shown beside it. The data goes into a
 * scratch database of its own on the same server, dropped afterwards: the
 * million rows never touch the bench's (or the operator's) database.
 */

export const QUEUE_TARGET_MS = 10;
const SCRATCH_PREFIX = 'broadsheet_bench_queue_';
const VIEWS = [
  { label: 'pending (default)', path: '/admin/comments' },
  { label: 'approved', path: '/admin/comments?status=approved' },
  { label: 'all', path: '/admin/comments?status=all' },
];

export interface QueueInput {
  build: Build;
  /** The bench database's URL; the scratch database is made beside it. */
  databaseUrl: string;
  folder: string;
  comments: number;
  samples: number;
  say: Say;
  onCleanUp: OnCleanUp;
}

/**
 * npm run seed:load in a child process, against the scratch database. Its
 * batches run under the app's 5 s statement timeout: smaller batches than
 * its default keep each well inside it on a machine busy with other work.
 */
const SEED_BATCH = 2_500;

async function seed(url: string, comments: number, folder: string): Promise<void> {
  const child = startTypeScript(
    path.join(projectRoot, 'tools/seed-load.ts'),
    ['--comments', String(comments), '--batch', String(SEED_BATCH)],
    {
      env: { ...process.env, DATABASE_URL: url, DATA_DIR: path.join(folder, 'seed-data'), LOG_LEVEL: 'warn' },
    },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`seed:load exited with code ${code}`);
}

/** Signs in as a browser does: the login form's CSRF token, then the credentials. */
async function signIn(client: BenchClient, username: string, password: string): Promise<void> {
  const form = await client.get('/admin/login');
  const csrf = cheerio.load(form.body)('input[name="_csrf"]').attr('value');
  if (form.status !== 200 || !csrf) throw new Error(`the login form answered ${form.status}${csrf ? '' : ' without a _csrf field'}`);
  const answer = await client.postForm('/admin/login', { username, password, _csrf: csrf });
  if (answer.status !== 303 || answer.headers.location !== '/admin/comments') {
    throw new Error(`signing in answered ${answer.status} to ${String(answer.headers.location)}`);
  }
}

/** The counts the queue's status tabs show, keyed by lower-case label. */
function shownCounts(html: string): Record<string, number> {
  const page = cheerio.load(html);
  const counts: Record<string, number> = {};
  page('nav.status-tabs a').each((_index, element) => {
    const text = page(element).text().replace(/\s+/g, ' ').trim();
    const match = /^(\w+) \(([\d,]+)\)$/.exec(text);
    if (match) counts[match[1]!.toLowerCase()] = Number(match[2]!.replaceAll(',', ''));
  });
  return counts;
}

async function storedCounts(url: string): Promise<Record<string, number>> {
  const db = connectDatabase(url);
  try {
    const rows = await db('comments').select('status').count<Array<{ status: string; count: string }>>({ count: '*' }).groupBy('status');
    const counts: Record<string, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    counts.all = Object.values(counts).reduce((sum, count) => sum + count, 0);
    return counts;
  } finally {
    await db.destroy();
  }
}

export async function measureQueue(input: QueueInput): Promise<RowResult> {
  const { build, folder, comments, samples, say, onCleanUp } = input;
  say(`moderation queue at ${whole(comments)} comments:`);
  const scratch = await createScratchDatabase(input.databaseUrl, SCRATCH_PREFIX, say);
  onCleanUp(scratch.drop);
  try {
    say(`  npm run seed:load -- --comments ${comments} --batch ${SEED_BATCH} (into the scratch database)…`);
    const seededAt = Date.now();
    await seed(scratch.url, comments, folder);
    say(`  seeded in ${((Date.now() - seededAt) / 1000).toFixed(1)} s.`);

    const admin = { username: 'bench-admin', password: randomBytes(18).toString('base64url') };
    const app = await startApp(
      build,
      {
        databaseUrl: scratch.url,
        dataDir: path.join(folder, 'queue-app-data'),
        // The session cookie is Secure in production: the app is told the request came over TLS, as behind a proxy.
        env: { ADMIN_USERNAME: admin.username, ADMIN_PASSWORD: admin.password, TRUST_PROXY: 'loopback' },
        label: 'queue app',
      },
      say,
      onCleanUp,
    );
    const client = createClient(app.base, { 'X-Forwarded-Proto': 'https' });
    try {
      await signIn(client, admin.username, admin.password);
      say(`  signed in as ${admin.username}; ${samples} sequential requests per view after 10 to warm up…`);
      const lines: string[] = [];
      let worst = 0;
      let firstPage = '';
      for (const view of VIEWS) {
        const timing = await timeGets(client, view.path, samples);
        const median = percentile(timing.serverTimes, 0.5);
        if (!firstPage) firstPage = timing.last;
        worst = Math.max(worst, median);
        lines.push(
          `${view.label}: server median ${median.toFixed(1)} ms, p95 ${percentile(timing.serverTimes, 0.95).toFixed(1)} ms; client median ${percentile(timing.times, 0.5).toFixed(1)} ms`,
        );
        say(`  ${lines.at(-1)}`);
      }
      const shown = shownCounts(firstPage);
      const stored = await storedCounts(scratch.url);
      const mismatched = Object.keys(stored).filter((status) => shown[status] !== stored[status]);
      const countsLine = Object.entries(stored)
        .map(
          ([status, count]) => `${status} ${whole(count)}${shown[status] === count ? '' : ` (page shows ${shown[status] ?? 'nothing'})`}`,
        )
        .join(', ');
      // The articles admin beside the queue's million comments: the list's counts and a long article's save.
      const articleRows = await measureArticleAdmin({
        client,
        databaseUrl: scratch.url,
        articles: comments >= 1_000_000 ? 10_000 : 1_000,
        comments,
        samples,
        say,
      });
      const memory = (await memoryAfterLoad([app.pid])).get(app.pid);
      const queueVerdict = verdict(
        `moderation queue, ${whole(comments)} comments`,
        `median ${worst.toFixed(1)} ms (slowest view)${mismatched.length ? `; counts differ: ${mismatched.join(', ')}` : ', counts exact'}`,
        `≤ ${QUEUE_TARGET_MS} ms median server time, exact counts`,
        worst <= QUEUE_TARGET_MS && mismatched.length === 0,
        [
          ...lines,
          `counts (SELECT status, count(*) … GROUP BY status): ${countsLine}`,
          "server time: the app's Server-Timing header (request to headers); client time: over loopback with keep-alive, request sent to last byte",
        ],
      );
      return {
        memory: memory ? [{ label: 'queue app (after the queue and article timings)', pid: app.pid, memory }] : [],
        verdicts: [queueVerdict, ...articleRows],
      };
    } finally {
      client.close();
      await app.stop();
    }
  } finally {
    await scratch.drop();
  }
}

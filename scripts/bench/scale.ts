import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BENCH_MODERATOR_EMAIL, changeDiscussionSettings, removeBenchTraces } from './bench-settings.js';
import { DEMO_SLUG, type BenchDatabase } from './database.js';
import { measureLongThread } from './long-thread.js';
import { measureMemoryAfterLoads } from './memory-load.js';
import { measureMovingRatesInScratch } from './moving-rates.js';
import { measurePostRate } from './post-rate.js';
import { megabytes, memoryAfterLoad, SETTLE_MS } from './proc.js';
import { measureQueue } from './queue-timing.js';
import { tableLines, type Measured } from './report.js';
import { measureRestart } from './restart-time.js';
import { startApp, type Build, type RunningApp } from './scale-app.js';
import {
  verdict,
  type LoadSettings,
  type Loader,
  type MemorySample,
  type OnCleanUp,
  type RowResult,
  type Say,
  type Verdict,
} from './scale-kit.js';
import { measureWorkers } from './workers.js';

/**
 * The scale rows beyond the anonymous article page and the home page:
 * comment POSTs, the moderation queue at a million comments, a
 * 5,000-comment article, memory, restart time, one against two worker
 * processes, and the WordPress import and export. Every row starts the
 * compiled app itself (production mode) with what it needs; a row that
 * breaks is reported as not measured and the others still run.
 */

export const SCALE_ROWS = ['posts', 'queue', 'long', 'memory', 'restart', 'workers', 'moving'] as const;
export type ScaleRow = (typeof SCALE_ROWS)[number];

export const MEMORY_TARGET_BYTES = 150 * 1024 * 1024;

/** How each row is named and judged when it could not be measured at all. */
const ROW_TITLES: Record<ScaleRow, { title: string; target: string }> = {
  posts: { title: 'comment POST, every rule on, distinct IPs', target: '≥ 700/s, 0 lost' },
  queue: { title: 'moderation queue', target: '≤ 10 ms median, exact counts' },
  long: { title: 'article with 5,000 comments', target: '≤ 2×' },
  memory: { title: 'memory per app process after the run', target: '≤ 150 MB RSS' },
  restart: { title: 'restart with existing data to first 200', target: '≤ 3 s' },
  workers: { title: 'article page, 2 workers against 1', target: '≥ 1.7×' },
  moving: { title: 'WordPress import and export', target: '≥ 5,000 comments/s in, ≤ 200 MB; ≥ 20,000/s out' },
};

export interface ScaleContext {
  /** From prepareDatabase(): the demo article with its 100 approved bench comments. */
  database: BenchDatabase;
  build: Build;
  /** A temporary folder (traversable by others, for the embedded cluster) that the caller removes. */
  folder: string;
  load: LoadSettings;
  loader: Loader;
  /** Smaller sizes (20,000 comments in the queue, 1,000 posts, 3 restarts, 10,000 comments imported) to show the rows work quickly. */
  small: boolean;
  rows: readonly ScaleRow[];
  say: Say;
  /** Registers an undo step; the caller runs them, last first, on every way out (Ctrl-C included). */
  onCleanUp: OnCleanUp;
  /** Aborted when the caller is stopping (Ctrl-C): no further row starts. */
  signal: AbortSignal;
}

const scaleSizes = (small: boolean) => ({
  queueComments: small ? 20_000 : 1_000_000,
  posts: small ? 1_000 : 10_000,
  restarts: small ? 3 : 5,
  importedComments: small ? 10_000 : undefined,
});
const QUEUE_SAMPLES = 100;

function notMeasured(row: ScaleRow, error: unknown, say: Say): RowResult {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  say(`the ${row} row could not be measured: ${message}`);
  const { title, target } = ROW_TITLES[row];
  return { verdicts: [verdict(title, `not measured: ${message}`, target, null)] };
}

function memoryVerdict(samples: MemorySample[]): Verdict {
  if (samples.length === 0) {
    return verdict('memory per app process after the run', 'not measured', '≤ 150 MB RSS', null, [
      'memory is read from the apps the other rows run: choose it together with some of them',
    ]);
  }
  // Judged once the app is quiet and V8 has handed back the heap it grew under load; right after the load and the peak are shown beside it.
  const largest = samples.reduce((worst, sample) => (sample.memory.settled > worst.memory.settled ? sample : worst));
  const quiet = `${SETTLE_MS / 1000} s after it went quiet`;
  return verdict(
    'memory per app process after the run',
    `largest RSS ${megabytes(largest.memory.settled)} ${quiet} (${largest.label}; ${megabytes(largest.memory.rss)} right after it)`,
    `≤ ${megabytes(MEMORY_TARGET_BYTES)} RSS`,
    samples.every((sample) => sample.memory.settled <= MEMORY_TARGET_BYTES),
    samples.map(
      (sample) =>
        `${sample.label} (pid ${sample.pid}): RSS ${megabytes(sample.memory.rss)} right after the load, ${megabytes(sample.memory.settled)} ${quiet}, peak ${megabytes(sample.memory.peak)}`,
    ),
  );
}

/** Load rows for report.ts's formatTable, and one verdict per target in SCALE_ROWS' order. */
export async function measureScaleRows(context: ScaleContext): Promise<{ measured: Measured[]; verdicts: Verdict[] }> {
  const { database, build, loader, folder, say, onCleanUp, signal } = context;
  const sizes = scaleSizes(context.small);
  const articlePath = `/articles/${DEMO_SLUG}`;
  const results = new Map<ScaleRow, RowResult>();
  const run = async (row: ScaleRow, measure: () => Promise<RowResult>) => {
    if (!context.rows.includes(row)) return;
    signal.throwIfAborted();
    try {
      results.set(row, await measure());
    } catch (error) {
      if (signal.aborted) throw error;
      results.set(row, notMeasured(row, error, say));
    }
  };

  // Held comments mail the moderators: during the bench, a reserved address, and those mails removed after.
  const restoreMail = await changeDiscussionSettings(database.db, { notificationEmail: BENCH_MODERATOR_EMAIL });
  onCleanUp(() => removeBenchTraces(database.db));
  onCleanUp(restoreMail);
  const memory: MemorySample[] = [];
  try {
    // The long-thread and POST rows share one app (TRUST_PROXY=loopback for the POSTs' addresses); its memory is read after them.
    let app: RunningApp | undefined;
    const mainApp = async () => {
      if (app) return app;
      say('Starting the app (compiled, NODE_ENV=production, TRUST_PROXY=loopback)…');
      const options = {
        databaseUrl: database.url,
        dataDir: path.join(folder, 'scale-app-data'),
        env: { TRUST_PROXY: 'loopback' },
        label: 'app',
      };
      return (app = await startApp(build, options, say, onCleanUp));
    };
    try {
      await run('long', async () => measureLongThread({ app: await mainApp(), loader, db: database.db, say, onCleanUp }));
      await run('posts', async () =>
        measurePostRate({
          app: await mainApp(),
          loader,
          db: database.db,
          articlePath,
          connections: context.load.connections,
          posts: sizes.posts,
          say,
          onCleanUp,
        }),
      );
      const sample = app && (await memoryAfterLoad([app.pid])).get(app.pid);
      const rows = (['long', 'posts'] as const).filter((row) => results.has(row)).join(' and ');
      if (app && sample)
        memory.push({ label: `app after the ${rows} row${rows.includes(' and ') ? 's' : ''}`, pid: app.pid, memory: sample });
    } finally {
      await app?.stop();
    }
    await run('workers', () =>
      measureWorkers({ build, databaseUrl: database.url, folder, loader, load: context.load, articlePath, say, onCleanUp }),
    );
    await run('queue', () =>
      measureQueue({ build, databaseUrl: database.url, folder, comments: sizes.queueComments, samples: QUEUE_SAMPLES, say, onCleanUp }),
    );
    memory.push(...[...results.values()].flatMap((result) => result.memory ?? []));
    await run('memory', async () => {
      // An app of its own: three minutes of mixed load, then a burst of 2,000 connections, each followed by the quiet it settles over.
      const admin = { username: 'bench-memory', password: randomBytes(18).toString('base64url') };
      onCleanUp(async () => void (await database.db('users').where({ username: admin.username }).delete()));
      const env = { TRUST_PROXY: 'loopback', ADMIN_USERNAME: admin.username, ADMIN_PASSWORD: admin.password };
      const options = { databaseUrl: database.url, dataDir: path.join(folder, 'memory-app-data'), env, label: 'memory app' };
      const memoryApp = await startApp(build, options, say, onCleanUp);
      try {
        const mixedSeconds = context.small ? 20 : undefined;
        const loads = await measureMemoryAfterLoads({ base: memoryApp.base, pid: memoryApp.pid, articlePath, admin, mixedSeconds, say });
        memory.push(...loads.samples);
      } finally {
        await memoryApp.stop();
      }
      return { verdicts: [memoryVerdict(memory)] };
    });
    await run('moving', async () => ({
      verdicts: await measureMovingRatesInScratch({ serverUrl: database.url, comments: sizes.importedComments, say, onCleanUp }),
    }));
    await run('restart', async () => ({ verdicts: [await measureRestart({ build, folder, runs: sizes.restarts, say, onCleanUp })] }));
  } finally {
    await restoreMail();
    await removeBenchTraces(database.db);
  }
  const ran = [...results.values()];
  return {
    measured: ran.flatMap((result) => result.measured ?? []),
    verdicts: SCALE_ROWS.flatMap((row) => results.get(row)?.verdicts ?? []),
  };
}

/** The targets table (row, measured, target, result), then each row's notes. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const rows = verdicts.map((line) => [line.row, line.measured, line.target, line.result]);
  const table = tableLines(['row', 'measured', 'target', 'result'], rows);
  const notes = verdicts.flatMap((line) => (line.notes.length ? [`${line.row}:`, ...line.notes.map((note) => `  - ${note}`)] : []));
  return [...table, '', ...notes].join('\n');
}

/** `PASS: …` / `FAIL: …` lines, as the bench prints for its headline row. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
  return verdicts.map((line) => `${line.result}: ${line.row}: ${line.measured} (target ${line.target})`);
}

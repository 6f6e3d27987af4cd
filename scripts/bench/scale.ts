import path from 'node:path';
import { BENCH_MODERATOR_EMAIL, changeDiscussionSettings, removeBenchTraces } from './bench-settings.js';
import { DEMO_SLUG, type BenchDatabase } from './database.js';
import { measureLongThread } from './long-thread.js';
import { measurePostRate } from './post-rate.js';
import { megabytes, memoryAfterLoad, SETTLE_MS } from './proc.js';
import { measureQueue } from './queue-timing.js';
import { measureMovingRatesInScratch } from './moving-rates.js';
import type { Measured } from './report.js';
import { measureRestart } from './restart-time.js';
import { buildApp, startApp, type Build } from './scale-app.js';
import { startLoader, verdict, type LoadSettings, type Loader, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';
import { measureWorkers, type MemorySample } from './workers.js';

/**
 * The scale rows beyond the anonymous article page and the home page:
 * comment POSTs, the moderation queue at a million comments, a
 * 5,000-comment article, memory, restart time, and one against two worker
 * processes. Every row starts the compiled app itself
 * (production mode) with what it needs; the caller provides a prepared bench
 * database (the demo article with its 100 approved comments) and a folder.
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

type Verdicts = Map<ScaleRow, Verdict[]>;

/** Runs one row; a row that breaks is reported as such, and the others still run (unless the run is being stopped). */
async function attempt(row: ScaleRow, verdicts: Verdicts, context: ScaleContext, measure: () => Promise<void>): Promise<void> {
  const { say, signal } = context;
  signal?.throwIfAborted();
  try {
    await measure();
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
    say(`the ${row} row could not be measured: ${message}`);
    const { title, target } = ROW_TITLES[row];
    verdicts.set(row, [verdict(title, `not measured: ${message}`, target, null)]);
  }
}

export interface ScaleContext {
  /** From prepareDatabase(): the demo article with its 100 approved bench comments. */
  database: BenchDatabase;
  /** A temporary folder (traversable by others, for the embedded cluster) that the caller removes. */
  folder: string;
  load: LoadSettings;
  /** Smaller sizes (20,000 comments in the queue, 1,000 posts, 3 restarts) to show the rows work quickly. */
  small: boolean;
  /** Which rows to run; all when left out. */
  rows?: readonly ScaleRow[];
  say: Say;
  /** Registers an undo step; the caller runs them, last first, on every way out (Ctrl-C included). */
  onCleanUp: OnCleanUp;
  /** Aborted when the caller is stopping (Ctrl-C): no further row starts. */
  signal?: AbortSignal;
  /** Memory the caller read from its own app processes after its rows (proc.ts memoryAfterLoad), judged with the rest. */
  memory?: readonly MemorySample[];
}

export interface ScaleResult {
  /** Load rows for report.ts's formatTable. */
  measured: Measured[];
  /** One line per target, in the targets' order, each PASS, FAIL or NOT MEASURED. */
  verdicts: Verdict[];
}

export const scaleSizes = (small: boolean) => ({
  queueComments: small ? 20_000 : 1_000_000,
  queueSamples: 100,
  posts: small ? 1_000 : 10_000,
  restarts: small ? 3 : 5,
});

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

/** The long-thread and POST rows share one app (TRUST_PROXY=loopback for the POSTs' addresses); its memory is read after them. */
async function runMainAppRows(context: ScaleContext, build: Build, loader: Loader, wanted: (row: ScaleRow) => boolean) {
  const { database, folder, load, say, onCleanUp } = context;
  const sizes = scaleSizes(context.small);
  const articlePath = `/articles/${DEMO_SLUG}`;
  const measured: Measured[] = [];
  const verdicts: Verdicts = new Map();
  say('Starting the app (compiled, NODE_ENV=production, TRUST_PROXY=loopback)…');
  const app = await startApp(
    build,
    { databaseUrl: database.url, dataDir: path.join(folder, 'scale-app-data'), env: { TRUST_PROXY: 'loopback' }, label: 'app' },
    say,
    onCleanUp,
  );
  const memory: MemorySample[] = [];
  try {
    if (wanted('long')) {
      await attempt('long', verdicts, context, async () => {
        const row = await measureLongThread({ app, loader, db: database.db, say, onCleanUp });
        measured.push(...row.measured);
        verdicts.set('long', row.verdicts);
      });
    }
    if (wanted('posts')) {
      await attempt('posts', verdicts, context, async () => {
        const input = { app, loader, db: database.db, articlePath, connections: load.connections, posts: sizes.posts, say, onCleanUp };
        const row = await measurePostRate(input);
        measured.push(...row.measured);
        verdicts.set('posts', [row.verdict]);
      });
    }
    const sample = (await memoryAfterLoad([app.pid])).get(app.pid);
    if (sample)
      memory.push({
        label: `app after the ${[...verdicts.keys()].join(', ')} row${verdicts.size === 1 ? '' : 's'}`,
        pid: app.pid,
        memory: sample,
      });
  } finally {
    await app.stop();
  }
  return { measured, verdicts, memory };
}

export async function measureScaleRows(context: ScaleContext): Promise<ScaleResult> {
  const { database, folder, say, onCleanUp } = context;
  const rows = new Set(context.rows ?? SCALE_ROWS);
  const wanted = (row: ScaleRow) => rows.has(row);
  const sizes = scaleSizes(context.small);

  const build = await buildApp(say, onCleanUp);
  // Held comments mail the moderators: during the bench, a reserved address, and those mails removed after.
  const restoreMail = await changeDiscussionSettings(database.db, { notificationEmail: BENCH_MODERATOR_EMAIL });
  onCleanUp(() => removeBenchTraces(database.db));
  onCleanUp(restoreMail);

  const measured: Measured[] = [];
  const verdicts: Verdicts = new Map();
  const memory: MemorySample[] = [...(context.memory ?? [])];
  try {
    const underLoad = (['long', 'posts', 'workers'] as const).some(wanted);
    const loader = underLoad ? await startLoader(context.load, say, onCleanUp) : undefined;
    const mainRows = (['long', 'posts'] as const).filter(wanted);
    if (loader && mainRows.length > 0) {
      try {
        const main = await runMainAppRows(context, build, loader, wanted);
        measured.push(...main.measured);
        for (const [row, lines] of main.verdicts) verdicts.set(row, lines);
        memory.push(...main.memory);
      } catch (error) {
        // The app itself did not start (or stop): each of its rows says so.
        for (const row of mainRows)
          await attempt(row, verdicts, context, () => Promise.reject(error instanceof Error ? error : new Error(String(error))));
      }
    }
    if (loader && wanted('workers')) {
      await attempt('workers', verdicts, context, async () => {
        const row = await measureWorkers({
          build,
          databaseUrl: database.url,
          folder,
          loader,
          load: context.load,
          articlePath: `/articles/${DEMO_SLUG}`,
          say,
          onCleanUp,
        });
        measured.push(...row.measured);
        verdicts.set('workers', [row.verdict]);
        memory.push(...row.memory);
      });
    }
    if (wanted('queue')) {
      await attempt('queue', verdicts, context, async () => {
        const row = await measureQueue({
          build,
          databaseUrl: database.url,
          folder,
          comments: sizes.queueComments,
          samples: sizes.queueSamples,
          say,
          onCleanUp,
        });
        verdicts.set('queue', row.verdicts);
        memory.push(...row.memory);
      });
    }
    if (wanted('memory')) verdicts.set('memory', [memoryVerdict(memory)]);
    if (wanted('moving')) {
      await attempt('moving', verdicts, context, async () => {
        verdicts.set(
          'moving',
          await measureMovingRatesInScratch({ serverUrl: database.url, comments: context.small ? 10_000 : undefined, say, onCleanUp }),
        );
      });
    }
    if (wanted('restart')) {
      await attempt('restart', verdicts, context, async () => {
        verdicts.set('restart', [await measureRestart({ build, folder, runs: sizes.restarts, say, onCleanUp })]);
      });
    }
  } finally {
    await restoreMail();
    await removeBenchTraces(database.db);
  }
  return { measured, verdicts: SCALE_ROWS.flatMap((row) => verdicts.get(row) ?? []) };
}

/** The targets table (row, measured, target, result), then each row's notes. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const header = ['row', 'measured', 'target', 'result'];
  const cells = [header, ...verdicts.map((line) => [line.row, line.measured, line.target, line.result])];
  const widths = header.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const format = (line: string[]) =>
    line
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const table = [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(format)];
  const notes = verdicts.flatMap((line) => (line.notes.length ? [`${line.row}:`, ...line.notes.map((note) => `  - ${note}`)] : []));
  return [...table, '', ...notes].join('\n');
}

/** `PASS: …` / `FAIL: …` lines, as the bench prints for its headline row. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
  return verdicts.map((line) => `${line.result}: ${line.row}: ${line.measured} (target ${line.target})`);
}

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectDatabase } from '../../src/platform/db/connection.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { projectRoot } from '../../src/platform/paths.js';
import { cleanUpOnExit } from '../lib/clean-up.js';
import { descendantsOf, megabytes, memoryOf } from './proc.js';
import { formatVerdicts, verdictLines } from './scale.js';
import { verdict, whole, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';
import { createScratchDatabase } from './scratch-database.js';
import { generateWxr } from './wxr-generate.js';

/**
 * Rows of moving in and out: a generated WordPress export of 100,000
 * comments imported with `npm run import` into an empty scratch database
 * (comments per second, and the peak resident memory of the importing
 * process, read from /proc while it runs), then the whole site exported with
 * `npm run export` (comments per second). Both are timed from spawn to exit,
 * npm's start-up and the TypeScript loader's included: what an operator waits for.
 *
 *   DATABASE_URL=postgres://… npx tsx scripts/bench/moving-rates.ts [--comments N]
 *
 * run alone, it makes its own scratch database on DATABASE_URL's server and drops it.
 */

export const IMPORT_RATE_TARGET = 5_000;
export const IMPORT_RSS_TARGET_BYTES = 200 * 1024 * 1024;
export const EXPORT_RATE_TARGET = 20_000;
const COMMENTS = 100_000;
const POSTS = 1_000;
/** How often the importer's memory is read: VmHWM only grows, so the last reading before it exits is its peak. */
const SAMPLE_MS = 100;

export interface MovingRatesInput {
  /** An empty (or migrated, empty) scratch database: the import writes into it. */
  databaseUrl: string;
  /** A temporary folder for the generated export; the caller removes it. */
  folder: string;
  comments?: number;
  say: Say;
  onCleanUp: OnCleanUp;
}

interface CommandRun {
  seconds: number;
  /** The highest VmHWM among the command's processes (npm, sh, a TypeScript loader and the command itself). */
  peakBytes: number;
  /** Each process's peak, largest first. */
  processes: Array<{ label: string; peak: number }>;
  stdout: string;
}

/** A process's program and its first arguments, without options and loader paths: "node tools/import.ts wordpress". */
async function commandOf(pid: number): Promise<string> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
  const words = argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') && !arg.includes('node_modules/tsx/dist') && !arg.endsWith('ts-loader.mjs'));
  return [path.basename(argv[0] ?? '?'), ...words.slice(0, 2)].join(' ').slice(0, 60);
}

/** Runs `npm run <script> -- args` in its own process group, timing it and following its processes' memory. */
async function runNpm(script: string, args: string[], env: NodeJS.ProcessEnv, onCleanUp: OnCleanUp, onOutput?: (chunk: Buffer) => void) {
  const started = performance.now();
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  child.stdout.on('data', (chunk: Buffer) => {
    if (onOutput) onOutput(chunk);
    else stdout += chunk.toString('utf8');
  });
  let exited = false;
  onCleanUp(() => {
    if (!exited && child.pid) process.kill(-child.pid, 'SIGTERM');
    return Promise.resolve();
  });
  const peaks = new Map<number, { label: string; peak: number }>();
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  // One reading at a time; a process without memory of its own (a zombie) reads as NaN and is left out.
  const sampling = (async () => {
    while (!exited) {
      for (const pid of [child.pid!, ...(await descendantsOf(child.pid!))]) {
        const peak = (await memoryOf(pid))?.peak ?? NaN;
        if (!Number.isFinite(peak)) continue;
        const label = peaks.get(pid)?.label ?? (await commandOf(pid));
        peaks.set(pid, { label, peak: Math.max(peaks.get(pid)?.peak ?? 0, peak) });
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  const code = await closed;
  exited = true;
  await sampling;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`npm run ${script} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const processes = [...peaks.values()].sort((a, b) => b.peak - a.peak);
  return { seconds, peakBytes: processes[0]?.peak ?? 0, processes, stdout } satisfies CommandRun;
}

async function countRows(url: string, sql: string): Promise<number> {
  const db = connectDatabase(url, 1);
  try {
    const { rows } = await db.raw<{ rows: Array<{ count: string }> }>(sql);
    return Number(rows[0]?.count ?? 0);
  } finally {
    await db.destroy();
  }
}

/** Counts `<wp:comment>` in a stream of chunks (a tag may straddle two of them). */
function commentCounter() {
  const tag = '<wp:comment>';
  let count = 0;
  let tail = '';
  return {
    add(chunk: Buffer) {
      const text = tail + chunk.toString('latin1');
      for (let at = text.indexOf(tag); at !== -1; at = text.indexOf(tag, at + tag.length)) count++;
      tail = text.slice(-(tag.length - 1));
    },
    get count() {
      return count;
    },
  };
}

/** The three rows: import rate, the importer's peak RSS, export rate. */
export async function measureMovingRates(input: MovingRatesInput): Promise<Verdict[]> {
  const { databaseUrl, folder, say, onCleanUp } = input;
  const comments = input.comments ?? COMMENTS;
  const file = path.join(folder, `wordpress-${comments}.xml`);
  say(`moving rates: writing a WordPress export of ${whole(comments)} comments on ${whole(POSTS)} posts…`);
  await generateWxr(file, { posts: POSTS, comments });
  say(`  ${megabytes((await stat(file)).size)} written to ${file}`);

  // Migrated before the clock starts, so the import row times the import alone.
  const db = connectDatabase(databaseUrl, 1);
  await migrateToLatest(db).finally(() => db.destroy());
  const env = { ...process.env, DATABASE_URL: databaseUrl };

  say('  npm run import -- wordpress … (reading its memory every 100 ms)');
  const imported = await runNpm('import', ['wordpress', file], env, onCleanUp);
  const stored = await countRows(databaseUrl, "SELECT count(*) AS count FROM comments WHERE imported_from = 'wordpress'");
  const importRate = stored / imported.seconds;
  say(
    `  ${whole(stored)} comments stored in ${imported.seconds.toFixed(1)} s: ${whole(importRate)}/s, peak RSS ${megabytes(imported.peakBytes)}`,
  );

  say('  npm run export -- wordpress (counting the comments it writes)…');
  const counter = commentCounter();
  const exported = await runNpm('export', ['wordpress'], env, onCleanUp, (chunk) => counter.add(chunk));
  const exportRate = counter.count / exported.seconds;
  say(`  ${whole(counter.count)} comments written in ${exported.seconds.toFixed(1)} s: ${whole(exportRate)}/s`);

  // Other work on the machine slows both commands down: the load beside the figures says how much there was.
  const load = `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores at the end`;
  const complete = stored === comments;
  const importNotes = [
    `${whole(stored)} of the ${whole(comments)} comments stored, in ${imported.seconds.toFixed(1)} s from spawn to exit (npm and Node.js start-up included)`,
    ...(complete ? [] : ['not every comment was stored: the rate is of those stored']),
    load,
  ];
  return [
    verdict(
      `import, WXR of ${whole(comments)} comments`,
      `${whole(importRate)} comments/s`,
      `≥ ${whole(IMPORT_RATE_TARGET)}/s`,
      complete && importRate >= IMPORT_RATE_TARGET,
      importNotes,
    ),
    verdict(
      'import, peak RSS of the importing process',
      megabytes(imported.peakBytes),
      `≤ ${megabytes(IMPORT_RSS_TARGET_BYTES)}`,
      imported.peakBytes > 0 ? imported.peakBytes <= IMPORT_RSS_TARGET_BYTES : null,
      [`VmHWM of each process of the command: ${imported.processes.map((each) => `${each.label} ${megabytes(each.peak)}`).join(', ')}`],
    ),
    verdict(
      `export, ${whole(counter.count)} comments`,
      `${whole(exportRate)} comments/s`,
      `≥ ${whole(EXPORT_RATE_TARGET)}/s`,
      counter.count === stored && exportRate >= EXPORT_RATE_TARGET,
      [
        `${exported.seconds.toFixed(1)} s from spawn to exit; every comment stored was written: ${counter.count === stored ? 'yes' : 'no'}`,
        load,
      ],
    ),
  ];
}

const SCRATCH_PREFIX = 'bench_moving_';

/** The three rows in a scratch database of their own on `serverUrl`'s server, and a scratch folder; both dropped after. */
export async function measureMovingRatesInScratch(input: {
  serverUrl: string;
  comments?: number;
  say: Say;
  onCleanUp: OnCleanUp;
}): Promise<Verdict[]> {
  const { serverUrl, say, onCleanUp } = input;
  const scratch = await createScratchDatabase(serverUrl, SCRATCH_PREFIX, say);
  onCleanUp(scratch.drop);
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-moving-'));
  onCleanUp(() => rm(folder, { recursive: true, force: true }));
  try {
    return await measureMovingRates({ databaseUrl: scratch.url, folder, comments: input.comments, say, onCleanUp });
  } finally {
    await scratch.drop();
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const say: Say = (message) => void process.stdout.write(`${message}\n`);
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    process.stderr.write('Set DATABASE_URL to a PostgreSQL server where a scratch database may be created (and dropped).\n');
    return 2;
  }
  const commentsArg = process.argv.indexOf('--comments');
  const comments = commentsArg > 0 ? Number(process.argv[commentsArg + 1]) : COMMENTS;
  if (!Number.isInteger(comments) || comments < POSTS) throw new Error(`--comments must be a whole number of at least ${POSTS}`);

  const cleanUp = cleanUpOnExit(say);
  const onCleanUp: OnCleanUp = (step) => void cleanUp.steps.push(step);
  try {
    const verdicts = await measureMovingRatesInScratch({ serverUrl, comments, say, onCleanUp });
    say(`\n${formatVerdicts(verdicts)}\n`);
    for (const line of verdictLines(verdicts)) say(line);
    return verdicts.every((line) => line.result === 'PASS') ? 0 : 1;
  } finally {
    await cleanUp.run();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}

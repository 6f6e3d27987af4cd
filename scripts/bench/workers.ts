import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Measured } from './report.js';
import type { RequestFigures } from './request-load.js';
import { describeCpuUse, startCountingCpu, type CpuUse } from './cpu-use.js';
import { memoryAfterLoad, waitUntilIdle, type MemoryAfterLoad } from './proc.js';
import { nodeProcessesOf, startApp, type Build, type RunningApp } from './scale-app.js';
import { sleep, troubleOf, verdict, whole, type LoadSettings, type Loader, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';
import { findWrk, startWrk } from './wrk.js';

/**
 * Row: the anonymous article page served by WEB_CONCURRENCY=1 and by
 * WEB_CONCURRENCY=2 (node:cluster, one port), against the same database,
 * with the same load generator, connections and duration.
 *
 * Fairness on a small machine: the load generator and PostgreSQL need CPU
 * too. Where wrk is installed it loads this row (see wrk.ts): it needs a
 * fifth of the CPU autocannon needs for the same load, which leaves the
 * second worker a core on a 2-core machine. On 4 or more cores the load
 * generator is pinned to the last core and the app to as many cores as it
 * has workers (taskset), so neither run lends the other its cores. On fewer
 * cores nothing is pinned (there is nothing to spare) and the row reports
 * how many cores the app, the load generator and everything else used, so
 * the ratio can be read against what the machine had left.
 */

export const WORKERS_TARGET = 1.7;
const INFORMATIVE_BELOW_CORES = 4;
const execute = promisify(execFile);

export interface WorkersInput {
  build: Build;
  databaseUrl: string;
  folder: string;
  loader: Loader;
  /** Connections, warm-up and duration, the same as autocannon's. */
  load: LoadSettings;
  articlePath: string;
  say: Say;
  onCleanUp: OnCleanUp;
}

export interface MemorySample {
  label: string;
  pid: number;
  memory: MemoryAfterLoad;
}

interface WorkerRun {
  figures: RequestFigures;
  processes: number;
  usage: CpuUse;
  memory: MemorySample[];
}

/** Waits until the app's node processes stop changing (workers fork after the first answer). */
async function settledProcesses(app: RunningApp): Promise<number[]> {
  let seen = await nodeProcessesOf(app);
  for (let round = 0; round < 20; round++) {
    await sleep(250);
    const now = await nodeProcessesOf(app);
    if (now.length === seen.length && round >= 4) return now;
    seen = now;
  }
  return seen;
}

async function pin(pids: number[], cores: string): Promise<void> {
  // -a: every thread of the process (libuv's pool, V8's helpers), not only the main one.
  await Promise.all(pids.map((pid) => execute('taskset', ['-a', '-cp', cores, String(pid)])));
}

const lastCore = () => String(cpus().length - 1);

async function measureWithAutocannon(label: string, url: string, loader: Loader, processes: number[]) {
  let stopCounting: (() => Promise<CpuUse>) | undefined;
  const figures = await loader.measure(
    label,
    { url },
    {
      idle: processes,
      beforeMeasured: async () => {
        stopCounting = await startCountingCpu(processes, loader.pid);
      },
    },
  );
  return { figures, usage: await stopCounting!() };
}

async function measureWithWrk(wrk: string, label: string, url: string, input: WorkersInput, processes: number[], pinning: boolean) {
  const { connections, warmup, duration } = input.load;
  input.say(`${label}: warming up ${warmup} s, then measuring ${duration} s (wrk)…`);
  await sleep(1000);
  await waitUntilIdle(processes);
  const start = async (seconds: number) => {
    const run = startWrk(wrk, url, connections, seconds);
    if (pinning) await pin([run.pid], lastCore());
    return run;
  };
  await (
    await start(warmup)
  ).figures;
  const run = await start(duration);
  const stopCounting = await startCountingCpu(processes, run.pid);
  // Read before wrk exits (its /proc entry goes with it), over all but the last half second.
  await sleep(Math.max(500, duration * 1000 - 500));
  const usage = await stopCounting();
  const figures = await run.figures;
  input.say(`  ${whole(figures.requestsPerSecond)} req/s, p50 ${figures.latencyP50} ms, p99 ${figures.latencyP99} ms`);
  return { figures, usage };
}

async function runWith(workers: number, input: WorkersInput, pinning: boolean, wrk: string | null): Promise<WorkerRun> {
  const { build, databaseUrl, folder, loader, articlePath, say, onCleanUp } = input;
  const label = `WEB_CONCURRENCY=${workers}`;
  say(`Starting the app with ${label}…`);
  const app = await startApp(
    build,
    { databaseUrl, dataDir: path.join(folder, `workers-${workers}-data`), env: { WEB_CONCURRENCY: String(workers) }, label },
    say,
    onCleanUp,
  );
  try {
    const processes = await settledProcesses(app);
    say(`  ${processes.length} node process${processes.length === 1 ? '' : 'es'} (pid ${processes.join(', ')}).`);
    if (pinning) {
      const last = lastCore();
      if (!wrk) await pin([loader.pid], String(last));
      await pin(processes, workers === 1 ? '0' : `0-${workers - 1}`);
    }
    const url = `${app.base}${articlePath}`;
    const { figures, usage } = wrk
      ? await measureWithWrk(wrk, `article page, ${label}`, url, input, processes, pinning)
      : await measureWithAutocannon(`article page, ${label}`, url, loader, processes);
    const found = await memoryAfterLoad(processes);
    const memory: MemorySample[] = processes.flatMap((pid, index) => {
      const sample = found.get(pid);
      return sample ? [{ label: `${label}, ${index === 0 ? 'main process' : `worker ${index}`}`, pid, memory: sample }] : [];
    });
    return { figures, processes: processes.length, usage, memory };
  } finally {
    await app.stop();
  }
}

export async function measureWorkers(input: WorkersInput): Promise<{ measured: Measured[]; verdict: Verdict; memory: MemorySample[] }> {
  const pinning = cpus().length >= 4;
  input.say(
    pinning
      ? `article page, 1 and 2 workers: load generator pinned to core ${cpus().length - 1}, the app to one core per worker.`
      : `article page, 1 and 2 workers: ${cpus().length} cores, too few to pin apart; CPU use is reported instead.`,
  );
  const wrk = await findWrk();
  const one = await runWith(1, input, pinning, wrk);
  const two = await runWith(2, input, pinning, wrk);
  if (pinning && !wrk) await execute('taskset', ['-a', '-cp', `0-${cpus().length - 1}`, String(input.loader.pid)]);

  const measured: Measured[] = [
    { label: 'article page, WEB_CONCURRENCY=1', figures: one.figures },
    { label: 'article page, WEB_CONCURRENCY=2', figures: two.figures },
  ];
  const memory = [...one.memory, ...two.memory];
  // The load generator runs on one thread: near a whole core it, not the app, sets the pace.
  const loaderBound = [one, two].some((run) => run.usage.loader >= 0.75);
  const notes = [
    wrk
      ? `load generator: wrk (one thread, ${input.load.connections} connections as for autocannon), which leaves the app more of the machine than autocannon would`
      : 'load generator: autocannon (install wrk, Debian package `wrk`, for a lighter one: autocannon takes most of a core here)',
    describeCpuUse('CPU with 1 worker', one.usage),
    describeCpuUse('CPU with 2 workers', two.usage),
    ...(loaderBound
      ? ['the load generator used most of its one core: it, not the app, limited these runs, so the ratio says little about the workers']
      : []),
    pinning
      ? 'load generator and app pinned to separate cores (taskset); PostgreSQL unpinned'
      : `not pinned: on ${cpus().length} cores the load generator and PostgreSQL share the cores the second worker needs, so the ratio shows what this machine has to spare, not how far the app scales`,
  ];
  // One process means the setting was ignored; a main process with one worker is a single worker too.
  const workersSeen = two.processes > 1 ? two.processes - 1 : 1;
  if (workersSeen < 2) {
    return {
      measured,
      memory,
      verdict: verdict(
        'article page, 2 workers against 1',
        `not measured: WEB_CONCURRENCY=2 ran ${two.processes} node process${two.processes === 1 ? '' : 'es'}`,
        `≥ ${WORKERS_TARGET}×`,
        null,
        ['the app does not start cluster workers yet, so there is no second worker to measure', ...notes],
      ),
    };
  }
  const ratio = one.figures.requestsPerSecond > 0 ? two.figures.requestsPerSecond / one.figures.requestsPerSecond : 0;
  const trouble = [troubleOf(one.figures), troubleOf(two.figures)].filter(Boolean).join('; ');
  const row = verdict(
    'article page, 2 workers against 1',
    `${ratio.toFixed(2)}× (${Math.round(two.figures.requestsPerSecond)} vs ${Math.round(one.figures.requestsPerSecond)} req/s)`,
    `≥ ${WORKERS_TARGET}×`,
    ratio >= WORKERS_TARGET && !trouble,
    trouble ? [`answers not all 200: ${trouble}`, ...notes] : notes,
  );
  // Below four cores the load generator and PostgreSQL take the cores a second worker needs: the row informs, it cannot judge.
  if (cpus().length < INFORMATIVE_BELOW_CORES && !trouble) {
    row.result = 'INFO';
    row.notes.push(`informational on ${cpus().length} cores: the ratio is judged on ${INFORMATIVE_BELOW_CORES} cores or more`);
  }
  return { measured, memory, verdict: row };
}

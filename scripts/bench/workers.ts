import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { troubleOf, type Measured } from './report.js';
import type { LoadFigures } from './load.js';
import { describeCpuUse, startCountingCpu, type CpuUse } from './cpu-use.js';
import { memoryAfterLoad } from './proc.js';
import { nodeProcessesOf, startApp, type Build, type RunningApp } from './scale-app.js';
import {
  sleep,
  verdict,
  type LoadSettings,
  type Loader,
  type MemorySample,
  type RowResult,
  type OnCleanUp,
  type Say,
} from './scale-kit.js';

/**
 * Row: the anonymous article page served by WEB_CONCURRENCY=1 and by
 * WEB_CONCURRENCY=2 (node:cluster, one port), against the same database,
 * with the same load generator, connections and duration.
 *
 * Fairness on a small machine: the load generator and PostgreSQL need CPU
 * too. On 4 or more cores the load generator is pinned to the last core and
 * the app to as many cores as it has workers (taskset), so neither run lends
 * the other its cores. On fewer cores nothing is pinned (there is nothing to
 * spare), the row reports how many cores the app, the load generator and
 * everything else used, and it informs rather than judges.
 */

export const WORKERS_TARGET = 1.7;
/** With this many cores the load generator and each worker get cores of their own, and the row is judged. */
const PINNING_FROM_CORES = 4;
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

interface WorkerRun {
  figures: LoadFigures;
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

async function runWith(workers: number, input: WorkersInput, pinning: boolean): Promise<WorkerRun> {
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
      await pin([loader.pid], lastCore());
      await pin(processes, workers === 1 ? '0' : `0-${workers - 1}`);
    }
    const { figures, usage } = await measureWithAutocannon(`article page, ${label}`, `${app.base}${articlePath}`, loader, processes);
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

export async function measureWorkers(input: WorkersInput): Promise<RowResult> {
  const pinning = cpus().length >= PINNING_FROM_CORES;
  input.say(
    pinning
      ? `article page, 1 and 2 workers: load generator pinned to core ${cpus().length - 1}, the app to one core per worker.`
      : `article page, 1 and 2 workers: ${cpus().length} cores, too few to pin apart; CPU use is reported instead.`,
  );
  const one = await runWith(1, input, pinning);
  const two = await runWith(2, input, pinning);
  if (pinning) await execute('taskset', ['-a', '-cp', `0-${cpus().length - 1}`, String(input.loader.pid)]);

  const measured: Measured[] = [
    { label: 'article page, WEB_CONCURRENCY=1', figures: one.figures },
    { label: 'article page, WEB_CONCURRENCY=2', figures: two.figures },
  ];
  const memory = [...one.memory, ...two.memory];
  // The load generator runs on one thread: near a whole core it, not the app, sets the pace.
  const loaderBound = [one, two].some((run) => run.usage.loader >= 0.75);
  const notes = [
    `load generator: autocannon, ${input.load.connections} connections`,
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
  const secondWorker = two.processes > 2;
  const ratio = one.figures.requestsPerSecond > 0 ? two.figures.requestsPerSecond / one.figures.requestsPerSecond : 0;
  const trouble = [troubleOf(one.figures), troubleOf(two.figures)].filter(Boolean).join('; ');
  const row = verdict(
    'article page, 2 workers against 1',
    secondWorker
      ? `${ratio.toFixed(2)}× (${Math.round(two.figures.requestsPerSecond)} vs ${Math.round(one.figures.requestsPerSecond)} req/s)`
      : `not measured: WEB_CONCURRENCY=2 ran ${two.processes} node process${two.processes === 1 ? '' : 'es'}`,
    `≥ ${WORKERS_TARGET}×`,
    secondWorker ? ratio >= WORKERS_TARGET && !trouble : null,
    trouble ? [`answers not all 200: ${trouble}`, ...notes] : notes,
  );
  // Without cores to pin apart, the load generator and PostgreSQL take the cores a second worker needs: the row informs, it cannot judge.
  if (!pinning && secondWorker && !trouble) {
    row.result = 'INFO';
    row.notes.push(`informational on ${cpus().length} cores: the ratio is judged on ${PINNING_FROM_CORES} cores or more`);
  }
  return { measured, memory, verdicts: [row] };
}

import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { nextMessage, startTypeScript, stopChild } from './processes.js';
import { waitUntilIdle } from './proc.js';
import type { LoadFigures, LoadJob } from './load.js';
import type { MemoryAfterLoad } from './proc.js';
import type { Measured } from './report.js';

/** What every scale row shares: how hard and how long to load, and where to say what is going on. */

export type Say = (message: string) => void;
export type OnCleanUp = (step: () => Promise<void>) => void;

export interface LoadSettings {
  connections: number;
  /** Seconds of warm-up before each measured run. */
  warmup: number;
  /** Seconds each measured run lasts. */
  duration: number;
}

/** INFO: measured and shown, but this machine cannot decide it (see the row's notes). */
export type Result = 'PASS' | 'FAIL' | 'NOT MEASURED' | 'INFO';

/** One row of the performance targets table, as measured. */
export interface Verdict {
  row: string;
  measured: string;
  target: string;
  result: Result;
  /** Anything a reader of the figure should know (noise, caveats, what was checked). */
  notes: string[];
}

/** The memory of one app process after a row's load. */
export interface MemorySample {
  label: string;
  pid: number;
  memory: MemoryAfterLoad;
}

/** What a row hands back: its targets judged, its load figures for the table, the memory of the apps it ran. */
export interface RowResult {
  verdicts: Verdict[];
  measured?: Measured[];
  memory?: MemorySample[];
}

export function verdict(row: string, measured: string, target: string, pass: boolean | null, notes: string[] = []): Verdict {
  return { row, measured, target, result: pass === null ? 'NOT MEASURED' : pass ? 'PASS' : 'FAIL', notes };
}

export const whole = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value below which `share` (0.5 for the median) of the times lie. */
export function percentile(times: readonly number[], share: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

export interface MeasureOptions {
  /** Servers that must be idle before the warm-up starts (they may still be answering the previous target). */
  idle?: readonly number[];
  /** Runs between the warm-up and the measured run (to sample CPU counters, say). */
  beforeMeasured?: () => Promise<void>;
}

/** The autocannon child (load.ts): GETs with headers, POSTs with a body of their own each. */
export interface Loader {
  pid: number;
  /** Warm-up, then a measured run, as `npm run bench` does for every target. */
  measure(label: string, job: Omit<LoadJob, 'connections' | 'seconds' | 'amount'>, options?: MeasureOptions): Promise<LoadFigures>;
  /** One job exactly as given (no warm-up). */
  run(job: LoadJob, timeoutMs: number): Promise<LoadFigures>;
}

export async function startLoader(settings: LoadSettings, say: Say, onCleanUp: OnCleanUp): Promise<Loader> {
  say('Starting the load generator (autocannon) in a child process…');
  const child = startTypeScript(path.join(projectRoot, 'scripts/bench/load.ts'), [], { ipc: true });
  onCleanUp(async () => void (await stopChild(child)));
  await nextMessage<boolean>(child, 'ready');
  const run = (job: LoadJob, timeoutMs: number) => {
    child.send(job);
    return nextMessage<LoadFigures>(child, 'figures', timeoutMs);
  };
  return {
    pid: child.pid!,
    run,
    async measure(label, job, options = {}) {
      say(`${label}: warming up ${settings.warmup} s, then measuring ${settings.duration} s…`);
      // Let the previous target finish what it had queued before this one starts.
      await sleep(1000);
      if (options.idle) await waitUntilIdle(options.idle);
      await run({ ...job, connections: settings.connections, seconds: settings.warmup }, (settings.warmup + 60) * 1000);
      await options.beforeMeasured?.();
      const figures = await run({ ...job, connections: settings.connections, seconds: settings.duration }, (settings.duration + 60) * 1000);
      say(`  ${whole(figures.requestsPerSecond)} req/s, p50 ${figures.latencyP50} ms, p99 ${figures.latencyP99} ms`);
      return figures;
    },
  };
}

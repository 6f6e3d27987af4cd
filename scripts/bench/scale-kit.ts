import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { nextMessage, startTypeScript, stopChild } from './processes.js';
import { waitUntilIdle } from './proc.js';
import type { RequestFigures, RequestJob } from './request-load.js';

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

export function verdict(row: string, measured: string, target: string, pass: boolean | null, notes: string[] = []): Verdict {
  return { row, measured, target, result: pass === null ? 'NOT MEASURED' : pass ? 'PASS' : 'FAIL', notes };
}

export const whole = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface MeasureOptions {
  /** Servers that must be idle before the warm-up starts (they may still be answering the previous target). */
  idle?: readonly number[];
  /** Runs between the warm-up and the measured run (to sample CPU counters, say). */
  beforeMeasured?: () => Promise<void>;
}

/** The autocannon child (request-load.ts): GETs with headers, POSTs with a body of their own each. */
export interface Loader {
  pid: number;
  /** Warm-up, then a measured run, as `npm run bench` does for every target. */
  measure(label: string, job: Omit<RequestJob, 'connections' | 'seconds' | 'amount'>, options?: MeasureOptions): Promise<RequestFigures>;
  /** One job exactly as given (no warm-up). */
  run(job: RequestJob, timeoutMs: number): Promise<RequestFigures>;
}

export async function startLoader(settings: LoadSettings, say: Say, onCleanUp: OnCleanUp): Promise<Loader> {
  say('Starting the load generator (autocannon, headers and bodies) in a child process…');
  const child = startTypeScript(path.join(projectRoot, 'scripts/bench/request-load.ts'), [], { ipc: true });
  onCleanUp(async () => void (await stopChild(child)));
  await nextMessage<boolean>(child, 'ready');
  const run = (job: RequestJob, timeoutMs: number) => {
    child.send(job);
    return nextMessage<RequestFigures>(child, 'figures', timeoutMs);
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

/** Trouble that makes a load figure untrustworthy, or '' when there is none. */
export function troubleOf(figures: RequestFigures, expectedStatus = 200): string {
  const unexpected = Object.entries(figures.statusCodes)
    .filter(([code]) => Number(code) !== expectedStatus)
    .map(([code, count]) => `${whole(count)} × ${code}`);
  const problems = [
    figures.responses === 0 ? 'no answer at all within the run' : '',
    ...unexpected,
    figures.errors > 0 ? `${whole(figures.errors)} errors` : '',
    figures.timeouts > 0 ? `${whole(figures.timeouts)} timeouts` : '',
  ].filter(Boolean);
  return problems.join(', ');
}

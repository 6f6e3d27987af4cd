import cluster, { type Worker } from 'node:cluster';
import type { PreparedDatabase } from './app-runtime.js';
import { Shutdown, STOP_WITHIN_MS, type Serving } from './serving.js';
import type { FromWorker, ToWorker } from './worker.js';
import { withHeapFlags } from './heap-settings.js';
import { MALLOC_SETTINGS } from './malloc-settings.js';

/** More deaths than this within the window means something is wrong that a restart will not fix. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

type WorkerState = 'starting' | 'waiting' | 'listening' | 'serving';
type Say = (message: string) => void;

/**
 * WEB_CONCURRENCY worker processes sharing one port (node:cluster hands the
 * connections round). This process, the primary, serves nothing itself: it
 * prepares the database, tells the workers when they may serve, replaces a
 * worker that dies, and stops them all on a signal.
 */
export function serveWithWorkers(count: number, say: Say, onFailure: (reason: string) => void): Serving {
  const states = new Map<Worker, WorkerState>();
  const waiters = new Set<() => void>();
  const deaths: number[] = [];
  let database: PreparedDatabase | undefined;
  let stopping = false;

  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!condition()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const allAtLeast = (wanted: 'listening' | 'serving') => () =>
    states.size >= count && [...states.values()].every((state) => state === wanted || state === 'serving');
  const setState = (worker: Worker, state: WorkerState) => {
    states.set(worker, state);
    [...waiters].forEach((check) => check());
  };
  const instruct = (worker: Worker) => {
    if (worker.isConnected()) worker.send((database ? { type: 'ready', database } : { type: 'listen' }) satisfies ToWorker);
  };

  function replace(worker: Worker, how: string) {
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_RESTARTS) {
      onFailure(`workers keep dying (${deaths.length} in ${RESTART_WINDOW_MS / 1000} s, the last with ${how})`);
      return;
    }
    say(`Worker ${worker.process.pid} stopped unexpectedly (${how}); starting another.`);
    fork();
  }

  function fork() {
    const worker = cluster.fork({ ...MALLOC_SETTINGS });
    setState(worker, 'starting');
    // A message to a worker that just died fails; its exit, handled below, is what counts.
    worker.on('error', () => {});
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'waiting') {
        setState(worker, 'waiting');
        instruct(worker);
      }
      if (message.type === 'serving') setState(worker, 'serving');
      if (message.type === 'failed') onFailure(message.message);
    });
    worker.on('listening', () => {
      if (states.get(worker) !== 'serving') setState(worker, 'listening');
    });
    worker.on('exit', (code, signal) => {
      states.delete(worker);
      [...waiters].forEach((check) => check());
      if (!stopping) replace(worker, signal ? `signal ${signal}` : `exit code ${code}`);
    });
  }

  return {
    async start() {
      // Each worker gets the heap settings, however this process was started.
      cluster.setupPrimary({ execArgv: withHeapFlags(process.execArgv) });
      for (let started = 0; started < count; started++) fork();
      await until(allAtLeast('listening'));
    },
    // Each worker loads the app itself, while it waits for the database.
    preload: () => {},
    async ready(prepared) {
      database = prepared;
      for (const [worker, state] of states) if (state === 'waiting' || state === 'listening') instruct(worker);
      await until(allAtLeast('serving'));
    },
    // Each worker stops within its own deadline, just before this one; one still running at this one is killed.
    async stop(shutdown = new Shutdown(Date.now() + STOP_WITHIN_MS)) {
      stopping = true;
      const killed = new Set<Worker>();
      const exited = [...states.keys()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', (code, signal) => {
              if (killed.has(worker)) shutdown.abandon(`worker ${worker.process.pid} (killed at the deadline)`);
              else if (code !== 0)
                shutdown.abandon(`worker ${worker.process.pid} (${signal ? `signal ${signal}` : `exit code ${code}`}: see its own line)`);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      );
      const forced = setTimeout(() => {
        for (const worker of states.keys()) {
          killed.add(worker);
          worker.process.kill('SIGKILL');
        }
      }, shutdown.remainingMs());
      await Promise.all(exited);
      clearTimeout(forced);
    },
  };
}

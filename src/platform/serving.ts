import { setTimeout as sleep } from 'node:timers/promises';
import type { AppRuntime, PreparedDatabase } from './app-runtime.js';
import type { Config } from './config.js';
import { closeGracefully, createHttpServer, listen, type ServerTimeouts } from './http-server.js';
import type { Logger } from './logger.js';
import { createGate } from './not-ready.js';

/** From the signal to the exit, as the README promises (and as Docker waits before SIGKILL). */
export const STOP_WITHIN_MS = 10_000;
/** What the process that started the embedded PostgreSQL keeps at the end to stop it. */
export const DATABASE_STOP_RESERVE_MS = 1000;
/** What a serving process keeps at the end of its stop to close its pools and listener. */
export const CLOSING_RESERVE_MS = 1500;
/** After the drain, the requests still in flight get at least this long, however long the drain was. */
const FINISHING_AT_LEAST_MS = 1000;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One stop against one deadline: every step is waited for until then at
 * most, and what did not finish is noted as abandoned (the process then
 * says so and exits 1). `earlier` gives a part of the stop an earlier
 * deadline of its own, sharing the notes.
 */
export class Shutdown {
  constructor(
    readonly deadline: number,
    private readonly notes = { abandoned: [] as string[], underWay: new Set<string>() },
  ) {}

  earlier(ms: number): Shutdown {
    return new Shutdown(this.deadline - ms, this.notes);
  }

  /** Time left before the deadline, less `reserveMs`. */
  remainingMs(reserveMs = 0): number {
    return Math.max(0, this.deadline - reserveMs - Date.now());
  }

  abandon(what: string): void {
    this.notes.abandoned.push(what);
  }

  /** Waits for `work`, at most `withinMs` and never past the deadline; notes it as abandoned if it failed or is not done. */
  async step(what: string, work: Promise<unknown>, withinMs = Infinity): Promise<void> {
    this.notes.underWay.add(what);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>(
      (resolve) => (timer = setTimeout(() => resolve('not done in time'), Math.min(withinMs, this.remainingMs()))),
    );
    const outcome = await Promise.race([
      work.then(
        () => null,
        (error: unknown) => `failed: ${reasonOf(error)}`,
      ),
      late,
    ]);
    clearTimeout(timer);
    this.notes.underWay.delete(what);
    if (outcome !== null) this.abandon(`${what} (${outcome})`);
  }

  get abandoned(): readonly string[] {
    return this.notes.abandoned;
  }

  /** What was abandoned and what is still under way: what the deadline cuts short. */
  get unfinished(): string[] {
    return [...this.notes.abandoned, ...[...this.notes.underWay].map((what) => `${what} (still under way)`)];
  }
}

/** The line a stopping process says when it had to give something up. */
export const abandonedLine = (abandoned: readonly string[]) =>
  `Stopped, abandoning what could not finish within the ${STOP_WITHIN_MS / 1000} s allowed: ${abandoned.join('; ')}.`;

/**
 * What answers on the port: this process (single mode, or one cluster
 * worker) or a set of worker processes. The process that prepares the
 * database drives it the same way in both cases.
 */
export interface Serving {
  /** Starts listening; until `ready`, pages answer 503 and /healthz 200. */
  start(): Promise<void>;
  /** Starts loading the app's code, so that it is read while the database starts. */
  preload(): void;
  /** The database is migrated: serve the site. */
  ready(database: PreparedDatabase): Promise<void>;
  /**
   * Drains (/readyz 503 while still serving), stops taking connections, lets
   * requests in flight finish, releases everything; by the shutdown's deadline.
   */
  stop(shutdown?: Shutdown): Promise<void>;
}

export interface InProcessOptions {
  timeouts?: Partial<ServerTimeouts>;
}

/** Serving from this process: the not-ready gate at once, the app once the database is ready. */
export function serveInProcess(config: Config, logger: Logger, options: InProcessOptions = {}): Serving {
  const gate = createGate({ production: config.env === 'production' });
  const server = createHttpServer(gate.handle, options.timeouts);
  let runtime: AppRuntime | undefined;
  let opening: Promise<void> | undefined;
  let stopped = false;
  // Loaded on demand, so that the port answers before the app's modules are read.
  let loading: Promise<typeof import('./app-runtime.js')> | undefined;
  const load = () => (loading ??= import('./app-runtime.js'));

  return {
    start: () => listen(server, config.port, config.host),
    preload: () => void load().catch(() => {}),
    ready(database) {
      opening ??= (async () => {
        const { startAppRuntime } = await load();
        if (stopped) return;
        runtime = startAppRuntime(config, logger, database);
        gate.open(runtime.app);
      })();
      return opening;
    },
    async stop(shutdown = new Shutdown(Date.now() + STOP_WITHIN_MS)) {
      stopped = true;
      // A load balancer learns from /readyz to send no more; until it has, requests are still served.
      if (gate.isOpen && config.shutdownDrainMs > 0) {
        gate.drain();
        await sleep(Math.min(config.shutdownDrainMs, shutdown.remainingMs(CLOSING_RESERVE_MS + FINISHING_AT_LEAST_MS)));
      }
      const cut = await closeGracefully(server, shutdown.remainingMs(CLOSING_RESERVE_MS));
      if (cut > 0) shutdown.abandon(`${cut} request${cut === 1 ? '' : 's'} still in flight`);
      // A failure to start was reported when it happened.
      await shutdown.step('starting the app', opening?.catch(() => {}) ?? Promise.resolve());
      await runtime?.close(shutdown);
    },
  };
}

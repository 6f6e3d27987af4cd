import type { AppRuntime, PreparedDatabase } from './app-runtime.js';
import type { Config } from './config.js';
import { closeGracefully, createHttpServer, listen, type ServerTimeouts } from './http-server.js';
import type { Logger } from './logger.js';
import { createGate } from './not-ready.js';

/** Requests in flight at shutdown get this long to finish; the whole stop must fit in 10 s. */
export const SHUTDOWN_GRACE_MS = 7000;

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
  /** Stops taking connections, lets requests in flight finish, releases everything. */
  stop(): Promise<void>;
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
    async stop() {
      stopped = true;
      await closeGracefully(server, SHUTDOWN_GRACE_MS);
      await opening?.catch(() => {});
      await runtime?.close();
    },
  };
}

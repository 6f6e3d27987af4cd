import type { PreparedDatabase } from './app-runtime.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { abandonedLine, DATABASE_STOP_RESERVE_MS, serveInProcess, Shutdown, STOP_WITHIN_MS } from './serving.js';

/** A worker's own stop ends a little before its primary stops waiting for it. */
export const WORKER_STOP_WITHIN_MS = STOP_WITHIN_MS - DATABASE_STOP_RESERVE_MS - 500;

/**
 * Messages between the primary and its workers (node:cluster's IPC channel).
 * A worker says it is `waiting`; the primary answers `listen` while the
 * database is not prepared yet (the worker then answers 503 meanwhile) or
 * `ready` once it is, so that a worker started later to replace one that
 * died builds the app first and only then takes connections.
 */
export type ToWorker = { type: 'listen' } | { type: 'ready'; database: PreparedDatabase };
export type FromWorker = { type: 'waiting' } | { type: 'serving' } | { type: 'failed'; message: string };

/** Resolves once the message is handed over, so that exiting next does not lose it. */
const send = (message: FromWorker) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));

function isToWorker(message: unknown): message is ToWorker {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'listen' || type === 'ready';
}

/** A cluster worker: serves when the primary says so, stops on SIGTERM/SIGINT or when the primary is gone. */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  const serving = serveInProcess(config, logger);
  let stopping = false;
  let listening: Promise<void> | undefined;

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Done before the primary's deadline, which also has the embedded database to stop.
    const shutdown = new Shutdown(Date.now() + WORKER_STOP_WITHIN_MS);
    const finish = (abandoned: readonly string[]) => {
      if (abandoned.length > 0) process.stderr.write(`Worker ${process.pid}: ${abandonedLine(abandoned)}\n`);
      process.exit(abandoned.length > 0 ? 1 : 0);
    };
    setTimeout(() => finish(shutdown.unfinished), shutdown.remainingMs());
    await serving.stop(shutdown);
    finish(shutdown.abandoned);
  };
  const listenOnce = () =>
    (listening ??= serving.start().catch(async (error: unknown) => {
      // The primary says why and stops: another worker would fail the same way.
      await send({ type: 'failed', message: `could not listen on ${config.host}:${config.port}: ${(error as Error).message}` });
      process.exit(1);
    }));
  const serve = async (database: PreparedDatabase) => {
    try {
      await serving.ready(database);
    } catch (error) {
      logger.fatal({ err: error }, 'the app could not be built');
      process.exit(1);
    }
    await listenOnce();
    await send({ type: 'serving' });
  };

  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (message) => {
    if (stopping || !isToWorker(message)) return;
    if (message.type === 'listen') {
      void listenOnce();
      // Read the app's code while the primary prepares the database.
      serving.preload();
    } else {
      void serve(message.database);
    }
  });
  await send({ type: 'waiting' });
}

import type { Config } from './config.js';
import { serveWithWorkers } from './cluster.js';
import type { DatabaseLocation } from './db/open.js';
import type { Logger } from './logger.js';
import { loadOrCreateSecrets } from './secrets.js';
import { abandonedLine, DATABASE_STOP_RESERVE_MS, serveInProcess, Shutdown, STOP_WITHIN_MS } from './serving.js';

const say = (message: string) => process.stdout.write(`${message}\n`);
const complain = (message: string) => process.stderr.write(`${message}\n`);
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A promise awaited further on: failing before then must not count as an unhandled rejection. */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * The process started by `npm start`: it does what must happen once, then
 * serves, itself (WEB_CONCURRENCY=1) or through worker processes. It
 * listens at once (503 until ready), starts the embedded PostgreSQL when
 * there is no DATABASE_URL, waits for the database and migrates it, and only
 * then lets the app serve. SIGTERM/SIGINT stop the serving first and the
 * database last, within STOP_WITHIN_MS: then it exits 0 saying `Stopped.`,
 * or 1 naming what it had to abandon to keep to that.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const abort = new AbortController();
  let locating: Promise<DatabaseLocation> | undefined;
  let stopping = false;
  let running = false;
  const finish = (exitCode: number, abandoned: readonly string[]) => {
    if (abandoned.length > 0) complain(abandonedLine(abandoned));
    else if (exitCode === 0) say('Stopped.');
    process.exit(abandoned.length > 0 ? 1 : exitCode);
  };
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const shutdown = new Shutdown(Date.now() + STOP_WITHIN_MS);
    // Whatever has not finished by the deadline is given up, said, and the exit code says so.
    setTimeout(() => finish(1, shutdown.unfinished), shutdown.remainingMs());
    abort.abort();
    await serving.stop(shutdown.earlier(DATABASE_STOP_RESERVE_MS));
    const stopDatabase = locating?.then(
      (location) => location.stop(),
      () => {},
    );
    if (stopDatabase) await shutdown.step('stopping the embedded PostgreSQL', stopDatabase);
    finish(exitCode, shutdown.abandoned);
  };
  const fail = (reason: string) => {
    if (stopping) return;
    complain(`Broadsheet ${running ? 'is stopping' : 'could not start'}: ${reason}`);
    void stop(1);
  };
  const serving = config.webConcurrency > 1 ? serveWithWorkers(config.webConcurrency, say, fail) : serveInProcess(config, logger);
  const draining = config.shutdownDrainMs > 0 ? `answering /readyz 503 for ${config.shutdownDrainMs / 1000} s, then ` : '';
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) say(`Received ${signal}: ${draining}finishing in-flight requests and stopping…`);
      void stop(0);
    });
  }

  try {
    // Listening and starting the embedded database go on together; the
    // app's code is read while the database is being migrated (reading it
    // earlier would hold up starting the database, which needs this thread).
    const listening = awaitedLater(serving.start());
    // Generated once into DATA_DIR; not needed when both come from the environment.
    const secrets = config.sessionSecret && config.databaseUrl ? undefined : await loadOrCreateSecrets(config.dataDir);
    locating = awaitedLater(import('./db/open.js').then(({ locateDatabase }) => locateDatabase(config, say)));
    await listening;
    const { prepareDatabase } = await import('./startup.js');
    const { url } = await locating;
    serving.preload();
    await prepareDatabase(url, config, say, abort.signal);
    await serving.ready({ url, cookieSecret: config.sessionSecret ?? secrets!.sessionSecret });
    running = true;
    const workers = config.webConcurrency > 1 ? ` with ${config.webConcurrency} worker processes` : '';
    say(`Broadsheet is running at ${config.baseUrl}/${workers}`);
  } catch (error) {
    if (stopping) return;
    complain(`Broadsheet could not start: ${reasonOf(error)}`);
    await stop(1);
  }
}

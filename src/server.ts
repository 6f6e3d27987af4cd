import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';

/**
 * `node dist/src/server.js`: the primary (src/platform/primary.ts) prepares the
 * database and serves, itself or through WEB_CONCURRENCY cluster workers
 * (src/worker.ts), which run this same file. Each role loads only the
 * modules it needs.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // A promise nobody handled means a bug whose state is unknown: log it and
  // let the supervisor (or the primary) start a clean process.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
  if (cluster.isWorker) {
    const { runWorker } = await import('./platform/worker.js');
    await runWorker(config, logger);
  } else {
    const { runPrimary } = await import('./platform/primary.js');
    await runPrimary(config, logger);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `Broadsheet could not start: ${error instanceof Error ? error.message : String(error)}`}\n`,
  );
  process.exit(1);
});

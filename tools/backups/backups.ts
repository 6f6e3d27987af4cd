import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/platform/config.js';
import { loadOrCreateSecrets } from '../../src/platform/secrets.js';
import { checkArchive, checkTarget, ensureExtensions, readArchive, withoutExtensions } from './backup-archive.js';
import { BackupError, findClientTool, runLongTool } from './client-tools.js';
import { openDatabase } from '../../src/platform/db/open.js';

/**
 * Backups (pg_dump custom format) and restores (pg_restore), of DATABASE_URL
 * or of the embedded database in DATA_DIR. Both scripts and the tests use
 * these; everything they refuse, they refuse before changing anything.
 */

export { BackupError };

type Say = (message: string) => void;

/**
 * Rows not worth restoring: sessions (a restore should not bring back a
 * session that was signed out since) and login throttles, both short-lived.
 * Their tables are kept, empty.
 */
const TRANSIENT_TABLES = ['public.session', 'public.rate_limits'];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `<database>-<UTC time>.dump`, e.g. broadsheet-20261129T101500Z.dump. */
function backupFileName(database: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.dump`;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'broadsheet-backup' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new BackupError(`Could not connect to the database: ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface ServerFacts {
  major: number;
  database: string;
}

async function serverFacts(client: pg.Client): Promise<ServerFacts> {
  const { rows } = await client.query<{ major: number; database: string }>(
    `SELECT current_setting('server_version_num')::int / 10000 AS major, current_database() AS database`,
  );
  return rows[0]!;
}

/**
 * Runs `work` with the database as pg_dump and pg_restore take it: the URL
 * with its password moved into a private passfile, so it never shows on a
 * command line (which every user of the machine can list).
 */
async function withLibpqTarget<T>(url: string, work: (dbname: string, workspace: string) => Promise<T>, settings = ''): Promise<T> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'broadsheet-backup-'));
  try {
    const target = new URL(url);
    if (settings) target.searchParams.set('options', `${target.searchParams.get('options') ?? ''} ${settings}`.trim());
    const password = decodeURIComponent(target.password);
    if (password) {
      const passfile = path.join(workspace, 'passfile');
      await writeFile(passfile, `*:*:*:*:${password.replace(/[\\:]/g, (c) => `\\${c}`)}\n`, { mode: 0o600 });
      target.password = '';
      target.searchParams.set('passfile', passfile);
    }
    // libpq decodes %20 in a URI but not the + that URLSearchParams writes for a space.
    target.search = target.searchParams.toString().replace(/\+/g, '%20');
    return await work(target.toString(), workspace);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

function unusedPath(directory: string, name: string): string {
  for (let n = 1; ; n += 1) {
    const candidate = path.join(directory, n === 1 ? name : name.replace(/\.dump$/, `-${n}.dump`));
    if (!existsSync(candidate) && !existsSync(`${candidate}.partial`)) return candidate;
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  seconds: number;
}

/** Writes a custom-format dump into `directory`; a file with the final name is always complete. */
export async function backupDatabase(url: string, directory: string, say: Say, now = new Date()): Promise<BackupResult> {
  const server = await withClient(url, serverFacts);
  const pgDump = await findClientTool('pg_dump', server.major, `to back up this PostgreSQL ${server.major} server`);
  // Only the backups folder is private: DATA_DIR must stay reachable for the embedded cluster's user.
  await mkdir(path.dirname(directory), { recursive: true });
  await mkdir(directory, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const file = unusedPath(directory, backupFileName(server.database, now));
  const partial = `${file}.partial`;
  // Made here so it is private from the start (it holds password hashes and
  // emails); pg_dump writes into it and keeps its mode.
  await (await open(partial, 'wx', 0o600)).close();
  say(`Backing up the database "${server.database}" (PostgreSQL ${server.major}) with pg_dump ${pgDump.version}…`);
  const startedAt = Date.now();
  try {
    await withLibpqTarget(url, (dbname) =>
      runLongTool(
        pgDump,
        [
          '--format=custom',
          '--verbose',
          '--no-password',
          `--file=${partial}`,
          ...TRANSIENT_TABLES.map((table) => `--exclude-table-data=${table}`),
          `--dbname=${dbname}`,
        ],
        {
          onLine: (line) => {
            const table = /dumping contents of table "([^"]+)"/.exec(line)?.[1];
            if (table) say(`  dumping ${table}`);
          },
          onTick: async (seconds) => say(`  … ${formatBytes((await stat(partial)).size)} written, ${seconds} s`),
        },
      ),
    );
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { file, bytes: (await stat(file)).size, seconds: Math.round((Date.now() - startedAt) / 100) / 10 };
}

export interface RestoreResult {
  seconds: number;
  counts: { articles: number; comments: number; users: number; moderation_log: number };
  /** The backup of what the restore replaced, when there was anything. */
  previous: BackupResult | null;
}

export interface RestoreOptions {
  /** Back up what the restore replaces into this folder first, once every check has passed. */
  backUpPreviousInto?: string;
}

/**
 * Replaces the database's contents with the backup's, in one transaction:
 * if any statement fails, nothing has changed. Then gathers planner
 * statistics, which pg_restore does not carry over and the queue's search
 * needs to choose its index.
 */
export async function restoreDatabase(url: string, file: string, say: Say, options: RestoreOptions = {}): Promise<RestoreResult> {
  const server = await withClient(url, serverFacts);
  let pgRestore = await findClientTool('pg_restore', server.major, `to restore into this PostgreSQL ${server.major} server`);
  let archive = await readArchive(pgRestore, file);
  if (archive.dumpedByMajor > pgRestore.major) {
    pgRestore = await findClientTool('pg_restore', archive.dumpedByMajor, `to read a backup made by pg_dump ${archive.dumpedByMajor}`);
    archive = await readArchive(pgRestore, file);
  }
  checkArchive(file, archive, server.major);
  const replacesBroadsheet = await withClient(url, async (client) => {
    const found = await checkTarget(client, archive);
    await ensureExtensions(client, archive.extensions, server.database);
    return found;
  });
  let previous: BackupResult | null = null;
  if (replacesBroadsheet && options.backUpPreviousInto) {
    say('First, a backup of what the restore replaces, so it can be undone:');
    previous = await backupDatabase(url, options.backUpPreviousInto, say);
    say(`  ${previous.file} (${formatBytes(previous.bytes)})`);
  }

  say(`Restoring ${path.basename(file)} into the database "${server.database}" with pg_restore ${pgRestore.version}, in one transaction…`);
  const startedAt = Date.now();
  // Rebuilding the indexes is most of a restore, and the search index's GIN
  // build takes about half the time with more memory than the default 64 MB.
  await withLibpqTarget(
    url,
    async (dbname, workspace) => {
      const list = path.join(workspace, 'restore.list');
      await writeFile(list, withoutExtensions(archive.listing));
      const args = [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        '--verbose',
        '--no-password',
      ];
      await runLongTool(pgRestore, [...args, `--use-list=${list}`, `--dbname=${dbname}`, file], {
        onLine: (line) => {
          const table = /processing data for table "([^"]+)"/.exec(line)?.[1];
          const index = /creating INDEX "([^"]+)"/.exec(line)?.[1];
          if (table) say(`  loading ${table}`);
          if (index) say(`  building index ${index}`);
        },
        onTick: (seconds) => say(`  … still restoring, ${seconds} s`),
      });
    },
    '-c maintenance_work_mem=256MB',
  );
  say('Gathering planner statistics (ANALYZE)…');
  const counts = await withClient(url, async (client) => {
    await client.query('ANALYZE');
    const { rows } = await client.query<RestoreResult['counts']>(
      `SELECT (SELECT count(*) FROM articles)::int AS articles, (SELECT count(*) FROM comments)::int AS comments,
              (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM moderation_log)::int AS moderation_log`,
    );
    return rows[0]!;
  });
  return { seconds: Math.round((Date.now() - startedAt) / 100) / 10, counts, previous };
}

export interface BackupTarget {
  url: string;
  close(): Promise<void>;
}

/**
 * The embedded cluster's server, when one is running on `directory`: from
 * its postmaster.pid (pid on line 1, port on line 4), if that process is
 * alive and is PostgreSQL (a pid can be reused after a crash).
 */
async function runningEmbeddedServer(directory: string): Promise<{ pid: number; port: number } | null> {
  const lines = (await readFile(path.join(directory, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, run by another user (as root, the cluster runs as postgres).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return commandLine === undefined || commandLine.includes('postgres') ? { pid, port } : null;
}

/**
 * DATABASE_URL, or the embedded database. A running embedded cluster (the
 * app is up) is backed up where it runs; starting it again would stop the
 * app's server first. A restore refuses it: it would replace the tables
 * under a running app. A stopped cluster is started for the job and stopped.
 */
export async function openBackupTarget(config: Config, purpose: 'backup' | 'restore', say: Say): Promise<BackupTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => {} };
  const directory = path.join(config.dataDir, 'db');
  const running = await runningEmbeddedServer(directory);
  if (running && purpose === 'restore') {
    throw new BackupError(
      `The embedded database in ${directory} is in use (server pid ${running.pid}): stop Broadsheet first. A restore replaces every table under it.`,
    );
  }
  if (running) {
    const { embeddedDatabasePassword } = await loadOrCreateSecrets(config.dataDir);
    say(`Using the embedded PostgreSQL the app is running (pid ${running.pid}).`);
    // The address embedded.ts gives the cluster it starts: its database is named broadsheet.
    return {
      url: `postgres://postgres:${encodeURIComponent(embeddedDatabasePassword)}@127.0.0.1:${running.port}/broadsheet`,
      close: async () => {},
    };
  }
  if (purpose === 'backup' && !existsSync(path.join(directory, 'PG_VERSION'))) {
    throw new BackupError(
      `There is no embedded database in ${directory} to back up. Set DATA_DIR to the app's data folder, or DATABASE_URL.`,
    );
  }
  const database = await openDatabase(config, say);
  return { url: database.url, close: () => database.close() };
}

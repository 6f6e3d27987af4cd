import type pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { BackupError, readToolOutput, type ClientTool } from './client-tools.js';

/** What a backup file holds, read without restoring it, and whether it may be restored into a database. */

export interface Archive {
  listing: string;
  tables: Set<string>;
  extensions: string[];
  migrations: string[];
  dumpedFromMajor: number;
  dumpedByMajor: number;
}

const majorIn = (listing: string, label: string) => Number(new RegExp(`${label}:\\s*(\\d+)`).exec(listing)?.[1] ?? 0);
const entriesOf = (listing: string, kind: string) =>
  [...listing.matchAll(new RegExp(`^\\d+; \\d+ \\d+ ${kind} (\\S+) (\\S+)`, 'gm'))].map((match) => [match[1]!, match[2]!] as const);

/** What a backup holds, read with pg_restore without restoring anything. */
export async function readArchive(pgRestore: ClientTool, file: string): Promise<Archive> {
  const listing = await readToolOutput(pgRestore, ['--list', file]).catch((error: Error) => {
    throw new BackupError(
      `${file} is not a backup pg_restore ${pgRestore.version} can read (${error.message}). ` +
        'A backup made by a newer pg_dump needs a pg_restore at least that new.',
    );
  });
  const data = await readToolOutput(pgRestore, ['--data-only', '--table=knex_migrations', '--file=-', file]);
  const copied = /^COPY public\.knex_migrations .*\n([\s\S]*?)^\\\.$/m.exec(data)?.[1] ?? '';
  return {
    listing,
    tables: new Set(
      entriesOf(listing, 'TABLE')
        .filter(([schema]) => schema === 'public')
        .map(([, name]) => name),
    ),
    extensions: entriesOf(listing, 'EXTENSION').map(([, name]) => name),
    migrations: copied
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t')[1]!),
    dumpedFromMajor: majorIn(listing, 'Dumped from database version'),
    dumpedByMajor: majorIn(listing, 'Dumped by pg_dump version'),
  };
}

const EMPTY_TARGET_ADVICE =
  'Restore it into an empty database instead (a new DATABASE_URL, or DATA_DIR set to an empty folder), then run npm run migrate.';

/** Refusals that need nothing but the backup and this version of the code. */
export function checkArchive(file: string, archive: Archive, serverMajor: number): void {
  if (!archive.tables.has('comments') || !archive.tables.has('knex_migrations')) {
    throw new BackupError(`${file} is not a Broadsheet backup: it holds no comments or knex_migrations table.`);
  }
  if (archive.dumpedFromMajor > serverMajor) {
    throw new BackupError(
      `${file} was made from PostgreSQL ${archive.dumpedFromMajor}, and this server runs PostgreSQL ${serverMajor}: ` +
        `restore it into PostgreSQL ${archive.dumpedFromMajor} or newer.`,
    );
  }
  const known = new Set(migrations.map(([name]) => name));
  const unknown = archive.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new BackupError(
      `${file} was made by a newer Broadsheet (its schema has ${unknown.join(', ')}). Upgrade Broadsheet first, then restore it.`,
    );
  }
}

/** Refusals that depend on the database the backup would replace; true when it holds Broadsheet's tables. */
export async function checkTarget(client: pg.Client, archive: Archive): Promise<boolean> {
  const { rows: apps } = await client.query<{ sessions: number }>(
    `SELECT count(*)::int AS sessions FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND application_name LIKE 'broadsheet%' AND application_name <> 'broadsheet-backup'`,
  );
  if (apps[0]!.sessions > 0) {
    throw new BackupError(
      `Broadsheet is connected to this database (${apps[0]!.sessions} session(s)): stop every instance of the app first. ` +
        'A restore replaces every table under it.',
    );
  }
  const { rows: tables } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
  if (!tables.some((table) => table.name === 'knex_migrations')) {
    const clashing = tables.map((table) => table.name).filter((name) => archive.tables.has(name));
    if (clashing.length > 0) {
      throw new BackupError(
        `This database is not Broadsheet's, yet has tables the restore would replace (${clashing.join(', ')}). ${EMPTY_TARGET_ADVICE}`,
      );
    }
    return false;
  }
  const { rows: applied } = await client.query<{ name: string }>('SELECT name FROM knex_migrations');
  const inBackup = new Set(archive.migrations);
  const newer = applied.map((row) => row.name).filter((name) => !inBackup.has(name));
  if (newer.length > 0) {
    throw new BackupError(
      `This database has migrations the backup predates (${newer.join(', ')}): restoring over it would leave parts of the newer schema behind. ${EMPTY_TARGET_ADVICE}`,
    );
  }
  return true;
}

/**
 * Extensions are made here, not by pg_restore: its --clean would drop and
 * remake them, which only their owner may do (on a managed server, rarely
 * the app's role), and one refused statement undoes the whole restore.
 */
export async function ensureExtensions(client: pg.Client, extensions: string[], database: string): Promise<void> {
  for (const name of extensions) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new BackupError(`The backup needs an extension with an unexpected name: ${name}`);
    try {
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${name} WITH SCHEMA public`);
    } catch (error) {
      throw new BackupError(
        `The backup needs the PostgreSQL extension ${name}, which could not be created (${(error as Error).message}). ` +
          `Ask the server's administrator to run "CREATE EXTENSION ${name};" in the database "${database}", then restore again.`,
      );
    }
  }
}

/** The backup's table of contents for pg_restore --use-list, its extensions left out (see ensureExtensions). */
export const withoutExtensions = (listing: string) => listing.replace(/^(\d+; \d+ \d+ (EXTENSION|COMMENT - EXTENSION) )/gm, ';$1');

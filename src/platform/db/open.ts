import path from 'node:path';
import type { Config } from '../config.js';
import { loadOrCreateSecrets } from '../secrets.js';
import type { Database } from './connection.js';
import { startEmbeddedDatabase } from './embedded.js';

export interface DatabaseLocation {
  url: string;
  embedded: boolean;
  /** Stops the embedded cluster if there is one. */
  stop(): Promise<void>;
}

export interface OpenDatabase {
  db: Database;
  url: string;
  embedded: boolean;
  /** Closes the pool, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

/** DATABASE_URL when set, else the embedded PostgreSQL kept in DATA_DIR/db, started now. */
export async function locateDatabase(config: Config, log: (message: string) => void): Promise<DatabaseLocation> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const secrets = await loadOrCreateSecrets(config.dataDir);
  log(`Starting the embedded PostgreSQL in ${path.join(config.dataDir, 'db')}…`);
  const cluster = await startEmbeddedDatabase({
    directory: path.join(config.dataDir, 'db'),
    password: secrets.embeddedDatabasePassword,
    onProgress: log,
  });
  return { url: cluster.url, embedded: true, stop: () => cluster.stop() };
}

/** A pool over DATABASE_URL or the embedded PostgreSQL (for the command-line scripts). */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<OpenDatabase> {
  const location = await locateDatabase(config, log);
  // Imported here: the server only locates the database, and knex takes a while to load.
  const { connectDatabase } = await import('./connection.js');
  const db = connectDatabase(location.url);
  return {
    db,
    url: location.url,
    embedded: location.embedded,
    close: async () => {
      await db.destroy();
      await location.stop();
    },
  };
}

import path from 'node:path';
import type { Config } from '../config.js';
import { loadOrCreateSecrets } from '../secrets.js';
import { connectDatabase, type Database } from './connection.js';
import { startEmbeddedDatabase } from './embedded.js';

export interface OpenDatabase {
  db: Database;
  url: string;
  embedded: boolean;
  /** Closes the pool, then stops the embedded cluster if there is one. */
  close(): Promise<void>;
}

/** DATABASE_URL when set, else the embedded PostgreSQL kept in DATA_DIR/db. */
export async function openDatabase(config: Config, log: (message: string) => void): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const db = connectDatabase(config.databaseUrl);
    return { db, url: config.databaseUrl, embedded: false, close: () => db.destroy() };
  }
  const secrets = await loadOrCreateSecrets(config.dataDir);
  log(`Starting the embedded PostgreSQL in ${path.join(config.dataDir, 'db')}…`);
  const cluster = await startEmbeddedDatabase({
    directory: path.join(config.dataDir, 'db'),
    password: secrets.embeddedDatabasePassword,
    onProgress: log,
  });
  const db = connectDatabase(cluster.url);
  return {
    db,
    url: cluster.url,
    embedded: true,
    close: async () => {
      await db.destroy();
      await cluster.stop();
    },
  };
}

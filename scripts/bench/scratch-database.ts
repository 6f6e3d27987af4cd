import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sweepDatabases } from './leftovers.js';
import type { Say } from './scale-kit.js';

/**
 * A new, empty database on the server of `serverUrl`, named
 * `<prefix><pid>_<random>` so that a later run drops it should this one be
 * killed before it can. The bench's (or the operator's) own database is never
 * written to. `drop` is safe to call more than once.
 */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
  say: Say,
): Promise<{ url: string; drop: () => Promise<void> }> {
  await sweepDatabases(serverUrl, prefix, say);
  const name = `${prefix}${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  say(`  scratch database ${name} created.`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  return { url: url.href, drop };
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

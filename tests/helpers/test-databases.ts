import pg from 'pg';

/**
 * The databases of one `npm test` run on the server of DATABASE_URL: named
 * after its database `name`, a template `name_template` migrated and seeded
 * once, and a clone `name_<pid>` for each test file's process. A run owns
 * these names, so two runs must not share a DATABASE_URL at once.
 */

/** `url` with another database name. */
export function urlWithDatabase(url: string, database: string): string {
  const changed = new URL(url);
  changed.pathname = `/${encodeURIComponent(database)}`;
  return changed.toString();
}

function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

export const templateNameFor = (url: string) => `${databaseNameOf(url)}_template`;

/** Runs `work` over a connection to the run's own database, the place to create and drop the others from. */
async function withServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops the run's template and every clone, including those of an earlier run that was killed. */
export async function dropTestDatabases(url: string): Promise<void> {
  const base = databaseNameOf(url);
  const ours = (name: string) => name === `${base}_template` || /^\d+$/.test(name.slice(base.length + 1));
  const names = await withServer(url, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      `${base}_`,
    ]);
    return rows.map((row) => row.datname).filter(ours);
  });
  // A few connections at once: each drop may wait for the server's checkpoint.
  const queue = [...names];
  const dropNext = async (client: pg.Client): Promise<void> => {
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, names.length) }, () => withServer(url, dropNext)));
}

/** Creates the run's template: migrated and given the demo article, as a test file expects its database. */
export async function createTemplate(url: string): Promise<string> {
  // Imported here, not above: every test file's process loads this module to
  // clone the template, and knex with the migrations would double its start-up.
  const [{ connectDatabase }, { migrateToLatest }, { seedDemoArticle }] = await Promise.all([
    import('../../src/platform/db/connection.js'),
    import('../../src/platform/db/migrate.js'),
    import('../../src/platform/db/seed-demo.js'),
  ]);
  const template = templateNameFor(url);
  await withServer(url, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`));
  const db = connectDatabase(urlWithDatabase(url, template), 2);
  try {
    await migrateToLatest(db);
    await seedDemoArticle(db);
  } finally {
    // Nobody may stay connected to a template while it is cloned.
    await db.destroy();
  }
  return template;
}

/** Clones the template for this process; returns the clone's URL. */
export async function cloneTemplate(url: string, template: string): Promise<string> {
  const clone = `${databaseNameOf(url)}_${process.pid}`;
  await withServer(url, async (client) => {
    // A process id can come round again within a run; the earlier holder of this one has ended.
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(clone)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(clone)} TEMPLATE ${client.escapeIdentifier(template)}`);
  });
  return urlWithDatabase(url, clone);
}

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { TcpProxy } from '../../tests/helpers/tcp-proxy.js';
import type { SupervisedApp } from './app.js';
import type { FaultDatabase } from './postgres.js';
import type { Outage } from './tally.js';
import type { StopMeasure } from './report.js';

type Say = (message: string) => void;

/** The role the app connects as: a role's CONNECTION LIMIT does not bind a superuser. */
export const APP_ROLE = 'broadsheet_app';

export interface FaultContext {
  database: FaultDatabase;
  proxy: TcpProxy;
  app: SupervisedApp;
  say: Say;
  /** Filled by the shape that stops the app. */
  stop?: StopMeasure;
}

/**
 * One way the database goes wrong: `begin` causes it (the outage starts
 * just before), `end` takes it away and resolves once the app could reach
 * the database again.
 */
export interface Shape {
  name: string;
  /** What it does, for the table. */
  what: string;
  begin(context: FaultContext): Promise<unknown>;
  end(context: FaultContext, outage: Outage): Promise<unknown>;
}

/** Runs `work` as the cluster's superuser on the `postgres` database (beside the app's, so it may alter it). */
async function asSuperuser<T>(database: FaultDatabase, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const beside = new URL(database.url);
  beside.pathname = '/postgres';
  const client = new pg.Client({ connectionString: beside.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const appDatabaseOf = (database: FaultDatabase) => decodeURIComponent(new URL(database.url).pathname.slice(1));

/** Creates the app's role with the rights the app needs on the migrated database; returns the app's URL. */
export async function createAppRole(database: FaultDatabase): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${client.escapeIdentifier(appDatabaseOf(database))} TO ${APP_ROLE}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
  } finally {
    await client.end();
  }
  const url = new URL(database.url);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

/** Ends the app's connections, so that it must make new ones (which the fault then refuses). */
const endAppConnections = (client: pg.Client) =>
  client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [APP_ROLE]);

let lockHolder: pg.Client | undefined;

export const SHAPES: readonly Shape[] = [
  {
    name: 'kill',
    what: 'PostgreSQL killed (SIGKILL), started again',
    async begin({ database, say }) {
      const victims = await database.kill();
      say(`killed PostgreSQL with SIGKILL: postmaster ${victims[0]} and ${victims.length - 1} children`);
    },
    async end({ database }, outage) {
      outage.restartedAt = Date.now();
      await database.start();
    },
  },
  {
    name: 'black hole',
    what: 'the database host silent (every packet held) through a TCP proxy',
    begin: ({ proxy }) => Promise.resolve(proxy.silence()),
    end: ({ proxy }) => Promise.resolve(proxy.resume()),
  },
  {
    name: 'connection limit',
    what: "the app's role at its CONNECTION LIMIT (53300), its connections ended",
    begin: ({ database }) =>
      asSuperuser(database, async (client) => {
        await client.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT 0`);
        await endAppConnections(client);
      }),
    end: ({ database }) => asSuperuser(database, (client) => client.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT -1`)),
  },
  {
    name: 'no connections',
    what: 'ALTER DATABASE … ALLOW_CONNECTIONS false (55000), its connections ended',
    begin: ({ database }) =>
      asSuperuser(database, async (client) => {
        await client.query(`ALTER DATABASE ${client.escapeIdentifier(appDatabaseOf(database))} ALLOW_CONNECTIONS false`);
        await endAppConnections(client);
      }),
    end: ({ database }) =>
      asSuperuser(database, (client) =>
        client.query(`ALTER DATABASE ${client.escapeIdentifier(appDatabaseOf(database))} ALLOW_CONNECTIONS true`),
      ),
  },
  {
    name: 'table lock',
    what: 'comments held ACCESS EXCLUSIVE (55P03 after lock_timeout)',
    async begin({ database }) {
      lockHolder = new pg.Client({ connectionString: database.url });
      await lockHolder.connect();
      await lockHolder.query('BEGIN');
      await lockHolder.query('LOCK TABLE comments IN ACCESS EXCLUSIVE MODE');
    },
    async end() {
      await lockHolder?.query('ROLLBACK');
      await lockHolder?.end();
      lockHolder = undefined;
    },
  },
  {
    name: 'SIGTERM, silent',
    what: 'the host silent, then SIGTERM to the app; it is started again when the host answers',
    async begin(context) {
      context.proxy.silence();
      await sleep(1000);
      const signalAt = Date.now();
      const ended = await context.app.stop();
      context.stop = {
        seconds: (Date.now() - signalAt) / 1000,
        exit: ended.signal ? `signal ${ended.signal}` : `exit code ${ended.code}`,
      };
      context.say(`SIGTERM: the app ended with ${context.stop.exit} after ${context.stop.seconds.toFixed(1)} s`);
    },
    async end(context) {
      context.proxy.resume();
      await context.app.restart();
    },
  },
];

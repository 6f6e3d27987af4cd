import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../src/platform/db/connection.js';
import { SupervisedApp } from './faults/app.js';
import { runCommenter, type Commenting } from './faults/commenter.js';
import { FaultDatabase } from './faults/postgres.js';
import { countStoredRows, formatVerdicts, judge } from './faults/report.js';
import { Tally, type Outage } from './faults/tally.js';
import { cleanUpOnExit } from './lib/clean-up.js';

/**
 * npm run test:faults — many commenters post to the real app while its
 * PostgreSQL is killed with SIGKILL and, a while later, started again.
 * Afterwards every 303 the commenters were given is checked against the
 * rows stored: nothing lost, nothing doubled, no error but 503 while the
 * database was away, quick recovery, and the app never fell over.
 */

const ARTICLE_PATH = '/articles/xi-ducks-putins-push-for-expanded-military-ties';
const PROGRESS_EVERY_MS = 5000;
/** Set-up, the commenters' last resends and clean-up take a minute or two; never hang a CI run. */
const OVERTIME_MS = 5 * 60_000;

const { values: options } = parseArgs({
  options: {
    commenters: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    down: { type: 'string', default: '10' },
    'kill-at': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  process.stdout.write(
    'Usage: npm run test:faults -- [--commenters N=200] [--seconds S=60] [--down S=10] [--kill-at S=seconds/3]\n' +
      'Starts its own PostgreSQL in a temporary folder and the app beside it; DATABASE_URL is not used.\n' +
      'Commenters post for --seconds; PostgreSQL is killed (SIGKILL) --kill-at seconds in and started again --down seconds later.\n',
  );
  process.exit(0);
}
const whole = (name: string, text: string, minimum: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    process.stderr.write(`--${name} must be a whole number of at least ${minimum}\n`);
    process.exit(2);
  }
  return value;
};
const commenters = whole('commenters', options.commenters, 1);
const seconds = whole('seconds', options.seconds, 1);
const down = whole('down', options.down, 1);
const killAt = whole('kill-at', options['kill-at'] ?? String(Math.round(seconds / 3)), 1);
if (killAt + down >= seconds) {
  process.stderr.write(`--kill-at (${killAt}) plus --down (${down}) must leave time before --seconds (${seconds}) to see the recovery\n`);
  process.exit(2);
}

const say = (message: string) => process.stdout.write(`[faults] ${message}\n`);

const cleaning = cleanUpOnExit(say);
const cleanUpSteps = cleaning.steps;
const cleanUp = cleaning.run;

setTimeout(
  () => {
    say(`still running ${Math.round((seconds * 1000 + OVERTIME_MS) / 60_000)} min after the start: giving up`);
    void cleanUp().finally(() => process.exit(2));
  },
  seconds * 1000 + OVERTIME_MS,
).unref();

/** Kills PostgreSQL `killAt` seconds after `startedAt`, keeps it down, starts it again. */
async function injectFault(database: FaultDatabase, startedAt: number, outage: Outage): Promise<void> {
  await sleep(startedAt + killAt * 1000 - Date.now());
  outage.killedAt = Date.now();
  const victims = await database.kill();
  say(`killed PostgreSQL with SIGKILL: postmaster ${victims[0]} and ${victims.length - 1} children; down for ${down} s`);
  await sleep(outage.killedAt + down * 1000 - Date.now());
  outage.restartedAt = Date.now();
  say(`starting PostgreSQL again on the same folder and port ${database.port}…`);
  await database.start();
  outage.readyAt = Date.now();
  say(`PostgreSQL answers again, ${((outage.readyAt - outage.restartedAt) / 1000).toFixed(1)} s after the restart`);
}

function reportProgress(run: Commenting, startedAt: number, outage: Outage, app: SupervisedApp) {
  const { tally } = run;
  const databaseDown = outage.killedAt !== undefined && outage.readyAt === undefined;
  say(
    `${String(Math.round((Date.now() - startedAt) / 1000)).padStart(3)} s  database ${databaseDown ? 'DOWN' : 'up  '}  ` +
      `accepted ${tally.accepted.size}  503s ${tally.answers503}  posting ${tally.inFlight}  ` +
      `errors ${tally.errors(outage).count}  app pid ${app.pid ?? '-'}${app.restarts ? ` (restarts ${app.restarts})` : ''}`,
  );
}

async function main(): Promise<number> {
  say(`${commenters} commenters for ${seconds} s; PostgreSQL killed at ${killAt} s and down for ${down} s.`);
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-faults-'));
  // mkdtemp makes the folder private; as root the cluster runs as `postgres`, which must enter it.
  await chmod(folder, 0o755);
  cleanUpSteps.push(() => rm(folder, { recursive: true, force: true }));

  say(`Preparing a PostgreSQL cluster in ${folder}…`);
  const database = await FaultDatabase.prepare(path.join(folder, 'db'), say);
  cleanUpSteps.push(() => database.stop());
  await database.start();
  say(`PostgreSQL runs on port ${database.port}. Starting the app (NODE_ENV=production) in a child process…`);
  const app = await SupervisedApp.start(database.url, folder, say);
  cleanUpSteps.push(() => app.stop());
  await app.ready();
  say(`  ready at ${app.base} (pid ${app.pid})`);

  const tally = new Tally();
  const outage: Outage = {};
  const startedAt = Date.now();
  let submissions = 0;
  const run: Commenting = {
    base: app.base,
    articlePath: ARTICLE_PATH,
    marker: `fault-run ${randomBytes(6).toString('hex')}`,
    endAt: startedAt + seconds * 1000,
    tally,
    nextSubmission: () => ++submissions,
  };
  const progress = setInterval(() => reportProgress(run, startedAt, outage, app), PROGRESS_EVERY_MS);
  // Awaited together, so that a failure to kill or restart PostgreSQL ends the run at once.
  await Promise.all([
    injectFault(database, startedAt, outage),
    ...Array.from({ length: commenters }, (_, index) => runCommenter(run, index + 1)),
  ]);
  clearInterval(progress);
  reportProgress(run, startedAt, outage, app);

  const appPid = app.pid;
  const ended = await app.stop();
  say(`stopped the app with SIGTERM: ${ended.signal ? `signal ${ended.signal}` : `exit code ${ended.code}`}`);
  const db = connectDatabase(database.url);
  const stored = await countStoredRows(db, run.marker).finally(() => db.destroy());
  const { verdicts, notes } = judge(tally, stored, outage, app.restarts);

  process.stdout.write(`\n${new Date().toISOString()}, Node ${process.version}, app pid ${appPid}\n`);
  process.stdout.write(
    `${commenters} commenters for ${seconds} s; PostgreSQL killed (SIGKILL) at ${killAt} s, restarted ${down} s later.\n\n`,
  );
  process.stdout.write(`${formatVerdicts(verdicts)}\n\n`);
  for (const note of notes) process.stdout.write(`${note}\n`);
  for (const [error, count] of app.errors) process.stdout.write(`the app logged ${count} × ${error}\n`);
  const pass = verdicts.every((verdict) => verdict.pass);
  process.stdout.write(`\n${pass ? 'PASS' : 'FAIL'}\n`);
  return pass ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`[faults] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  say('Cleaning up…');
  await cleanUp();
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connectDatabase } from '../src/platform/db/connection.js';
import { TcpProxy } from '../tests/helpers/tcp-proxy.js';
import { SupervisedApp } from './faults/app.js';
import { runCommenter, type Commenting } from './faults/commenter.js';
import { FaultDatabase } from './faults/postgres.js';
import { countStoredRows, formatSummary, formatVerdicts, judge, type Summary } from './faults/report.js';
import { createAppRole, SHAPES, type FaultContext, type Shape } from './faults/shapes.js';
import { Tally, type Outage } from './faults/tally.js';
import { cleanUpOnExit } from './lib/clean-up.js';

/**
 * npm run test:faults — many commenters post to the real app while its
 * database goes wrong in each of the ways in faults/shapes.ts: killed, a
 * silent host, out of connections, taking no connections, a table held
 * locked, and SIGTERM to the app while the host is silent. After each,
 * every 303 the commenters were given is checked against the rows stored:
 * nothing lost, doubled or stored unacknowledged, no error but 503 (each
 * 503 to a post carrying the typed text), and the times to the first 503
 * and to recovery, which fail only past a generous ceiling.
 */

const ARTICLE_PATH = '/articles/xi-ducks-putins-push-for-expanded-military-ties';
const PROGRESS_EVERY_MS = 5000;
/** Set-up, each shape's last resends and clean-up take a few minutes; never hang a CI run. */
const OVERTIME_MS = 5 * 60_000;

const { values: options } = parseArgs({
  options: {
    shape: { type: 'string', default: 'all' },
    commenters: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '40' },
    down: { type: 'string', default: '8' },
    'fault-at': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const shapeNames = SHAPES.map((shape) => shape.name);
if (options.help) {
  process.stdout.write(
    'Usage: npm run test:faults -- [--shape all|NAME] [--commenters N=200] [--seconds S=40] [--down S=8] [--fault-at S=seconds/3]\n' +
      `Shapes: ${shapeNames.map((name) => `"${name}"`).join(', ')}.\n` +
      'Starts its own PostgreSQL in a temporary folder, a TCP proxy and the app behind it; DATABASE_URL is not used.\n' +
      'For each shape, commenters post for --seconds; the fault starts --fault-at seconds in and lasts --down seconds.\n',
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
const faultAt = whole('fault-at', options['fault-at'] ?? String(Math.round(seconds / 3)), 1);
if (faultAt + down >= seconds) {
  process.stderr.write(`--fault-at (${faultAt}) plus --down (${down}) must leave time before --seconds (${seconds}) to see the recovery\n`);
  process.exit(2);
}
const chosen = options.shape === 'all' ? SHAPES : SHAPES.filter((shape) => shape.name === options.shape);
if (chosen.length === 0) {
  process.stderr.write(`--shape must be "all" or one of ${shapeNames.map((name) => `"${name}"`).join(', ')}\n`);
  process.exit(2);
}

const say = (message: string) => process.stdout.write(`[faults] ${message}\n`);
const cleaning = cleanUpOnExit(say);

setTimeout(
  () => {
    say('still running long after the last shape should have ended: giving up');
    void cleaning.run().finally(() => process.exit(2));
  },
  chosen.length * (seconds * 1000 + 60_000) + OVERTIME_MS,
).unref();

/** Causes the fault `faultAt` seconds after `startedAt`, and takes it away `down` seconds later. */
async function injectFault(shape: Shape, context: FaultContext, startedAt: number, outage: Outage): Promise<void> {
  await sleep(startedAt + faultAt * 1000 - Date.now());
  outage.startedAt = Date.now();
  await shape.begin(context);
  say(`${shape.name}: fault on for ${down} s`);
  await sleep(outage.startedAt + down * 1000 - Date.now());
  await shape.end(context, outage);
  outage.clearedAt = Date.now();
  say(`${shape.name}: fault cleared, the database can be reached again`);
}

function reportProgress(run: Commenting, startedAt: number, outage: Outage, app: SupervisedApp) {
  const { tally } = run;
  const faulty = outage.startedAt !== undefined && outage.clearedAt === undefined;
  say(
    `${String(Math.round((Date.now() - startedAt) / 1000)).padStart(3)} s  ${faulty ? 'FAULT' : 'ok   '}  ` +
      `accepted ${tally.accepted.size}  503s ${tally.answers503}  posting ${tally.inFlight}  ` +
      `errors ${tally.errors(outage).count}  app pid ${app.pid ?? '-'}`,
  );
}

/** One shape: a fresh app, commenters for `seconds` with the fault in the middle, then the reconciliation. */
async function runShape(shape: Shape, database: FaultDatabase, proxy: TcpProxy, appUrl: string, folder: string): Promise<Summary> {
  say(`— ${shape.name}: ${shape.what}`);
  const app = await SupervisedApp.start(proxy.urlFor(appUrl), folder, say);
  await app.ready();
  const tally = new Tally();
  const outage: Outage = {};
  const context: FaultContext = { database, proxy, app, say };
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
  // Awaited together, so that a failure to cause or clear the fault ends the run at once.
  await Promise.all([
    injectFault(shape, context, startedAt, outage),
    ...Array.from({ length: commenters }, (_, index) => runCommenter(run, index + 1)),
  ]);
  clearInterval(progress);
  await app.stop();
  const db = connectDatabase(database.url);
  const stored = await countStoredRows(db, run.marker).finally(() => db.destroy());
  const { verdicts, notes, summary } = judge(shape.name, tally, stored, outage, app.restarts, context.stop);
  process.stdout.write(`\n${shape.name}: ${shape.what}\n\n${formatVerdicts(verdicts)}\n\n`);
  for (const note of notes) process.stdout.write(`${note}\n`);
  for (const [error, count] of app.errors) process.stdout.write(`the app logged ${count} × ${error}\n`);
  process.stdout.write('\n');
  return summary;
}

async function main(): Promise<number> {
  say(
    `${commenters} commenters for ${seconds} s per shape; the fault ${faultAt} s in, for ${down} s. Shapes: ${chosen.map((shape) => shape.name).join(', ')}.`,
  );
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-faults-'));
  // mkdtemp makes the folder private; as root the cluster runs as `postgres`, which must enter it.
  await chmod(folder, 0o755);
  cleaning.steps.push(() => rm(folder, { recursive: true, force: true }));

  say(`Preparing a PostgreSQL cluster in ${folder}…`);
  const database = await FaultDatabase.prepare(path.join(folder, 'db'), say);
  cleaning.steps.push(() => database.stop());
  await database.start();
  const appUrl = await createAppRole(database);
  const proxy = await TcpProxy.start(database.url);
  cleaning.steps.push(() => proxy.close());
  say(
    `PostgreSQL on port ${database.port}, the app's TCP proxy on ${proxy.port}; the app runs NODE_ENV=production as a non-superuser role.`,
  );

  const summaries: Summary[] = [];
  for (const shape of chosen) summaries.push(await runShape(shape, database, proxy, appUrl, folder));

  process.stdout.write(
    `${new Date().toISOString()}, Node ${process.version}: ${commenters} commenters, the fault ${faultAt} s in for ${down} s\n\n`,
  );
  process.stdout.write(`${formatSummary(summaries)}\n`);
  const pass = summaries.every((summary) => summary.pass);
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
  await cleaning.run();
}

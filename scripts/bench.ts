import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/paths.js';
import type { CeilingPorts } from './bench/ceiling.js';
import { DEMO_SLUG, prepareDatabase } from './bench/database.js';
import type { LoadFigures, LoadJob } from './bench/load.js';
import { freePort, nextMessage, startTypeScript, stopAllChildren, stopChild, waitForOk } from './bench/processes.js';
import { formatTable, problemsOf, type Measured } from './bench/report.js';

/**
 * npm run bench — the article page with 100 approved comments, and the home
 * page, under load from autocannon, each beside two ceilings that send the
 * very same bytes: a bare node:http server and a bare Express 5 app.
 * The app, the ceiling servers and the load generator are three processes.
 */

const TARGET_SHARE_OF_EXPRESS = 0.1;
const COMMENTS = 100;

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  process.stdout.write(
    'Usage: npm run bench -- [--duration SECONDS=10] [--warmup SECONDS=3] [--connections N=50] [--profile DIR]\n' +
      'Uses DATABASE_URL when set, else an embedded PostgreSQL in a temporary folder.\n' +
      '--profile DIR writes a CPU profile of the app (.cpuprofile, for Chrome DevTools) into DIR when it stops.\n',
  );
  process.exit(0);
}
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1`);
  return value;
};
const duration = positive('duration', options.duration);
const warmup = positive('warmup', options.warmup);
const connections = positive('connections', options.connections);

const say = (message: string) => process.stdout.write(`[bench] ${message}\n`);

const cleanUpSteps: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
/** Undoes every step taken, last first; safe to call more than once. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanUpSteps.reverse()) {
      await step().catch((error: unknown) => say(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
    }
    await stopAllChildren();
  })();
  return cleaning;
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    // tsx passes the terminal's Ctrl-C on as well, so the same signal can come twice.
    if (!cleaning) say(`${signal}: stopping and cleaning up…`);
    void cleanUp().finally(() => process.exit(code));
  });
}

/** Starts the real app (production mode) in its own process; resolves with its base URL. */
async function startApp(databaseUrl: string, folder: string): Promise<string> {
  const port = await freePort();
  const app = startTypeScript(path.join(projectRoot, 'src/server.ts'), [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      DATABASE_URL: databaseUrl,
      DATA_DIR: path.join(folder, 'app-data'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    quiet: true,
    nodeOptions: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile)}`] : [],
  });
  createInterface({ input: app.stdout! }).on('line', (line) => say(`  app: ${line}`));
  cleanUpSteps.push(async () => void (await stopChild(app)));
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/readyz`, app, 60_000);
  return base;
}

async function fetchPage(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function main(): Promise<number> {
  say(`Node ${process.version}, ${cpus().length} cores; ${connections} connections, ${warmup} s warm-up, ${duration} s per target.`);
  const [loadBefore = 0] = loadavg();
  if (loadBefore > 0.5) say(`warning: load average ${loadBefore.toFixed(2)} before starting: other work shares the CPU, figures will be noisy.`);
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-bench-'));
  // mkdtemp makes the folder private; as root the embedded cluster runs as `postgres`, which must enter it.
  await chmod(folder, 0o755);
  cleanUpSteps.push(() => rm(folder, { recursive: true, force: true }));

  const database = await prepareDatabase(folder, COMMENTS, say, (step) => cleanUpSteps.push(step));
  say('Starting the app (NODE_ENV=production) in a child process…');
  const base = await startApp(database.url, folder);
  say(`  ready at ${base}`);

  const articleUrl = `${base}/articles/${DEMO_SLUG}`;
  const article = await fetchPage(articleUrl);
  const home = await fetchPage(`${base}/`);
  const shownComments = article.toString('utf8').match(/<li id="comment-\d+"/g)?.length ?? 0;
  say(`Article page: ${article.length} bytes, ${shownComments} comments shown; home page: ${home.length} bytes.`);
  if (shownComments < COMMENTS) throw new Error(`expected ${COMMENTS} comments on the article page, found ${shownComments}`);
  await mkdir(path.join(folder, 'pages'));
  const articleFile = path.join(folder, 'pages', 'article.html');
  const homeFile = path.join(folder, 'pages', 'home.html');
  await Promise.all([writeFile(articleFile, article), writeFile(homeFile, home)]);

  say('Starting the ceiling servers (node:http and bare Express, same bytes) in a child process…');
  const ceiling = startTypeScript(path.join(projectRoot, 'scripts/bench/ceiling.ts'), [`article=${articleFile}`, `home=${homeFile}`], { ipc: true });
  cleanUpSteps.push(async () => void (await stopChild(ceiling)));
  const ports = await nextMessage<CeilingPorts>(ceiling, 'ports');

  say('Starting the load generator (autocannon) in a child process…');
  const load = startTypeScript(path.join(projectRoot, 'scripts/bench/load.ts'), [], { ipc: true });
  cleanUpSteps.push(async () => void (await stopChild(load)));
  await nextMessage<boolean>(load, 'ready');
  const measure = async (label: string, url: string): Promise<LoadFigures> => {
    const job = (seconds: number): LoadJob => ({ url, connections, seconds });
    say(`${label}: warming up ${warmup} s, then measuring ${duration} s…`);
    // Let the previous target finish what it had queued before this one starts.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    load.send(job(warmup));
    await nextMessage<LoadFigures>(load, 'figures');
    load.send(job(duration));
    const figures = await nextMessage<LoadFigures>(load, 'figures', (duration + 60) * 1000);
    say(`  ${Math.round(figures.requestsPerSecond)} req/s, p99 ${figures.latencyP99} ms`);
    return figures;
  };

  const rows: Measured[] = [];
  const pages = [
    { label: `article page (${COMMENTS} comments)`, url: articleUrl, name: 'article' },
    { label: 'home page', url: `${base}/`, name: 'home' },
  ] as const;
  for (const page of pages) {
    const own = ports[page.name]!;
    const figures = await measure(page.label, page.url);
    const http = await measure(`  ceiling: node:http, same bytes`, `http://127.0.0.1:${own.http}/`);
    const express = await measure(`  ceiling: Express 5, same bytes`, `http://127.0.0.1:${own.express}/`);
    rows.push(
      { label: page.label, figures, ceilings: { http, express } },
      { label: '  ceiling: node:http, same bytes', figures: http },
      { label: '  ceiling: Express 5, same bytes', figures: express, httpCeiling: http },
    );
  }

  const articleRow = rows[0]!;
  const share = articleRow.figures.requestsPerSecond / articleRow.ceilings!.express.requestsPerSecond;
  process.stdout.write(`\n${new Date().toISOString()}, ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
  process.stdout.write(`${connections} connections, ${duration} s per target after ${warmup} s warm-up; load average before ${loadBefore.toFixed(2)}.\n\n`);
  process.stdout.write(`${formatTable(rows)}\n\n`);
  for (const problem of problemsOf(rows)) process.stdout.write(`warning: ${problem}\n`);
  const pass = share >= TARGET_SHARE_OF_EXPRESS;
  process.stdout.write(
    `${pass ? 'PASS' : 'FAIL'}: article page at ${(share * 100).toFixed(1)} % of the bare-Express ceiling ` +
      `(target ≥ ${TARGET_SHARE_OF_EXPRESS * 100} %)\n`,
  );
  return pass ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  say('Cleaning up…');
  await cleanUp();
}

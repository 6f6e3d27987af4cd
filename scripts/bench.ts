import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/platform/paths.js';
import type { CeilingPorts } from './bench/ceiling.js';
import { DEMO_SLUG, prepareDatabase } from './bench/database.js';
import { markOwner, sweepMarkedFolders } from './bench/leftovers.js';
import type { LoadFigures } from './bench/load.js';
import { nextMessage, startTypeScript, stopChild } from './bench/processes.js';
import { formatTable, problemsOf, type Measured } from './bench/report.js';
import { buildApp, startApp } from './bench/scale-app.js';
import { sleep, startLoader } from './bench/scale-kit.js';
import { formatVerdicts, measureScaleRows, SCALE_ROWS, verdictLines, type ScaleRow } from './bench/scale.js';
import { cleanUpOnExit } from './lib/clean-up.js';

/**
 * npm run bench — the article page with 100 approved comments, and the home
 * page, under load from autocannon, each beside two ceilings that send the
 * very same bytes: a bare node:http server and a bare Express 5 app, the
 * three measured in turns. The app (compiled, as in production), the ceiling
 * servers and the load generator are three processes. Says PASS or FAIL per page.
 *
 * Then the scale rows (scripts/bench/scale.ts): comment POSTs, the
 * moderation queue at a million comments, a 5,000-comment article, memory,
 * restart time, two worker processes against one, and the WordPress import
 * and export.
 */

const COMMENTS = 100;
const FOLDER_PREFIX = 'broadsheet-bench-';

/** Targets for the cached pages, per row; ratios are taken within this one run. */
const TARGETS = {
  article: { ofExpress: 0.8, ofHttp: 0.3, p99Ms: 25 },
  home: { ofExpress: 0.8 },
} as const;

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    turns: { type: 'string', default: '5' },
    profile: { type: 'string' },
    rows: { type: 'string' },
    small: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  process.stdout.write(
    'Usage: npm run bench -- [--duration SECONDS=10] [--warmup SECONDS=3] [--connections N=50] [--turns N=5] [--profile DIR]\n' +
      '                        [--rows none|ROW,ROW…] [--small]\n' +
      'Each page and its two ceilings are measured in N alternating turns that add up to --duration.\n' +
      `Scale rows after the pages: ${SCALE_ROWS.join(', ')} (default all; --rows none for the pages only).\n` +
      '--small: 20,000 comments in the queue row, 1,000 posts, 3 restarts, 10,000 imported: to see the rows work quickly.\n' +
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
const turns = positive('turns', options.turns);
const turnSeconds = Math.max(1, Math.round(duration / turns));
const scaleRows: ScaleRow[] = (() => {
  if (options.rows === 'none') return [];
  const rows = options.rows?.split(',').map((row) => row.trim()) ?? [...SCALE_ROWS];
  const unknown = rows.filter((row) => !(SCALE_ROWS as readonly string[]).includes(row));
  if (unknown.length > 0) throw new Error(`unknown row ${unknown.join(', ')}; the rows are ${SCALE_ROWS.join(', ')} (or none)`);
  return rows as ScaleRow[];
})();

const say = (message: string) => process.stdout.write(`[bench] ${message}\n`);

const cleaning = cleanUpOnExit(say);
const cleanUpSteps = cleaning.steps;
const cleanUp = cleaning.run;

async function fetchPage(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function main(): Promise<number> {
  say(`Node ${process.version}, ${cpus().length} cores; ${connections} connections, ${warmup} s warm-up, ${duration} s per target.`);
  const [loadBefore = 0] = loadavg();
  if (loadBefore > 0.5)
    say(`warning: load average ${loadBefore.toFixed(2)} before starting: other work shares the CPU, figures will be noisy.`);
  await sweepMarkedFolders(tmpdir(), FOLDER_PREFIX, say);
  const folder = await mkdtemp(path.join(tmpdir(), FOLDER_PREFIX));
  cleanUpSteps.push(() => rm(folder, { recursive: true, force: true }));
  await markOwner(folder);
  // mkdtemp makes the folder private; as root the embedded cluster runs as `postgres`, which must enter it.
  await chmod(folder, 0o755);

  const onCleanUp = (step: () => Promise<unknown>) => void cleanUpSteps.push(step);
  const database = await prepareDatabase(folder, COMMENTS, say, onCleanUp);
  const build = await buildApp(say, onCleanUp);
  say('Starting the app (compiled, NODE_ENV=production) in a child process…');
  const app = await startApp(
    build,
    {
      databaseUrl: database.url,
      dataDir: path.join(folder, 'app-data'),
      label: 'app',
      nodeOptions: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profile)}`] : [],
    },
    say,
    onCleanUp,
  );
  const { base } = app;
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
  const ceiling = startTypeScript(path.join(projectRoot, 'scripts/bench/ceiling.ts'), [`article=${articleFile}`, `home=${homeFile}`], {
    ipc: true,
  });
  cleanUpSteps.push(async () => void (await stopChild(ceiling)));
  const ports = await nextMessage<CeilingPorts>(ceiling, 'ports');

  const load = { connections, warmup, duration };
  const loader = await startLoader(load, say, onCleanUp);
  const run = async (url: string, seconds: number): Promise<LoadFigures> => {
    // Let the previous target finish what it had queued before this one starts.
    await sleep(500);
    return loader.run({ url, connections, seconds }, (seconds + 60) * 1000);
  };
  /**
   * A page and its two ceilings, measured in turns (app, node:http, Express,
   * and again) rather than one after the other: other work on the machine,
   * coming and going, then weighs on all three alike.
   */
  const measureSideBySide = async (label: string, urls: readonly string[]): Promise<LoadFigures[]> => {
    say(`${label} and its ceilings: warming up ${warmup} s each, then ${turns} turns of ${turnSeconds} s each…`);
    for (const url of urls) await run(url, warmup);
    const measured = urls.map(() => [] as LoadFigures[]);
    for (let turn = 0; turn < turns; turn++) {
      for (const [index, url] of urls.entries()) measured[index]!.push(await run(url, turnSeconds));
      say(`  turn ${turn + 1}: ${measured.map((runs) => Math.round(runs.at(-1)!.requestsPerSecond)).join(' / ')} req/s`);
    }
    return measured.map(combined);
  };

  const rows: Measured[] = [];
  const pages = [
    { label: `article page (${COMMENTS} comments)`, url: articleUrl, name: 'article' },
    { label: 'home page', url: `${base}/`, name: 'home' },
  ] as const;
  for (const page of pages) {
    const own = ports[page.name]!;
    const [figures, http, express] = (await measureSideBySide(page.label, [
      page.url,
      `http://127.0.0.1:${own.http}/`,
      `http://127.0.0.1:${own.express}/`,
    ])) as [LoadFigures, LoadFigures, LoadFigures];
    rows.push(
      { label: page.label, figures, ceilings: { http, express } },
      { label: '  ceiling: node:http, same bytes', figures: http },
      { label: '  ceiling: Express 5, same bytes', figures: express, httpCeiling: http },
    );
  }

  process.stdout.write(
    `\n${new Date().toISOString()}, ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`,
  );
  process.stdout.write(
    `${connections} connections; per target ${warmup} s warm-up, then ${turns} turns of ${turnSeconds} s taken in rotation; ` +
      `load average before ${loadBefore.toFixed(2)}.\n` +
      'req/s: mean of the turns; p50, p99: median of the turns.\n\n',
  );
  process.stdout.write(`${formatTable(rows)}\n\n`);
  for (const problem of problemsOf(rows)) process.stdout.write(`warning: ${problem}\n`);
  const verdicts = pages.map((page, index) => verdictOf(page.label, rows[index * 3]!, TARGETS[page.name]));
  for (const verdict of verdicts) process.stdout.write(`${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.text}\n`);
  if (scaleRows.length === 0) return verdicts.every((verdict) => verdict.pass) ? 0 : 1;

  // The scale rows start their own apps: free the cores first.
  await Promise.all([app.stop(), stopChild(ceiling)]);
  const scale = await measureScaleRows({
    database,
    build,
    folder,
    load,
    loader,
    small: options.small,
    rows: scaleRows,
    say,
    onCleanUp,
    signal: cleaning.stopping,
  });
  process.stdout.write(`\n${formatTable(scale.measured)}\n\n`);
  for (const problem of problemsOf(scale.measured)) process.stdout.write(`warning: ${problem}\n`);
  process.stdout.write(`${formatVerdicts(scale.verdicts)}\n\n`);
  for (const verdict of verdicts) process.stdout.write(`${verdict.pass ? 'PASS' : 'FAIL'}: ${verdict.text}\n`);
  for (const line of verdictLines(scale.verdicts)) process.stdout.write(`${line}\n`);
  const allPass =
    verdicts.every((verdict) => verdict.pass) && scale.verdicts.every((line) => line.result === 'PASS' || line.result === 'INFO');
  return allPass ? 0 : 1;
}

/** Turns of one target as one figure: mean throughput, median latencies, totals. */
function combined(runs: LoadFigures[]): LoadFigures {
  const sum = (pick: (figures: LoadFigures) => number) => runs.reduce((total, figures) => total + pick(figures), 0);
  const median = (pick: (figures: LoadFigures) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  const responses = sum((figures) => figures.responses);
  return {
    url: runs[0]!.url,
    requestsPerSecond: sum((figures) => figures.requestsPerSecond) / runs.length,
    latencyP50: median((figures) => figures.latencyP50),
    latencyP99: median((figures) => figures.latencyP99),
    bytesPerResponse: responses > 0 ? sum((figures) => figures.bytesPerResponse * figures.responses) / responses : 0,
    responses,
    non2xx: sum((figures) => figures.non2xx),
    errors: sum((figures) => figures.errors),
    timeouts: sum((figures) => figures.timeouts),
    statusCodes: Object.fromEntries(
      [...new Set(runs.flatMap((figures) => Object.keys(figures.statusCodes)))].map((code) => [
        code,
        sum((figures) => figures.statusCodes[code] ?? 0),
      ]),
    ),
    elapsedSeconds: sum((figures) => figures.elapsedSeconds),
    postsBuilt: 0,
  };
}

function verdictOf(label: string, row: Measured, target: { ofExpress: number; ofHttp?: number; p99Ms?: number }) {
  const { figures, ceilings } = row;
  const ofExpress = figures.requestsPerSecond / ceilings!.express.requestsPerSecond;
  const ofHttp = figures.requestsPerSecond / ceilings!.http.requestsPerSecond;
  const checks = [
    { pass: ofExpress >= target.ofExpress, text: `${(ofExpress * 100).toFixed(1)} % of bare Express (≥ ${target.ofExpress * 100} %)` },
    ...(target.ofHttp === undefined
      ? []
      : [{ pass: ofHttp >= target.ofHttp, text: `${(ofHttp * 100).toFixed(1)} % of node:http (≥ ${target.ofHttp * 100} %)` }]),
    ...(target.p99Ms === undefined
      ? []
      : [{ pass: figures.latencyP99 <= target.p99Ms, text: `p99 ${figures.latencyP99} ms (≤ ${target.p99Ms} ms)` }]),
  ];
  return { pass: checks.every((check) => check.pass), text: `${label}: ${checks.map((check) => check.text).join(', ')}` };
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

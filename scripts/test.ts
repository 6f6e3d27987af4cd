import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmbeddedDatabase } from '../src/platform/db/embedded.js';
import { stopChild } from '../tests/helpers/processes.js';
import { createTemplate, dropTestDatabases } from '../tests/helpers/test-databases.js';
import { BUILT_CODE_FLAGS, builtCopyOf } from '../tests/helpers/project-program.js';
import { cleanUpOnExit, type CleanUp } from './lib/clean-up.js';
import { buildTestCopy } from './lib/test-build.js';

/**
 * npm test — runs the test files several at a time, each in its own process
 * over a database of its own: a clone of a template migrated once per run
 * (tests/helpers/file-database.ts makes the clone and points DATABASE_URL at
 * it). The files run from a JavaScript copy of the project made at the start
 * (scripts/lib/test-build.ts, into .test-build/), and so do the programs
 * they start. The databases live on the server of DATABASE_URL, and are dropped at
 * the end, Ctrl-C included; without DATABASE_URL an embedded PostgreSQL is
 * made for the run in a temporary folder and removed with it.
 *
 *   npm test                   everything (the browser tests when Chromium is installed)
 *   npm test -- FILE…          the files named
 *   npm run test:e2e           only the browser tests (--e2e)
 *   npm run test:slow          only the tests that start programs (--slow)
 *   --concurrency N            files at a time
 *
 * Files are passed by name: on Node 20, `--test` with a folder or a quoted
 * glob silently runs nothing.
 */
const FAST_FOLDERS = ['tests/unit', 'tests/integration', 'tests/security'];
const E2E_FOLDER = 'tests/e2e';
/** The files that start the server, PostgreSQL, nginx or the tools in processes of their own. */
const SLOW_FILES = [
  'tests/integration/admin-cli.test.ts',
  'tests/integration/backup-restore.test.ts',
  'tests/integration/cluster.test.ts',
  'tests/integration/embedded-database.test.ts',
  'tests/integration/graceful-shutdown.test.ts',
  'tests/integration/nginx-front.test.ts',
  'tests/integration/server-timeouts.test.ts',
  'tests/integration/start-without-database.test.ts',
  'tests/integration/stopping-and-starting.test.ts',
  'tests/integration/two-instances.test.ts',
  'tests/integration/wordpress-export.test.ts',
  'tests/integration/wordpress-import-cli.test.ts',
];
/** Files at a time: the slow and browser files mostly wait on their programs, so a 2-core machine takes more than two. */
const DEFAULT_CONCURRENCY = 4;

const CHROMIUM_PATH = '/usr/bin/chromium';
const NO_CHROMIUM = `${CHROMIUM_PATH} is not installed (apt-get install -y chromium).`;
const FILE_DATABASE = pathToFileURL(builtCopyOf('tests/helpers/file-database.ts')).href;

const say = (line: string) => void process.stdout.write(`${line}\n`);

/** The `*.test.ts` files directly in these folders, in a stable order. */
function testFilesIn(folders: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    existsSync(folder)
      ? readdirSync(folder)
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => `${folder}/${name}`)
      : [],
  );
}

/**
 * The files to run, longest first (browser, then slow), so that the short
 * ones fill the end of the run; null when the browser tests were asked for
 * and cannot run.
 */
function chooseFiles(selection: 'all' | 'e2e' | 'slow' | string[]): string[] | null {
  if (Array.isArray(selection)) return selection;
  const hasChromium = existsSync(CHROMIUM_PATH);
  const slow = SLOW_FILES.filter((file) => existsSync(file));
  if (selection === 'slow') return slow;
  if (selection === 'e2e') {
    if (hasChromium) return testFilesIn([E2E_FOLDER]);
    process.stderr.write(`Cannot run the browser tests: ${NO_CHROMIUM}\n`);
    return null;
  }
  const fast = testFilesIn(FAST_FOLDERS).filter((file) => !slow.includes(file));
  if (hasChromium) return [...testFilesIn([E2E_FOLDER]), ...slow, ...fast];
  say(`Skipping the browser tests: ${NO_CHROMIUM}`);
  return [...slow, ...fast];
}

function parseArguments(args: string[]) {
  let concurrency = DEFAULT_CONCURRENCY;
  let selection: 'all' | 'e2e' | 'slow' | string[] = 'all';
  const named: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--e2e' || arg === '--slow') selection = arg === '--e2e' ? 'e2e' : 'slow';
    else if (arg === '--concurrency') concurrency = Number(args[++i]);
    else named.push(arg);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency takes a whole number of files, 1 or more');
  return { concurrency, selection: named.length > 0 ? named : selection };
}

/** An embedded PostgreSQL in a temporary folder, both removed when the run ends. */
async function startEmbeddedServer(cleanUp: CleanUp): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-test-'));
  cleanUp.steps.push(() => rm(folder, { recursive: true, force: true }));
  // mkdtemp makes the folder private; as root the cluster runs as `postgres`, which must enter it.
  await chmod(folder, 0o755);
  say(`No DATABASE_URL: starting an embedded PostgreSQL for the tests in ${folder}`);
  const embedded = await startEmbeddedDatabase({ directory: path.join(folder, 'db'), password: 'test-only' });
  cleanUp.steps.push(() => embedded.stop());
  return embedded.url;
}

async function main(): Promise<number> {
  const { concurrency, selection } = parseArguments(process.argv.slice(2));
  const files = chooseFiles(selection);
  if (!files) return 1;
  const cleanUp = cleanUpOnExit(say);
  try {
    let serverUrl = process.env.DATABASE_URL;
    if (serverUrl) {
      // Also those a killed run left behind; an embedded server's go with its folder.
      await dropTestDatabases(serverUrl);
      const url = serverUrl;
      cleanUp.steps.push(() => dropTestDatabases(url));
    } else {
      serverUrl = await startEmbeddedServer(cleanUp);
    }
    const [template] = await Promise.all([createTemplate(serverUrl), buildTestCopy()]);
    const runner = spawn(
      process.execPath,
      [
        ...BUILT_CODE_FLAGS,
        '--import',
        FILE_DATABASE,
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=tap',
        ...files.map(builtCopyOf),
      ],
      { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: serverUrl, TEST_DATABASE_TEMPLATE: template } },
    );
    cleanUp.steps.push(() => stopChild(runner));
    return await new Promise<number>((resolve) => runner.on('close', (code) => resolve(code ?? 1)));
  } finally {
    await cleanUp.run();
  }
}

process.exitCode = await main();

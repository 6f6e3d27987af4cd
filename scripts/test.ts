import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/platform/db/embedded.js';

/**
 * npm test — runs every test file against DATABASE_URL, or, when it is not
 * set, against an embedded PostgreSQL made for this run in a temporary folder
 * and removed afterwards. Files are found here and passed by name: on Node 20,
 * `--test` with a folder or a quoted glob silently runs nothing.
 *
 * The browser tests (tests/e2e) run too when Debian's Chromium is installed;
 * `npm run test:e2e` (`--e2e`) runs only them.
 */
const SUITE_FOLDERS = ['tests/unit', 'tests/integration', 'tests/security'];
const E2E_FOLDER = 'tests/e2e';

/** The `*.test.ts` files directly in these folders, in a stable order. */
export function testFilesIn(folders: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    existsSync(folder)
      ? readdirSync(folder)
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => `${folder}/${name}`)
      : [],
  );
}

export const TEST_FILES = testFilesIn(SUITE_FOLDERS);
export const E2E_FILES = testFilesIn([E2E_FOLDER]);

const CHROMIUM_PATH = '/usr/bin/chromium';
const NO_CHROMIUM = `${CHROMIUM_PATH} is not installed (apt-get install -y chromium).`;

/** The files to run: those named, only the browser tests (`--e2e`), or everything there is a browser for. */
function chooseFiles(args: string[]): string[] | null {
  if (args[0] === '--e2e') {
    if (existsSync(CHROMIUM_PATH)) return E2E_FILES;
    process.stderr.write(`Cannot run the browser tests: ${NO_CHROMIUM}\n`);
    return null;
  }
  if (args.length > 0) return args;
  if (existsSync(CHROMIUM_PATH)) return [...TEST_FILES, ...E2E_FILES];
  process.stdout.write(`Skipping the browser tests: ${NO_CHROMIUM}\n`);
  return TEST_FILES;
}

async function main(): Promise<number> {
  const files = chooseFiles(process.argv.slice(2));
  if (!files) return 1;
  let embedded: EmbeddedDatabase | undefined;
  let folder: string | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  if (!env.DATABASE_URL) {
    folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-test-'));
    // mkdtemp makes the folder private; as root the cluster runs as `postgres`, which must enter it.
    await chmod(folder, 0o755);
    process.stdout.write(`No DATABASE_URL: starting an embedded PostgreSQL for the tests in ${folder}\n`);
    embedded = await startEmbeddedDatabase({ directory: path.join(folder, 'db'), password: 'test-only' });
    env.DATABASE_URL = embedded.url;
  }
  try {
    const runner = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', ...files],
      { stdio: 'inherit', env },
    );
    return await new Promise<number>((resolve) => runner.on('close', (code) => resolve(code ?? 1)));
  } finally {
    await embedded?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}

process.exitCode = await main();

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded.js';

/**
 * npm test — runs every test file against DATABASE_URL, or, when it is not
 * set, against an embedded PostgreSQL made for this run in a temporary folder
 * and removed afterwards. Files are listed explicitly: on Node 20, `--test`
 * with a folder or a quoted glob silently runs nothing.
 *
 * The browser tests (E2E_FILES) run too when Debian's Chromium is installed;
 * `npm run test:e2e` (`--e2e`) runs only them.
 */
export const TEST_FILES = [
  'tests/unit/reading.test.ts',
  'tests/unit/threading.test.ts',
  'tests/unit/comment-form.test.ts',
  'tests/unit/config.test.ts',
  'tests/unit/discussion-rules.test.ts',
  'tests/unit/format.test.ts',
  'tests/unit/page-cache.test.ts',
  'tests/unit/safe-redirect.test.ts',
  'tests/unit/passwords.test.ts',
  'tests/unit/moderation.test.ts',
  'tests/unit/identicon.test.ts',
  'tests/unit/comment-pages.test.ts',
  'tests/unit/structured-data.test.ts',
  'tests/integration/article-page.test.ts',
  'tests/integration/post-comment.test.ts',
  'tests/integration/embedded-database.test.ts',
  'tests/integration/outbox.test.ts',
  'tests/integration/admin-auth.test.ts',
  'tests/integration/admin-cli.test.ts',
  'tests/integration/moderation-queue.test.ts',
  'tests/integration/page-cache.test.ts',
  'tests/integration/http-basics.test.ts',
  'tests/integration/database-down.test.ts',
  'tests/integration/comment-counts.test.ts',
  'tests/integration/admin-settings.test.ts',
  'tests/integration/admin-blocks.test.ts',
  'tests/integration/moderation-mail.test.ts',
  'tests/integration/feeds.test.ts',
  'tests/integration/seo.test.ts',
  'tests/integration/comment-pagination.test.ts',
  'tests/integration/discussion-rules.test.ts',
  'tests/integration/self-service.test.ts',
  'tests/integration/comment-mail.test.ts',
];

/** Real-browser tests: they start the app as a child process and drive Chromium. */
export const E2E_FILES = [
  'tests/e2e/reading.test.ts',
  'tests/e2e/commenting.test.ts',
  'tests/e2e/replying.test.ts',
  'tests/e2e/moderating.test.ts',
];

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

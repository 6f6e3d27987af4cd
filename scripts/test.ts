import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/db/embedded.js';

/**
 * npm test — runs every test file against DATABASE_URL, or, when it is not
 * set, against an embedded PostgreSQL made for this run in a temporary folder
 * and removed afterwards. Files are listed explicitly: on Node 20, `--test`
 * with a folder or a quoted glob silently runs nothing.
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
];

async function main(): Promise<number> {
  const files = process.argv.slice(2).length > 0 ? process.argv.slice(2) : TEST_FILES;
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

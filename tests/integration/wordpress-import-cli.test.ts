import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { useTestDatabase } from '../helpers/database.js';

const testDb = useTestDatabase();
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** npx tsx tools/import.ts …, as `npm run import -- …` runs it, against the test database (not a terminal). */
function runImport(args: string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn('npx', ['tsx', 'tools/import.ts', ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const importedArticles = async () => Number((await testDb.db('articles').whereNotNull('source_site').count({ n: '*' }))[0]!.n);

describe('npm run import -- wordpress FILE.xml', () => {
  it('imports, prints the summary on standard output and exits 0', async () => {
    const result = await runImport(['wordpress', 'tests/fixtures/wxr/prefix-rebound.xml', '--with-pingbacks']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'no progress line when standard error is not a terminal');
    assert.match(result.stdout, /^3 articles\n2 posts: 1 published, 1 draft\n1 page: 1 published\n/);
    assert.match(result.stdout, /\nSkipped:\n {2}post 11 “Odd Status” \(line 112\): unknown status “sideways”\n/);
    assert.equal(await importedArticles(), 3);
  });

  it('refuses a file with entities in one line, exit 1, nothing imported', async () => {
    const result = await runImport(['wordpress', 'tests/fixtures/wxr/entities.xml']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Nothing imported: the file declares entities in a DOCTYPE; .* \(line \d+\)\n$/);
    assert.equal(await importedArticles(), 0);
  });

  it('answers a usage error with the usage and exit 2', async () => {
    const result = await runImport(['wordpress', 'tests/fixtures/wxr/prefix-rebound.xml', '--map-author', 'nonsense']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--map-author takes old=new/);
    assert.match(result.stderr, /Usage: npm run import -- wordpress FILE\.xml/);
    assert.equal(await importedArticles(), 0);
  });
});

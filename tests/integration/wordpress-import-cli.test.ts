import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { importWordpress } from '../../src/moving/wordpress-import.js';
import { generateWxr } from '../../scripts/bench/wxr-generate.js';
import { useTestDatabase } from '../helpers/database.js';
import { projectProgram } from '../helpers/project-program.js';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tools/import.ts …, as `npm run import -- …` runs it (package.json), against the test database (not a terminal), in a process group of its own. */
function startImport(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
  delete env.NODE_TEST_CONTEXT;
  return spawn(process.execPath, projectProgram('tools/import.ts', ...args), {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

function runImport(args: string[]): Promise<CliResult> {
  const child = startImport(args);
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

describe('an import killed midway (kill -9) and run again', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'wordpress-import-killed-'));
  after(() => rmSync(folder, { recursive: true, force: true }));
  const POSTS = 200;
  const COMMENTS = 8_000;
  const KILLED_SITE = 'https://generated.example';
  const CLEAN_SITE = 'https://clean.example';

  /** Every imported comment of a site, by WordPress ids, with its post, parent and what was stored of it. */
  const commentsOf = (site: string) =>
    testDb
      .db('comments as c')
      .join('articles as a', 'a.id', 'c.article_id')
      .leftJoin('comments as p', 'p.id', 'c.parent_id')
      .where('c.source_site', site)
      .orderBy('c.id')
      .select('c.source_id', 'a.source_id as post', 'p.source_id as parent', 'c.status', 'c.body', 'c.created_at', 'c.author_email');
  const articlesOf = (site: string) =>
    testDb.db('articles').where('source_site', site).orderBy('id').select('source_id', 'status', 'title', 'published_at');
  /** Where comment_counts and the rows disagree, for the articles of a site: none when the bookkeeping is exact. */
  const countsOffBy = (site: string) =>
    testDb.db.raw<{ rows: unknown[] }>(
      `SELECT a.id, s.status, coalesce(k.count, 0) AS kept
         FROM articles a CROSS JOIN (VALUES ('approved'), ('pending'), ('spam'), ('trash')) AS s (status)
         LEFT JOIN comment_counts k ON k.article_id = a.id AND k.status = s.status
        WHERE a.source_site = ?
          AND coalesce(k.count, 0) <> (SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = s.status)`,
      [site],
    );

  it('leaves whole posts only, and the second run completes it as a clean import would', async () => {
    const file = path.join(folder, 'killed.xml');
    await generateWxr(file, { posts: POSTS, comments: COMMENTS });

    const child = startImport(['wordpress', file]);
    const exited = new Promise<string | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
    let atKill = 0;
    for (;;) {
      assert.equal(child.exitCode, null, 'the import is still running');
      atKill = Number((await testDb.db('articles').where('source_site', KILLED_SITE).count({ n: '*' }))[0]!.n);
      if (atKill >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.kill(-child.pid!, 'SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.ok(atKill < POSTS, `killed after ${atKill} of ${POSTS} posts`);

    // Only whole posts: every post stored has every one of its comments.
    const partial = await commentsOf(KILLED_SITE);
    const stored = (await articlesOf(KILLED_SITE)).length;
    assert.ok(stored < POSTS, 'the run was stopped before its end');
    assert.equal(partial.length, stored * (COMMENTS / POSTS));

    const again = await runImport(['wordpress', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${POSTS - stored} articles\\n`));

    writeFileSync(path.join(folder, 'clean.xml'), readFileSync(file, 'utf8').replaceAll(KILLED_SITE, CLEAN_SITE));
    const clean = await importWordpress(testDb.db, path.join(folder, 'clean.xml'), {
      dryRun: false,
      skipPages: false,
      withPingbacks: false,
      mapAuthor: {},
    });
    assert.match(clean.lines.join('\n'), new RegExp(`^${POSTS} articles\\n`));

    const [killed, whole] = [await commentsOf(KILLED_SITE), await commentsOf(CLEAN_SITE)];
    assert.equal(killed.length, COMMENTS);
    assert.equal(new Set(killed.map((comment) => comment.source_id)).size, COMMENTS, 'no WordPress id twice');
    const bySourceId = (rows: typeof killed) => [...rows].sort((a, b) => Number(a.source_id) - Number(b.source_id));
    assert.deepEqual(bySourceId(killed), bySourceId(whole));
    assert.equal(killed.filter((comment) => comment.parent !== null).length, COMMENTS / 5);
    assert.deepEqual(
      (await articlesOf(KILLED_SITE)).sort((a, b) => Number(a.source_id) - Number(b.source_id)),
      (await articlesOf(CLEAN_SITE)).sort((a, b) => Number(a.source_id) - Number(b.source_id)),
    );
    assert.deepEqual((await countsOffBy(KILLED_SITE)).rows, []);
    assert.deepEqual((await countsOffBy(CLEAN_SITE)).rows, []);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { connectDatabase, TOOL_LIMITS, type Database } from '../../src/platform/db/connection.js';
import { startAppRuntime } from '../../src/platform/app-runtime.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { runCleanupOnce } from '../../src/privacy/cleanup-job.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';

/** The clean-up as two instances run it: an advisory lock lets one do the work while the other skips. */

const context = useTestDatabase();
const url = () => process.env.DATABASE_URL!;
const YEARS_LATER = new Date('2030-01-01T00:00:00Z');

describe('the privacy clean-up on two instances', () => {
  let outboxDir: string;
  // Each instance has its own pool; they wait on row locks without a limit, so the test decides when the work may go on.
  const instances: Database[] = [];

  before(async () => {
    outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-instances-'));
    for (let n = 0; n < 2; n += 1) instances.push(connectDatabase(url(), 2, { ...TOOL_LIMITS, lockMs: null }));
  });
  after(async () => {
    await Promise.all(instances.map((db) => db.destroy()));
    await rm(outboxDir, { recursive: true, force: true });
  });

  const runOn = (db: Database) => runCleanupOnce({ db, databaseUrl: url(), outboxDir, now: YEARS_LATER });
  const ipCount = async () =>
    Number((await context.db('comments').whereNotNull('ip').count<Array<{ count: string }>>({ count: '*' }))[0]!.count);

  it('runs once when both start at the same moment: one does the work, the other skips', async () => {
    const id = await insertComment(context.db, { status: 'approved' });
    await insertComment(context.db, { status: 'approved' });
    // A moderator's transaction holds one of the due comments, so whichever instance took the lock is still working.
    const moderator = await context.db.transaction();
    await moderator('comments').where({ id }).forUpdate();
    const runs = [runOn(instances[0]!), runOn(instances[1]!)];
    const first = await Promise.race(runs);
    assert.equal(first.kind, 'skipped', 'the instance that finds the lock taken skips');
    await moderator.rollback();
    const outcomes = await Promise.all(runs);
    assert.deepEqual(outcomes.map((outcome) => outcome.kind).sort(), ['done', 'skipped']);
    const worker = outcomes.find((outcome) => outcome.kind === 'done');
    assert.equal(worker?.kind === 'done' && worker.report.commentIpsCleared, 2);
    assert.equal(await ipCount(), 0);
  });

  it('skips while another session holds the lock, and runs once it is let go', async () => {
    const other = new pg.Client({ connectionString: url() });
    await other.connect();
    try {
      assert.equal((await runOn(instances[0]!)).kind, 'done');
      const { rows } = await other.query(
        `SELECT 1 FROM pg_locks
          WHERE locktype = 'advisory' AND objid = 2026120733
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      assert.equal(rows.length, 0, 'a finished run lets the lock go');
      await insertComment(context.db, { status: 'approved' });
      // Held as another instance's run in progress holds it.
      await other.query('SELECT pg_advisory_lock(2026120733)');
      assert.equal((await runOn(instances[1]!)).kind, 'skipped');
      assert.equal(await ipCount(), 1, 'a skipped run changes nothing');
      await other.query('SELECT pg_advisory_unlock(2026120733)');
      assert.equal((await runOn(instances[1]!)).kind, 'done');
      assert.equal(await ipCount(), 0);
    } finally {
      await other.end();
    }
  });

  it('runs in each app process shortly after start, logs its counts, and stops with the process', async () => {
    await insertComment(context.db, { status: 'approved', created_at: new Date('2020-01-01T00:00:00Z') });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-cleanup-runtime-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: url() });
    const runtime = startAppRuntime(
      config,
      createLogger('info', destination),
      { url: url(), cookieSecret: TEST_COOKIE_SECRET },
      { cleanupFirstRunMs: 0 },
    );
    try {
      // The first run starts at once; the test waits for its line, however long the machine takes.
      while (!lines.some((line) => line.includes('privacy clean-up'))) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    const logged = JSON.parse(lines.find((line) => line.includes('privacy clean-up'))!) as Record<string, unknown>;
    assert.equal(logged.commentIpsCleared, 1);
    assert.equal(typeof logged.mailTextCleared, 'number');
    assert.equal(await ipCount(), 0);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { freePort } from '../helpers/processes.js';
import { PROJECT_CODE_FLAGS, projectFile } from '../helpers/project-program.js';
import { EmbeddedDatabaseError, startEmbeddedDatabase } from '../../src/platform/db/embedded.js';

const isRoot = process.getuid?.() === 0;

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  let folder: string;
  let directory: string;

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-embedded-'));
    await chmod(folder, 0o755);
    directory = path.join(folder, 'db');
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('initialises once, answers on a port other than 5432, and keeps data across restarts', async () => {
    const first = await startEmbeddedDatabase({ directory, password: 'secret-one' });
    try {
      assert.notEqual(new URL(first.url).port, '5432');
      await query(first.url, 'CREATE TABLE kept (value text); INSERT INTO kept VALUES ($$still here$$)');
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedDatabase({ directory, password: 'secret-one' });
    try {
      assert.deepEqual(await query(second.url, 'SELECT value FROM kept'), [{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('removes a stale postmaster.pid that names a process which is not PostgreSQL', async () => {
    const pidFile = path.join(directory, 'postmaster.pid');
    // PID 1 exists but is never this cluster: the situation after a crash in a container.
    await writeFile(pidFile, `1\n${directory}\n1700000000\n5432\n\n127.0.0.1\n  5432001  0\nready\n`);
    const database = await startEmbeddedDatabase({ directory, password: 'secret-one' });
    try {
      assert.deepEqual(await query(database.url, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await database.stop();
    }
  });

  it('listens on the port it is given, so a URL written beforehand reaches it', async () => {
    const port = await freePort();
    const database = await startEmbeddedDatabase({ directory, password: 'secret-one', port });
    try {
      assert.equal(new URL(database.url).port, String(port));
      assert.deepEqual(await query(`postgres://postgres:secret-one@127.0.0.1:${port}/broadsheet`, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await database.stop();
    }
  });

  it('stops a cluster orphaned by a killed process, then starts cleanly', async () => {
    const child = spawn(
      process.execPath,
      [
        ...PROJECT_CODE_FLAGS,
        '-e',
        `import(${JSON.stringify(pathToFileURL(projectFile('src/platform/db/embedded.ts')).href)}).then(async (m) => { await m.startEmbeddedDatabase({ directory: ${JSON.stringify(directory)}, password: 'secret-one' }); console.log('ready'); setInterval(() => {}, 1000); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.on('exit', () => reject(new Error('child exited early')));
    });
    const orphanPid = Number((await readFile(path.join(directory, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.doesNotThrow(() => process.kill(orphanPid, 0), 'the orphaned cluster is still running');

    const database = await startEmbeddedDatabase({ directory, password: 'secret-one' });
    try {
      assert.deepEqual(await query(database.url, 'SELECT 1 AS one'), [{ one: 1 }]);
      // Gone, or a zombie waiting for a parent that does not reap: either way no longer running.
      const commandLine = await readFile(`/proc/${orphanPid}/cmdline`, 'utf8').catch(() => '');
      assert.equal(commandLine, '', 'the orphan was stopped');
    } finally {
      await database.stop();
    }
  });

  it('says clearly when the folder is not reachable by the postgres user', { skip: !isRoot && 'needs root' }, async () => {
    const privateParent = path.join(folder, 'private');
    await mkdir(privateParent, { mode: 0o700 });
    await chmod(privateParent, 0o700);
    await assert.rejects(
      startEmbeddedDatabase({ directory: path.join(privateParent, 'db'), password: 'x' }),
      (error: unknown) => error instanceof EmbeddedDatabaseError && /not reachable by the "postgres" system user/.test(error.message),
    );
  });
});

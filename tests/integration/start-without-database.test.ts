import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, stopChild, waitForOk } from '../helpers/processes.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/db/embedded.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { startServerProcess } from '../helpers/server-process.js';

/**
 * The real server started while its database is not there yet: it answers
 * at once, 503 with Retry-After for pages and /readyz and 200 for /healthz,
 * keeps trying the database, and serves normally once a PostgreSQL starts
 * on the configured port. A database that answers but refuses the
 * credentials is not waited for: start-up stops with one clear line.
 */

const PASSWORD = 'start-without-database';
/** Unreferenced: a wait still pending when the tests end must not hold the process open. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function statusOf(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !condition(); await sleep(50)) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

describe('starting while the database is down', () => {
  let folder: string | undefined;
  let postgres: EmbeddedDatabase | undefined;
  const servers: ChildProcess[] = [];
  after(async () => {
    for (const child of servers) await stopChild(child, 'SIGTERM', 5000);
    await postgres?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('answers 503 until a database appears on its port, then migrates and serves', async (t) => {
    folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-no-database-'));
    // As root the cluster runs as `postgres`, which must be able to enter the folder.
    await chmod(folder, 0o755);
    const [databasePort, port] = await Promise.all([freePort(), freePort()]);
    const base = `http://127.0.0.1:${port}`;
    const server = startServerProcess({
      DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${databasePort}/broadsheet`,
      DATA_DIR: path.join(folder, 'app'),
      PORT: String(port),
    });
    servers.push(server.child);

    await waitForOk(`${base}/healthz`, server.child, 60_000).catch((error: Error) => assert.fail(`${error.message}\n${server.output()}`));
    for (const pathname of ['/', DEMO_PATH, '/readyz', '/admin/login']) {
      const answer = await statusOf(`${base}${pathname}`);
      assert.equal(answer.status, 503, `${pathname} while the database is down`);
      assert.equal(answer.retryAfter, '5', `${pathname} says when to retry`);
    }
    const post = await statusOf(`${base}${DEMO_PATH}/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
      body: 'comment=Hello&author=Ada&email=ada%40example.org',
    });
    assert.equal(post.status, 503, 'a comment cannot be taken yet');
    assert.ok(!/at .*\.(ts|js):\d+/.test(post.text), 'no stack trace');
    assert.ok(await waitFor(() => (server.output().match(/The database does not answer yet/g) ?? []).length >= 2, 20_000), server.output());

    postgres = await startEmbeddedDatabase({ directory: path.join(folder, 'db'), password: PASSWORD, port: databasePort });
    const startedAt = Date.now();
    await waitForOk(`${base}/`, server.child, 60_000).catch((error: Error) => assert.fail(`${error.message}\n${server.output()}`));
    t.diagnostic(`serving ${Date.now() - startedAt} ms after the database answered`);

    const article = await statusOf(`${base}${DEMO_PATH}`);
    assert.equal(article.status, 200);
    assert.match(article.text, /Xi Ducks Putin’s Push for Expanded Military Ties/);
    assert.equal((await statusOf(`${base}/readyz`)).status, 200);
    assert.match(server.output(), /Applying \d+ migration\(s\)/);

    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exit, { code: 0, signal: null }, server.output());
    assert.match(server.output(), /^Stopped\.$/m);
  });

  it('stops with one clear line when the database refuses the credentials, instead of waiting', async () => {
    assert.ok(postgres, 'the database of the test above is running');
    const url = new URL(postgres.url);
    url.password = 'not-the-password';
    const server = startServerProcess({
      DATABASE_URL: url.toString(),
      DATA_DIR: path.join(folder!, 'app'),
      PORT: String(await freePort()),
    });
    servers.push(server.child);
    const ended = await Promise.race([server.exit, sleep(60_000).then(() => undefined)]);
    assert.deepEqual(ended, { code: 1, signal: null }, server.output());
    assert.match(server.output(), /^Broadsheet could not start: password authentication failed for user "postgres"$/m);
    assert.doesNotMatch(server.output(), /not-the-password/);
  });
});

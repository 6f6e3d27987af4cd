import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, waitForOk } from '../helpers/processes.js';
import { startServerProcess } from '../helpers/server-process.js';
import { MALLOC_SETTINGS } from '../../src/platform/malloc-settings.js';

/**
 * WEB_CONCURRENCY=2: the real server (a child process) forks two workers
 * that share its port, replaces one that dies, and stops them all cleanly
 * on SIGTERM. Which process answered is read from the request log, where
 * every line carries the pid of the worker that wrote it.
 */

const EXIT_WITHIN_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids in the request-log lines for `pathname`. */
function pidsThatAnswered(output: string, pathname: string): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { pid?: number; req?: { path?: string } };
    if (entry.req?.path === pathname && entry.pid) pids.add(entry.pid);
  }
  return pids;
}

/** One GET on a connection of its own (no keep-alive agent), so that the primary hands it to the next worker. */
function getOnFreshConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

async function requestEach(base: string, pathname: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < count; index++) statuses.push(await getOnFreshConnection(`${base}${pathname}`));
  return statuses;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !condition(); await sleep(50)) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

describe('WEB_CONCURRENCY=2', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves one port from two workers, replaces one that dies, and stops with SIGTERM saying Stopped.', async (t) => {
    const port = await freePort();
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-cluster-'));
    const server = startServerProcess({
      LOG_LEVEL: 'info',
      DATABASE_URL: process.env.DATABASE_URL,
      DATA_DIR: dataDir,
      PORT: String(port),
      WEB_CONCURRENCY: '2',
    });
    child = server.child;
    const { exit } = server;
    const base = `http://127.0.0.1:${port}`;
    await waitForOk(`${base}/readyz`, child, 90_000).catch((error: Error) => assert.fail(`${error.message}\n${server.output()}`));
    assert.ok(await waitFor(() => server.output().includes('with 2 worker processes'), 30_000), server.output());

    assert.deepEqual(await requestEach(base, '/robots.txt', 10), Array(10).fill(200));
    assert.ok(await waitFor(() => pidsThatAnswered(server.output(), '/robots.txt').size >= 2, 5000), server.output());
    const workers = [...pidsThatAnswered(server.output(), '/robots.txt')];
    assert.equal(workers.length, 2, `two worker processes answered: ${workers.join(', ')}`);
    assert.ok(!workers.includes(child.pid!), 'the primary itself serves nothing');
    for (const pid of workers) {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(MALLOC_SETTINGS))
        assert.ok(environment.includes(`${name}=${value}`), `worker ${pid} has ${name}`);
    }

    // A worker killed outright is replaced; the site keeps answering meanwhile.
    const [victim, survivor] = workers as [number, number];
    process.kill(victim, 'SIGKILL');
    assert.ok(
      await waitFor(() => server.output().includes(`Worker ${victim} stopped unexpectedly (signal SIGKILL); starting another.`), 5000),
      server.output(),
    );
    // The replacement builds the app before it takes connections: no request in between fails.
    let answered = new Set<number>();
    for (let round = 0; round < 60 && answered.size < 2; round++) {
      assert.deepEqual(await requestEach(base, '/feed.xml', 2), [200, 200]);
      await sleep(100);
      answered = new Set([...pidsThatAnswered(server.output(), '/feed.xml')].filter((pid) => pid !== victim));
    }
    const current = [...answered];
    assert.equal(current.length, 2, `the survivor and a new worker answer:\n${server.output()}`);
    assert.ok(current.includes(survivor), 'the survivor kept serving');
    t.diagnostic(`workers ${workers.join(', ')}; after ${victim} was killed: ${current.join(', ')}`);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const ended = await Promise.race([exit, sleep(EXIT_WITHIN_MS).then(() => undefined)]);
    assert.ok(ended, `still running ${EXIT_WITHIN_MS / 1000} s after SIGTERM:\n${server.output()}`);
    t.diagnostic(`stopped ${Date.now() - signalledAt} ms after SIGTERM`);
    assert.deepEqual(ended, { code: 0, signal: null }, server.output());
    assert.match(server.output(), /^Stopped\.$/m);
    for (const pid of current) assert.ok(!isAlive(pid), `worker ${pid} is gone`);
  });
});

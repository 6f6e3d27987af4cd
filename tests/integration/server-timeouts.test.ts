import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForOk } from '../helpers/processes.js';
import { loadConfig } from '../../src/platform/config.js';
import { SERVER_TIMEOUTS, type ServerTimeouts } from '../../src/platform/http-server.js';
import { createLogger } from '../../src/platform/logger.js';
import { projectRoot } from '../../src/platform/paths.js';
import { serveInProcess, type Serving } from '../../src/platform/serving.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { projectProgram } from '../helpers/project-program.js';

/**
 * Clients that send a request a byte at a time, as slowloris attacks do, to
 * hold connections open. The serving stack is run here with short timeouts
 * so the limits act within a second or two; the real server is then checked
 * once with its own.
 */

const database = useTestDatabase();

interface CutOff {
  afterMs: number;
  /** The status line the server sent before closing, if any. */
  answer: string;
}

/**
 * Sends `head`, then `drip` one byte every `everyMs`; resolves when the server
 * closes the connection, or with undefined once `giveUpMs` have passed.
 */
function dripFeed(port: number, head: string, everyMs: number, giveUpMs: number): Promise<CutOff | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let startedAt = Date.now();
    let drip: NodeJS.Timeout | undefined;
    const finish = (result: CutOff | undefined) => {
      clearInterval(drip);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(result);
    };
    const giveUp = setTimeout(() => finish(undefined), giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => finish({ afterMs: Date.now() - startedAt, answer: received.split('\r\n')[0] ?? '' }));
    socket.on('connect', () => {
      startedAt = Date.now();
      socket.write(head);
      drip = setInterval(() => socket.writable && socket.write('a'), everyMs);
    });
  });
}

const slowHeaders = (port: number) => `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `;
const slowBody = (port: number) =>
  `POST ${DEMO_PATH}/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
  'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\ncomment=';

/** Closed, or answered 408 and closed, between `earliest` and `latest` ms after connecting. */
function assertCutOff(cut: CutOff | undefined, earliest: number, latest: number) {
  assert.ok(cut, `the slow client was still connected ${latest} ms after it connected`);
  assert.ok(cut.answer === '' || cut.answer.startsWith('HTTP/1.1 408'), `answered ${JSON.stringify(cut.answer)}`);
  assert.ok(cut.afterMs >= earliest, `cut off after ${cut.afterMs} ms, before the limit of ${earliest} ms`);
}

describe('server timeouts, set short (the serving stack in this process)', () => {
  const SHORT: ServerTimeouts = { headersTimeoutMs: 1500, requestTimeoutMs: 3000, keepAliveTimeoutMs: 1000, checkIntervalMs: 250 };
  const MARGIN_MS = 1000;
  let serving: Serving;
  let port = 0;

  before(async () => {
    port = await freePort();
    const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: tmpdir() });
    serving = serveInProcess(config, createLogger('silent'), { timeouts: SHORT });
    await serving.start();
    await serving.ready({ url: process.env.DATABASE_URL!, cookieSecret: TEST_COOKIE_SECRET });
  });
  after(() => serving.stop());

  it('cuts off a client that sends its headers a byte at a time once headersTimeout is over', async () => {
    const cut = await dripFeed(port, slowHeaders(port), 200, SHORT.headersTimeoutMs + SHORT.checkIntervalMs + MARGIN_MS);
    assertCutOff(cut, SHORT.headersTimeoutMs - 100, SHORT.headersTimeoutMs + SHORT.checkIntervalMs + MARGIN_MS);
  });

  it('cuts off a client that sends its body a byte at a time once requestTimeout is over, storing nothing', async () => {
    const cut = await dripFeed(port, slowBody(port), 200, SHORT.requestTimeoutMs + SHORT.checkIntervalMs + MARGIN_MS);
    assertCutOff(cut, SHORT.requestTimeoutMs - 100, SHORT.requestTimeoutMs + SHORT.checkIntervalMs + MARGIN_MS);
    const [stored] = await database.db('comments').count<{ count: string }[]>({ count: '*' });
    assert.equal(Number(stored?.count), 0);
  });

  it('keeps answering other clients meanwhile', async () => {
    const slow = dripFeed(port, slowHeaders(port), 200, 5000);
    const response = await fetch(`http://127.0.0.1:${port}${DEMO_PATH}`, { signal: AbortSignal.timeout(3000) });
    assert.equal(response.status, 200);
    await slow;
  });
});

describe('server timeouts of the real server (a child process)', () => {
  const MARGIN_MS = 3000;
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let port = 0;
  let printed = '';

  before(async () => {
    port = await freePort();
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-timeouts-'));
    child = spawn(process.execPath, projectProgram('src/server.ts'), {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        DATABASE_URL: process.env.DATABASE_URL,
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => void (printed += chunk.toString('utf8'));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitForOk(`http://127.0.0.1:${port}/readyz`, child, 60_000).catch((error: Error) => assert.fail(`${error.message}\n${printed}`));
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(`cuts off a client that sends its headers a byte a second within headersTimeout (${SERVER_TIMEOUTS.headersTimeoutMs / 1000} s) plus a margin`, async () => {
    const latest = SERVER_TIMEOUTS.headersTimeoutMs + MARGIN_MS;
    const cut = await dripFeed(port, slowHeaders(port), 1000, latest);
    assertCutOff(cut, SERVER_TIMEOUTS.headersTimeoutMs - 1000, latest);
  });
});

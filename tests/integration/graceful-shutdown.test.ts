import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, waitForOk } from '../helpers/processes.js';
import { DEMO_PATH, TEST_USER_AGENT, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';
import { startServerProcess } from '../helpers/server-process.js';

/**
 * SIGTERM to the real server (a child process) while slow requests are in
 * flight: each must still get its full answer, the listening socket must be
 * closed at once, and the process must exit 0 within 10 s saying `Stopped.`.
 */

const GET_CLIENTS = 12;
const POST_CLIENTS = 6;
const LOAD_BEFORE_SIGNAL_MS = 1500;
/** Each request is sent in two parts this far apart, so that many are half-sent at any moment. */
const PAUSE_MS = { min: 150, max: 600 };
const EXIT_WITHIN_MS = 10_000;

const database = useTestDatabase();

interface Exchange {
  kind: 'GET' | 'POST';
  /** When the server showed it had read the first part (see sendInTwoParts). */
  receivedAt?: number;
  endedAt?: number;
  status?: number;
  error?: string;
  submissionId?: string;
}

const STATUS_LINE = /HTTP\/1\.1 (\d{3})/g;

/**
 * One request on its own connection, sent in two parts, `head` and, once
 * `resume()` settles, `rest`. The first write also carries a complete
 * `GET /healthz` in front: its answer shows that the server has read that
 * write, so the slow request has begun on its side (its parser is busy with
 * it) and is in flight by any measure. Resolves with the slow request's
 * outcome, never rejects.
 */
function sendInTwoParts(port: number, exchange: Exchange, head: string, rest: string, resume: () => Promise<unknown>): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    const finish = (error?: string) => {
      if (exchange.endedAt !== undefined) return;
      exchange.endedAt = Date.now();
      const status = [...received.matchAll(STATUS_LINE)][1]?.[1];
      if (status) exchange.status = Number(status);
      if (error || !status) exchange.error = error ?? `closed without an answer: ${JSON.stringify(received.slice(-120))}`;
      resolve(exchange);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (exchange.receivedAt === undefined && received.startsWith('HTTP/1.1 ')) {
        exchange.receivedAt = Date.now();
        void resume().then(() => socket.write(rest));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('close', () => finish());
    socket.on('connect', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n${head}`));
  });
}

function slowGet(port: number, resume: () => Promise<unknown>, exchange: Exchange): Promise<Exchange> {
  const head = `GET ${DEMO_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
  const rest = `User-Agent: ${TEST_USER_AGENT}\r\nConnection: close\r\n\r\n`;
  return sendInTwoParts(port, exchange, head, rest, resume);
}

function slowPost(
  port: number,
  fields: Record<string, string>,
  number: number,
  resume: () => Promise<unknown>,
  exchange: Exchange,
): Promise<Exchange> {
  const body = new URLSearchParams(
    typed(fields, {
      author: `Reader ${number}`,
      email: `reader-${number}@example.org`,
      comment: `Said just before the shutdown, #${number}.`,
    }),
  ).toString();
  const head =
    `POST ${DEMO_PATH}/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: ${TEST_USER_AGENT}\r\n` +
    `Origin: http://127.0.0.1:${port}\r\nX-Forwarded-For: 198.51.100.${number % 250}\r\nConnection: close\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const half = Math.floor(body.length / 2);
  return sendInTwoParts(port, exchange, head + body.slice(0, half), body.slice(half), resume);
}

function startServer(port: number, dataDir: string) {
  return startServerProcess({
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: dataDir,
    PORT: String(port),
    // Each comment comes from its own address, or the flood rule would refuse all but the first.
    TRUST_PROXY: 'loopback',
  });
}

/** Resolves with the error code of a fresh connection attempt, or 'connected'. */
function tryToConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Probes with fresh connections until one is refused; the last outcome. */
async function refusedWithin(port: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let outcome = await tryToConnect(port);
  while (outcome === 'connected' && Date.now() < deadline) {
    await sleep(20);
    outcome = await tryToConnect(port);
  }
  return outcome;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; !condition(); await sleep(20)) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

describe('SIGTERM under load', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('finishes every request in flight, refuses new connections and exits 0 within 10 s saying Stopped.', async () => {
    const port = await freePort();
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-shutdown-'));
    const server = startServer(port, dataDir);
    child = server.child;
    const base = `http://127.0.0.1:${port}`;
    await waitForOk(`${base}/readyz`, child, 60_000).catch((error: Error) => assert.fail(`${error.message}\n${server.output()}`));
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    // Forms to post, loaded beforehand: each carries its own submission id.
    const forms = await Promise.all(
      Array.from({ length: POST_CLIENTS * 6 }, async () => formFields(parsePage(await (await fetch(`${base}${DEMO_PATH}`)).text()))),
    );
    const sent: Exchange[] = [];
    const answers: Array<Promise<Exchange>> = [];
    const track = (answer: Promise<Exchange>, exchange: Exchange) => {
      sent.push(exchange);
      answers.push(answer);
      return answer;
    };
    let posts = 0;
    const post = (resume: () => Promise<unknown>) => {
      const exchange: Exchange = { kind: 'POST', submissionId: forms.at(-1)!.submission_id };
      return track(slowPost(port, forms.pop()!, ++posts, resume, exchange), exchange);
    };
    const get = (resume: () => Promise<unknown>) => {
      const exchange: Exchange = { kind: 'GET' };
      return track(slowGet(port, resume, exchange), exchange);
    };
    // Two requests are completed only after the probe for new connections, so the server is surely still up for it.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    get(() => released);
    post(() => released);
    let stopping = false;
    const pause = () => sleep(PAUSE_MS.min + Math.random() * (PAUSE_MS.max - PAUSE_MS.min));
    const client = async (kind: 'GET' | 'POST') => {
      while (!stopping) await (kind === 'POST' && forms.length > 0 ? post(pause) : get(pause));
    };
    const clients = [
      ...Array.from({ length: GET_CLIENTS }, () => client('GET')),
      ...Array.from({ length: POST_CLIENTS }, () => client('POST')),
    ];
    await sleep(LOAD_BEFORE_SIGNAL_MS);

    stopping = true;
    const signalAt = Date.now();
    const inFlight = sent.filter((exchange) => exchange.receivedAt !== undefined && exchange.endedAt === undefined);
    child.kill('SIGTERM');

    assert.ok(await waitFor(() => server.output().includes('Received SIGTERM'), 5000), `no word of the signal:\n${server.output()}`);
    // The line is printed just before the port is closed: a probe may still slip in between.
    assert.equal(await refusedWithin(port, 2000), 'ECONNREFUSED', 'new connections are refused while requests still finish');
    release();
    await Promise.all([...answers, ...clients]);
    const ended = await Promise.race([exit, sleep(signalAt + EXIT_WITHIN_MS - Date.now()).then(() => undefined)]);

    assert.ok(inFlight.length >= (GET_CLIENTS + POST_CLIENTS) / 2, `only ${inFlight.length} requests were in flight at the signal`);
    const failed = inFlight.filter((exchange) => exchange.error || exchange.status !== (exchange.kind === 'GET' ? 200 : 303));
    assert.deepEqual(
      failed.map(({ kind, status, error }) => ({ kind, status, error })),
      [],
      `${failed.length} of ${inFlight.length} requests in flight at SIGTERM did not complete`,
    );
    assert.deepEqual(
      sent.filter((exchange) => (exchange.status ?? 0) >= 500).map(({ kind, status }) => ({ kind, status })),
      [],
      'no 5xx at all',
    );
    assert.ok(ended, `still running ${EXIT_WITHIN_MS / 1000} s after SIGTERM:\n${server.output()}`);
    assert.deepEqual(ended, { code: 0, signal: null }, server.output());
    assert.match(server.output(), /^Stopped\.$/m);

    // Every comment the server answered 303 is stored, once.
    const accepted = inFlight.filter((exchange) => exchange.kind === 'POST').map((exchange) => exchange.submissionId!);
    assert.ok(accepted.length > 0, 'some comment posts were in flight at the signal');
    const stored = await database.db('comments').whereIn('submission_id', accepted).count<{ count: string }[]>({ count: '*' });
    assert.equal(Number(stored[0]!.count), accepted.length);
  });
});

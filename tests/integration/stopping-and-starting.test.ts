import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpServer } from '../../src/platform/http-server.js';
import { createGate } from '../../src/platform/not-ready.js';
import { buildTestApp } from '../helpers/app.js';
import { COMMENTS_PATH, DEMO_PATH, TEST_USER_AGENT } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { allowConnections } from '../helpers/database-trouble.js';
import { formFields, parsePage } from '../helpers/html.js';
import { freePort, stopChild, waitForOk } from '../helpers/processes.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * The real server starting and stopping while the database is in trouble:
 * start-up waits out a database that takes no connections (and gives a
 * comment posted meanwhile back with its text), SIGTERM drains and keeps to
 * its 10 s deadline however silent the database, and a form body over the
 * limit is refused without losing the connection.
 */

const database = useTestDatabase();
const url = () => process.env.DATABASE_URL!;
const STOP_WITHIN_MS = 10_000;
const MARGIN_MS = 1500;

const children: ChildProcess[] = [];
const folders: string[] = [];
after(async () => {
  for (const child of children) await stopChild(child, 'SIGKILL');
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function startServer(env: Record<string, string>): Promise<{ server: ServerProcess; base: string }> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-trouble-'));
  folders.push(dataDir);
  const server = startServerProcess({ DATA_DIR: dataDir, PORT: String(port), ...env });
  children.push(server.child);
  return { server, base: `http://127.0.0.1:${port}` };
}

const ready = (base: string, server: ServerProcess, timeoutMs = 60_000) =>
  waitForOk(`${base}/readyz`, server.child, timeoutMs).catch((error: Error) => assert.fail(`${error.message}\n${server.output()}`));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

const typedComment = {
  comment: 'Posted while the site was starting.\n\nSecond <paragraph> & “quotes”.',
  author: 'Ada Reader',
  email: 'ada@example.org',
  url: 'https://ada.example.org/',
  parent_id: '',
  submission_id: '6c0e3f1a-2b4d-4e8f-9a1b-3c5d7e9f1a2b',
  rendered_at: '1.x',
  remember: 'yes',
  comment_subject: '',
};

function postComment(base: string, fields: Record<string, string> = typedComment) {
  return fetch(`${base}${COMMENTS_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, 'User-Agent': TEST_USER_AGENT },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('starting while the database takes no connections (55000)', () => {
  it('waits instead of giving up, gives a comment back with its text meanwhile, then serves', async () => {
    await allowConnections(url(), false);
    try {
      const { server, base } = await startServer({ DATABASE_URL: url() });
      await waitForOk(`${base}/healthz`, server.child, 60_000);
      await until(() => (server.output().match(/The database does not answer yet/g) ?? []).length >= 2, 20_000, 'two attempts');
      assert.equal((await fetch(`${base}/readyz`)).status, 503);

      const answer = await postComment(base);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), '5');
      const page = parsePage(await answer.text());
      assert.equal(page('#commentform').attr('action'), COMMENTS_PATH);
      const kept = formFields(page);
      for (const [name, value] of Object.entries(typedComment)) assert.equal(kept[name], value, name);
      assert.equal(page('label[for="comment"]').text(), 'Comment *');
      assert.match(page('[role=alert]').text(), /your comment was not saved/);

      await allowConnections(url(), true);
      await ready(base, server);
      assert.equal((await fetch(`${base}${DEMO_PATH}`)).status, 200);
      server.child.kill('SIGTERM');
      assert.deepEqual(await server.exit, { code: 0, signal: null }, server.output());
    } finally {
      await allowConnections(url(), true);
    }
  });
});

describe('SIGTERM while the database is silent', () => {
  let proxy: TcpProxy;
  before(async () => {
    proxy = await TcpProxy.start(url());
  });
  after(async () => {
    proxy.resume();
    await proxy.close();
  });

  it('stops by the 10 s deadline, says what it abandoned, and exits 1', async (t) => {
    const { server, base } = await startServer({ DATABASE_URL: proxy.urlFor(url()), TRUST_PROXY: 'loopback' });
    await ready(base, server);
    const form = formFields(parsePage(await (await fetch(`${base}${DEMO_PATH}`)).text()));
    proxy.silence();

    // A post that needs the database, and an upload that never ends: the second can only be abandoned.
    const post = postComment(base, { ...form, comment: 'Sent as the database went silent.', author: 'Ada', email: 'ada@example.org' });
    const upload = net.connect(Number(new URL(base).port), '127.0.0.1');
    upload.on('error', () => {});
    upload.write(
      `POST ${COMMENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncomment=half`,
    );
    await sleep(300);
    const signalAt = Date.now();
    server.child.kill('SIGTERM');

    const answer = await post;
    assert.equal(answer.status, 503, 'the post in flight is answered, its text kept');
    assert.equal(formFields(parsePage(await answer.text())).comment, 'Sent as the database went silent.');
    const ended = await Promise.race([server.exit, sleep(STOP_WITHIN_MS + MARGIN_MS).then(() => undefined)]);
    const took = Date.now() - signalAt;
    t.diagnostic(`exited ${took} ms after SIGTERM: ${server.output().match(/^Stopped, .*$/m)?.[0] ?? ''}`);
    upload.destroy();
    assert.ok(ended, `still running ${(STOP_WITHIN_MS + MARGIN_MS) / 1000} s after SIGTERM:\n${server.output()}`);
    assert.deepEqual(ended, { code: 1, signal: null }, server.output());
    assert.match(server.output(), /^Stopped, abandoning what could not finish within the 10 s allowed: .*1 request still in flight/m);
    assert.doesNotMatch(server.output(), /^Stopped\.$/m);
  });
});

describe('draining on SIGTERM (SHUTDOWN_DRAIN_SECONDS)', () => {
  it('answers /readyz 503 and keeps serving for the drain, then closes the port and exits 0', async () => {
    const { server, base } = await startServer({ DATABASE_URL: url(), SHUTDOWN_DRAIN_SECONDS: '2' });
    await ready(base, server);
    const signalAt = Date.now();
    server.child.kill('SIGTERM');
    await until(() => server.output().includes('Received SIGTERM'), 5000, 'word of the signal');

    const readiness = await fetch(`${base}/readyz`);
    assert.equal(readiness.status, 503);
    assert.equal(await readiness.text(), 'stopping');
    const article = await fetch(`${base}${DEMO_PATH}`);
    assert.equal(article.status, 200, 'pages are still served');
    assert.equal(article.headers.get('connection'), 'close', 'and their connections are not kept');

    await until(
      () =>
        fetch(`${base}/healthz`).then(
          () => false,
          () => true,
        ),
      8000,
      'the port closed',
    );
    const closedAfter = Date.now() - signalAt;
    assert.ok(closedAfter >= 1800, `the port closed ${closedAfter} ms after SIGTERM, before the 2 s drain was over`);
    assert.deepEqual(await server.exit, { code: 0, signal: null }, server.output());
    assert.match(server.output(), /^Stopped\.$/m);
  });
});

/** Sends a chunked form body of `bytes` and then a GET on the same connection; the statuses answered, and whether it closed. */
async function chunkedThenAnother(port: number, target: string, bytes: number): Promise<{ statuses: string[]; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  socket.write(
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`;
  const part = 'a'.repeat(64 * 1024);
  socket.write(chunk('comment='));
  for (let sent = 0; sent < bytes; sent += part.length) socket.write(chunk(part));
  socket.write('0\r\n\r\n');
  await until(() => /HTTP\/1\.1 \d{3}/.test(received) || closed, 10_000, 'an answer to the large body');
  socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  await until(() => closed, 10_000, 'the second answer');
  return { statuses: [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]!), closed };
}

async function listening(handler: RequestListener, inGate: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const server = inGate ? createHttpServer(handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a chunked form body over the limit', () => {
  it('gets 413 and the connection stays usable, from the app and from the start-up gate alike', async () => {
    const gate = createGate({ production: false });
    for (const handler of [buildTestApp(database.db) as RequestListener, gate.handle]) {
      const server = await listening(handler, handler === gate.handle);
      try {
        const { statuses } = await chunkedThenAnother(server.port, COMMENTS_PATH, 1.2 * 1024 * 1024);
        assert.deepEqual(statuses, ['413', '200']);
      } finally {
        await server.close();
      }
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Express } from 'express';
import knex from 'knex';
import pg from 'pg';
import type request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import type { Database } from '../../src/platform/db/connection.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/mail/mailer.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { TEST_COOKIE_SECRET } from './app.js';
import { commentingApp, loadForm, postPairs, typed, type Client, type PostOptions } from './commenting.js';
import { parsePage, type Page } from './html.js';
import type { StoredComment } from './rows.js';

/**
 * What the attack corpus and the fuzz test share: posting as a person
 * would, reading back the stored row and the mail it caused, the headers
 * every response must carry, and a raw socket for what supertest cannot send.
 */

/** Markup and template syntax that must come back as the very text typed, everywhere it is shown. */
export const XSS_PAYLOADS = {
  'script element': '<script>alert("xss")</script>',
  'image with onerror': '"><img src=x onerror=alert(1)>',
  'svg with onload': "'><svg onload=alert(1)>",
  'textarea breakout': '</textarea><script>alert(1)</script>',
  'JSON-LD breakout': '</script><!--<script>alert(1)</script>',
  'CDATA breakout': ']]><img src=x onerror=alert(1)><![CDATA[',
  'attribute breakout': '" autofocus onfocus="alert(1)',
  'EJS tag': '<%= process.env.SESSION_SECRET %><%- "<img src=x>" %>',
  'pre-escaped entities': '&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#60;b&#62;',
  'javascript link': '<a href="javascript:alert(1)">click</a><iframe src="data:text/html,x"></iframe>',
} as const;

/** One client address per post: the flood limit is per address and email, and these tests are not about it. */
let addressCounter = 0;
const nextAddress = () => `198.51.100.${(addressCounter++ % 250) + 1}`;

export type AttackHarness = ReturnType<typeof attackHarness>;

/** commentingApp, plus posting the rendered form with chosen fields (or exact pairs) after a human pause. */
export function attackHarness(db: Database, environment: NodeJS.ProcessEnv = {}) {
  const harness = commentingApp(db, environment);
  return {
    ...harness,
    /** Loads the form in `browser`, types `overrides` into it and posts it as a browser would. */
    async post(
      overrides: Record<string, string | undefined>,
      options: PostOptions & { browser?: Client; pagePath?: string } = {},
    ): Promise<request.Response> {
      const browser = options.browser ?? harness.browser();
      const { fields } = await loadForm(browser, options.pagePath);
      harness.advanceSeconds(5);
      await db('rate_limits').delete();
      return postPairs(browser, typed(fields, overrides), { ip: nextAddress(), ...options });
    },
    /** Posts exactly these pairs (repeats allowed), with the hidden fields of a freshly rendered form first. */
    async postPairs(pairs: Array<[string, string]>, options: PostOptions & { browser?: Client } = {}): Promise<request.Response> {
      const browser = options.browser ?? harness.browser();
      const { fields } = await loadForm(browser);
      harness.advanceSeconds(5);
      await db('rate_limits').delete();
      const hidden = Object.entries(fields).filter(([name]) => ['submission_id', 'rendered_at'].includes(name));
      return postPairs(browser, [...hidden, ...pairs], { ip: nextAddress(), ...options });
    },
  };
}

/** The id in an accepted comment's `Location` (303 to `…#comment-<id>`); fails otherwise. */
export function acceptedId(response: request.Response): string {
  assert.equal(response.status, 303, `expected the comment to be accepted, got ${response.status}`);
  const id = /#comment-(\d+)$/.exec(response.headers.location ?? '')?.[1];
  assert.ok(id, `Location ${response.headers.location} names a comment`);
  return id;
}

export async function storedComment(db: Database, id: string): Promise<StoredComment> {
  const row = await db('comments').where({ id }).first<StoredComment | undefined>();
  assert.ok(row, `comment ${id} is stored`);
  return row;
}

export async function rowCounts(db: Database): Promise<{ comments: number; mail: number; signedIn: number; users: number }> {
  const { rows } = await db.raw<{ rows: Array<Record<string, string>> }>(`
    SELECT (SELECT count(*) FROM comments) AS comments,
           (SELECT count(*) FROM mail_outbox) AS mail,
           (SELECT count(*) FROM session WHERE sess->>'userId' IS NOT NULL) AS signed_in,
           (SELECT count(*) FROM users) AS users`);
  const [row] = rows;
  return { comments: Number(row!.comments), mail: Number(row!.mail), signedIn: Number(row!.signed_in), users: Number(row!.users) };
}

export interface DeliveredMail {
  headers: Map<string, string>;
  /** Header lines as written, folded lines joined. */
  rawHeaders: string[];
  contentType: string;
  body: string;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=` / `?B?`) back to text. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QBqb])\?([^?]*)\?=/g, (_word, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}

/** A single-part .eml as the outbox writes it: headers decoded, body with its transfer encoding undone. */
export function parseMail(eml: string): DeliveredMail {
  const split = eml.indexOf('\n\n');
  assert.ok(split > 0, 'a mail has headers and a body');
  const rawHeaders = eml
    .slice(0, split)
    .replace(/\r/g, '')
    .split('\n')
    .reduce<string[]>((lines, line) => {
      if (/^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += line;
      else lines.push(line);
      return lines;
    }, []);
  const headers = new Map<string, string>();
  for (const line of rawHeaders) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoded = eml.slice(split + 2);
  const transfer = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let body: string;
  if (transfer === 'base64') body = Buffer.from(encoded, 'base64').toString('utf8');
  else if (transfer === 'quoted-printable') {
    const bytes = encoded
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  } else body = encoded;
  return { headers, rawHeaders, contentType: headers.get('content-type') ?? '', body: body.replace(/\n$/, '') };
}

/** Sends everything queued through the real mailer into a fresh outbox folder and reads the files back, oldest first. */
export async function deliverQueuedMail(db: Database): Promise<DeliveredMail[]> {
  const outboxDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-attack-mail-'));
  const mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  try {
    while ((await deliverDueMail(db, mailer)) > 0);
    const files = (await readdir(outboxDir)).filter((name) => name.endsWith('.eml')).sort();
    return await Promise.all(files.map(async (name) => parseMail(await readFile(path.join(outboxDir, name), 'utf8'))));
  } finally {
    mailer.close();
    await rm(outboxDir, { recursive: true, force: true });
  }
}

/** A response header as text: '' when absent, repeated values joined as Node joins them. */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

/** The headers helmet sets, on any response; HSTS only where the site runs in production. */
export function assertSecurityHeaders(headers: Record<string, unknown>, where: string, options: { hsts: boolean } = { hsts: false }) {
  const csp = headerText(headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/, `${where}: CSP`);
  assert.match(csp, /base-uri 'none'/, `${where}: base-uri`);
  assert.match(csp, /frame-ancestors 'none'/, `${where}: frame-ancestors`);
  assert.match(csp, /script-src 'self'(;|$)/, `${where}: scripts from the site only, nothing inline`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${where}: no unsafe-*`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${where}: nosniff`);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', `${where}: Referrer-Policy`);
  assert.equal(headers['x-powered-by'], undefined, `${where}: X-Powered-By`);
  if (options.hsts) assert.match(headerText(headers['strict-transport-security']), /^max-age=\d{7,}/, `${where}: HSTS`);
  else assert.equal(headers['strict-transport-security'], undefined, `${where}: no HSTS outside production`);
}

/** The app listening on a loopback port, for requests supertest cannot make. */
export async function listening(app: Express): Promise<{ port: number; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  head: string;
  /** Bytes of the request body written before the response's status line arrived. */
  bodyBytesWritten: number;
  /** Milliseconds from the end of the request headers to the response's status line. */
  elapsedMs: number;
}

/**
 * Writes a request's head, then its body slowly in chunks, stopping as soon
 * as a response starts to arrive: so a test can tell whether the server
 * answered before reading the body to the end.
 */
export function rawExchange(
  port: number,
  head: string,
  body: { chunk: Buffer; count: number; intervalMs: number },
  timeoutMs = 5000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let written = 0;
    let received = '';
    let startedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      clearTimeout(deadline);
      socket.destroy();
      if (error) return reject(error);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
      resolve({ status, head: received.split('\r\n\r\n')[0] ?? '', bodyBytesWritten: written, elapsedMs: performance.now() - startedAt });
    };
    const deadline = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms (${written} body bytes written)`)), timeoutMs);
    socket.on('error', (error) => (received ? finish() : finish(error)));
    socket.on('data', (data) => {
      received += data.toString('latin1');
      if (received.includes('\r\n\r\n')) finish();
    });
    socket.on('connect', () => {
      socket.write(head);
      startedAt = performance.now();
      let sent = 0;
      const writeNext = () => {
        if (socket.destroyed || sent >= body.count) return;
        socket.write(body.chunk);
        written += body.chunk.length;
        sent += 1;
        timer = setTimeout(writeNext, body.intervalMs);
      };
      writeNext();
    });
  });
}

/** A refused request: the status wanted, the message at the field named, and not one row more anywhere. */
export async function assertRefused(
  db: Database,
  before: Awaited<ReturnType<typeof rowCounts>>,
  response: request.Response,
  status: number,
  field?: string,
): Promise<Page> {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${response.text.slice(0, 300)}`);
  assert.deepEqual(await rowCounts(db), before, 'nothing stored');
  const page = parsePage(response.text);
  if (field) assert.equal(page(`#${field}-error`).length, 1, `a message at ${field}`);
  return page;
}

export interface PlainResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** One request on `agent`'s connections, its body exactly these bytes. */
function exchange(port: number, agent: http.Agent | false, spec: RequestSpec): Promise<PlainResponse> {
  return new Promise<PlainResponse>((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, method: spec.method ?? 'POST', path: spec.path, headers: spec.headers, agent },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(spec.body);
  });
}

/** One request with exactly these bytes as its body (supertest re-encodes a Buffer sent as a form). */
export async function sendBytes(app: Express, spec: RequestSpec): Promise<PlainResponse> {
  const server = await listening(app);
  try {
    return await exchange(server.port, false, spec);
  } finally {
    await server.close();
  }
}

/** The app listening, and a keep-alive client for many requests in a row. */
export async function keepAliveClient(app: Express) {
  const server = await listening(app);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    port: server.port,
    send: (spec: RequestSpec) => exchange(server.port, agent, spec),
    async close() {
      agent.destroy();
      await server.close();
    },
  };
}

let sessionPool: pg.Pool | undefined;

/**
 * The real app with a chosen logger and database (buildTestApp's logger is
 * silent): for the log tests, and for a database that refuses every query.
 */
export function appWith(db: Database, options: { logger?: Logger; environment?: NodeJS.ProcessEnv } = {}): Express {
  sessionPool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2, allowExitOnIdle: true });
  return createApp({
    config: loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir(), TRUST_PROXY: 'loopback', ...options.environment }),
    db,
    cookieSecret: TEST_COOKIE_SECRET,
    logger: options.logger ?? createLogger('silent'),
    sessionPool,
  });
}

/**
 * The test database seen through a search path with none of its tables:
 * every query fails as a bug would (42P01), so any page is a 500.
 */
export function databaseWithoutTables(): Database {
  return knex({
    client: 'pg',
    connection: { connectionString: process.env.DATABASE_URL, options: '-c search_path=no_such_schema' },
    pool: { min: 0, max: 2 },
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

export interface CapturedLog {
  logger: Logger;
  /** Everything written so far. */
  text(): string;
  /** Each line, parsed. */
  lines(): Array<Record<string, unknown>>;
}

/** A logger at `trace` (the most it will ever write) into memory. */
export function capturedLog(): CapturedLog {
  const chunks: string[] = [];
  const destination = { write: (chunk: string) => void chunks.push(chunk) } as unknown as Writable;
  return {
    logger: createLogger('trace', destination),
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

import assert from 'node:assert/strict';
import request from 'supertest';
import type { Database } from '../../src/platform/db/connection.js';
import { buildTestApp } from './app.js';
import { DEMO_SLUG } from './database.js';
import { formFields, parsePage, type Page } from './html.js';

/** The origin the test app believes it has (its default BASE_URL). */
export const APP_ORIGIN = 'http://127.0.0.1:3000';
export const DEMO_PATH = `/articles/${DEMO_SLUG}`;
export const COMMENTS_PATH = `${DEMO_PATH}/comments`;
export const TEST_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) BroadsheetTests/1.0';

export type Client = ReturnType<typeof request.agent>;

/**
 * The app under a clock the test moves: a form is posted "a few seconds"
 * after it was shown, as a person would, so no timing trap mistakes a test
 * for a bot. TRUST_PROXY=loopback lets each post say which client IP it is.
 */
export function commentingApp(db: Database, environment: NodeJS.ProcessEnv = {}) {
  let nowMs = Date.now();
  const app = buildTestApp(db, { TRUST_PROXY: 'loopback', ...environment }, { now: () => nowMs });
  return {
    app,
    /** A browser: keeps the cookies it is given. */
    browser: (): Client => request.agent(app),
    advanceSeconds(seconds: number) {
      nowMs += seconds * 1000;
    },
  };
}

export interface LoadedForm {
  page: Page;
  html: string;
  /** Every field the rendered form would submit as it stands. */
  fields: Record<string, string>;
}

/** GETs an article page and reads its comment form as a browser would. */
export async function loadForm(client: Client, path = DEMO_PATH): Promise<LoadedForm> {
  const response = await client.get(path).set('User-Agent', TEST_USER_AGENT);
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  const page = parsePage(response.text);
  return { page, html: response.text, fields: formFields(page) };
}

/** What a commenter types, on top of the rendered form's own fields. */
export function typed(fields: Record<string, string>, overrides: Record<string, string | undefined> = {}) {
  const filled: Record<string, string> = {
    ...fields,
    comment: 'A thoughtful reply about military ties.',
    author: 'Ada Reader',
    email: 'ada@example.org',
    url: 'https://ada.example.org/',
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete filled[key];
    else filled[key] = value;
  }
  return filled;
}

export interface PostOptions {
  path?: string;
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

/** POSTs url-encoded pairs (repeat a name to repeat a field). */
export function postPairs(client: Client, pairs: Array<[string, string]> | Record<string, string>, options: PostOptions = {}) {
  const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  let post = client
    .post(options.path ?? COMMENTS_PATH)
    .set('User-Agent', TEST_USER_AGENT)
    .type('form');
  const origin = options.origin === undefined ? APP_ORIGIN : options.origin;
  if (origin !== null) post = post.set('Origin', origin);
  if (options.ip) post = post.set('X-Forwarded-For', options.ip);
  for (const [name, value] of Object.entries(options.headers ?? {})) post = post.set(name, value);
  return post.send(new URLSearchParams(entries).toString());
}

/** The names of the cookies a response sets. */
export function cookiesSet(response: { headers: Record<string, unknown> }): string[] {
  const header = response.headers['set-cookie'];
  const lines = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  return lines.map((line) => line.slice(0, line.indexOf('=')));
}

/** The raw `name=value` of one cookie a response sets, if it sets it. */
export function cookieValue(response: { headers: Record<string, unknown> }, name: string): string | undefined {
  const header = response.headers['set-cookie'];
  const lines = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  const line = lines.find((candidate) => candidate.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0];
}

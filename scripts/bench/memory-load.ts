import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import * as cheerio from 'cheerio';
import { MINIMUM_SECONDS_TO_WRITE } from '../../src/comments/discussion-rules.js';
import { readCommentForm } from '../lib/comment-form.js';
import { megabytes, memoryAfterLoad, memoryOf, waitUntilIdle, type Memory } from './proc.js';
import type { MemorySample, Say } from './scale-kit.js';

/**
 * The memory row's two loads on one running app, each followed by the quiet
 * the row settles over: first a mixed load (article page, home page, comment
 * POSTs from distinct addresses, the signed-in moderation queue), then a
 * burst of 2,000 connections at once to /readyz. The app must trust the
 * loopback proxy (TRUST_PROXY=loopback) for the posts' addresses and have the
 * admin given here.
 */

export const MIXED_LOAD_SECONDS = 180;
export const BURST_CONNECTIONS = 2000;
const MIXED_CONNECTIONS = 20;
/** Each burst connection sends a few requests, so that all 2,000 are open at once for a while. */
const BURST_REQUESTS_PER_CONNECTION = 3;

export interface MemoryLoadInput {
  base: string;
  pid: number;
  articlePath: string;
  admin: { username: string; password: string };
  mixedSeconds?: number;
  say: Say;
}

export interface MemoryLoadResult {
  idle: Memory;
  samples: MemorySample[];
}

/** The session cookie of a signed-in admin, signing in as a browser does (the login form's CSRF token, then the credentials). */
async function signIn(base: string, admin: MemoryLoadInput['admin']): Promise<string> {
  const form = await fetch(new URL('/admin/login', base));
  const cookies = form.headers.getSetCookie().map((line) => line.split(';')[0]!);
  const csrf = cheerio
    .load(await form.text())('input[name="_csrf"]')
    .attr('value');
  if (!csrf) throw new Error(`the login form answered ${form.status} without a _csrf field`);
  const answer = await fetch(new URL('/admin/login', base), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies.join('; '), Origin: base },
    body: new URLSearchParams({ ...admin, _csrf: csrf }).toString(),
  });
  if (answer.status !== 303) throw new Error(`signing in answered ${answer.status}`);
  return [...cookies, ...answer.headers.getSetCookie().map((line) => line.split(';')[0]!)].join('; ');
}

/** The article's comment form as rendered, once it is old enough that the timing trap lets its posts through. */
async function readyCommentForm(base: string, articlePath: string): Promise<{ action: string; fields: Record<string, string> }> {
  const page = await fetch(new URL(articlePath, base));
  const form = readCommentForm(await page.text());
  if (!form) throw new Error(`${articlePath} answered ${page.status} without a comment form`);
  await new Promise((resolve) => setTimeout(resolve, MINIMUM_SECONDS_TO_WRITE * 1000 + 300));
  return form;
}

type Kind = 'article' | 'home' | 'post' | 'queue';
/** Mostly readers; one request in ten a comment, one in ten the moderation queue. */
const MIX: readonly Kind[] = ['article', 'home', 'article', 'post', 'article', 'home', 'queue', 'article', 'home', 'article'];

async function runMixedLoad(input: MemoryLoadInput, seconds: number): Promise<autocannon.Result> {
  const cookie = await signIn(input.base, input.admin);
  const form = await readyCommentForm(input.base, input.articlePath);
  let sent = 0;
  let posted = 0;
  const requestFor = (request: autocannon.Request): autocannon.Request => {
    const kind = MIX[sent++ % MIX.length]!;
    if (kind === 'home') return { ...request, method: 'GET', path: '/' };
    if (kind === 'queue') return { ...request, method: 'GET', path: '/admin/comments', headers: { ...request.headers, Cookie: cookie } };
    if (kind === 'article') return { ...request, method: 'GET', path: input.articlePath };
    const n = ++posted;
    return {
      ...request,
      method: 'POST',
      path: form.action,
      body: new URLSearchParams({
        ...form.fields,
        submission_id: randomUUID(),
        author: `Memory Reader ${n}`,
        email: `memory-${n}-${randomUUID()}@bench.invalid`,
        comment: `A thought on the piece, number ${n}, from the memory row.`,
      }).toString(),
      headers: {
        ...request.headers,
        'Content-Type': 'application/x-www-form-urlencoded',
        // A distinct address each: the flood limit counts per IP.
        'X-Forwarded-For': `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
      },
    };
  };
  return autocannon({
    url: input.base,
    connections: MIXED_CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: requestFor }],
  });
}

function runBurst(base: string): Promise<autocannon.Result> {
  return autocannon({
    url: new URL('/readyz', base).href,
    connections: BURST_CONNECTIONS,
    amount: BURST_CONNECTIONS * BURST_REQUESTS_PER_CONNECTION,
    timeout: 30,
  });
}

const answers = (result: autocannon.Result) =>
  `${result.requests.total} answers (${result['2xx']} 2xx, ${result.non2xx} other), ${result.errors} errors, ${result.timeouts} timeouts`;

/** Memory of the app idle, then settled after each load. */
export async function measureMemoryAfterLoads(input: MemoryLoadInput): Promise<MemoryLoadResult> {
  const { pid, say } = input;
  const seconds = input.mixedSeconds ?? MIXED_LOAD_SECONDS;
  await waitUntilIdle([pid]);
  const idle = await memoryOf(pid);
  if (!idle) throw new Error(`the app (pid ${pid}) is gone`);
  say(`memory: idle RSS ${megabytes(idle.rss)}; ${seconds} s of mixed load over ${MIXED_CONNECTIONS} connections…`);
  const mixed = await runMixedLoad(input, seconds);
  say(`  ${answers(mixed)}; waiting for the app to settle…`);
  const afterMixed = (await memoryAfterLoad([pid])).get(pid);
  if (!afterMixed) throw new Error(`the app (pid ${pid}) is gone`);
  say(`  settled RSS ${megabytes(afterMixed.settled)}; ${BURST_CONNECTIONS} connections at once to /readyz…`);
  const burst = await runBurst(input.base);
  say(`  ${answers(burst)}; waiting for the app to settle…`);
  const afterBurst = (await memoryAfterLoad([pid])).get(pid);
  if (!afterBurst) throw new Error(`the app (pid ${pid}) is gone`);
  say(`  settled RSS ${megabytes(afterBurst.settled)}.`);
  return {
    idle,
    samples: [
      { label: `app after ${seconds} s of mixed load`, pid, memory: afterMixed },
      { label: `app after ${BURST_CONNECTIONS} connections at once to /readyz`, pid, memory: afterBurst },
    ],
  };
}

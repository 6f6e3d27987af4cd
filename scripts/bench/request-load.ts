import autocannon from './autocannon-without-bodies.js';
import type { LoadFigures } from './load.js';
import { clientAddress, commentPostBody, type CommentPostPlan } from './post-plan.js';
import { serveJobs } from './processes.js';

/**
 * Child process of the scale rows that generates load with request headers
 * and bodies: a commenter's cookie on every GET, or a different comment in
 * every POST. Like load.ts it lives in its own process, so autocannon never
 * shares an event loop with a server it measures; it takes one job at a time
 * over IPC and answers with figures, status codes counted one by one.
 */

export interface RequestJob {
  url: string;
  connections: number;
  /** Run for this long… */
  seconds?: number;
  /** …or until exactly this many requests have been answered (or timed out). */
  amount?: number;
  headers?: Record<string, string>;
  posts?: CommentPostPlan;
}

export interface RequestFigures extends LoadFigures {
  /** Responses per HTTP status code, e.g. { '303': 10000 }. */
  statusCodes: Record<string, number>;
  /** Wall-clock seconds the job took (for `amount` jobs the rate is counted over this). */
  elapsedSeconds: number;
  /** Comment posts built so far by this process (post numbers 1 to this), for cleaning up after them. */
  postsBuilt: number;
}

let posted = 0;

function requestsFor(job: RequestJob): autocannon.Request[] | undefined {
  const { posts } = job;
  if (!posts) return undefined;
  return [
    {
      method: 'POST',
      setupRequest: (request) => {
        const n = ++posted;
        const body = commentPostBody(posts, n);
        return {
          ...request,
          body,
          headers: {
            ...request.headers,
            'Content-Type': 'application/x-www-form-urlencoded',
            // Believed because the app trusts the loopback proxy (TRUST_PROXY=loopback).
            'X-Forwarded-For': clientAddress(n),
          },
        };
      },
    },
  ];
}

async function runJob(job: RequestJob): Promise<RequestFigures> {
  const startedAt = performance.now();
  // autocannon ends a run on its next one-second tick: a job of a fixed
  // amount is timed to its last answer instead, or its rate would read low
  // by up to a second's worth.
  let lastAnswerAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.seconds ?? 10 }),
        pipelining: 1,
        headers: job.headers ?? {},
        requests: requestsFor(job),
      },
      (error: unknown, finished) =>
        error ? reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error })) : resolve(finished),
    );
    instance.on('response', () => {
      lastAnswerAt = performance.now();
    });
  });
  const elapsedSeconds = ((job.amount !== undefined ? lastAnswerAt : performance.now()) - startedAt) / 1000;
  const responses = result.requests.total;
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(stats.count ?? 0);
  return {
    url: job.url,
    requestsPerSecond: job.amount !== undefined ? responses / elapsedSeconds : result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    bytesPerResponse: responses > 0 ? result.throughput.total / responses : 0,
    responses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    elapsedSeconds,
    postsBuilt: posted,
  };
}

serveJobs(runJob);

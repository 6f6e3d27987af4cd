import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import { clientAddress, commentPostBody, type CommentPostPlan } from './post-plan.js';

/**
 * Child process of `npm run bench` that generates every load, so autocannon
 * never shares an event loop with a server it measures. It takes one job at
 * a time over IPC (plain GETs, GETs with a commenter's cookie, or a different
 * comment in every POST) and answers with figures, status codes counted one
 * by one.
 */

export interface LoadJob {
  url: string;
  connections: number;
  /** Run for this long… */
  seconds?: number;
  /** …or until exactly this many requests have been answered (or timed out). */
  amount?: number;
  headers?: Record<string, string>;
  posts?: CommentPostPlan;
}

export interface LoadFigures {
  url: string;
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  bytesPerResponse: number;
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses per HTTP status code, e.g. { '303': 10000 }. */
  statusCodes: Record<string, number>;
  /** Wall-clock seconds the job took (for `amount` jobs the rate is counted over this). */
  elapsedSeconds: number;
  /** Comment posts built so far by this process (post numbers 1 to this), for cleaning up after them. */
  postsBuilt: number;
}

/**
 * autocannon appends every body chunk to a string, kept only for its
 * expectBody/verifyBody options (not used here). For a large page with
 * non-ASCII text that UTF-8 decoding costs the load generator more than the
 * servers it measures cost, ceilings included; bytes, latency and status
 * codes do not need the body, so it is dropped.
 */
const bodyQueue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody(data: Buffer): void };
};
bodyQueue.prototype.addBody = () => {};

let posted = 0;

function requestsFor(posts: CommentPostPlan | undefined): autocannon.Request[] | undefined {
  if (!posts) return undefined;
  return [
    {
      method: 'POST',
      setupRequest: (request) => {
        const n = ++posted;
        return {
          ...request,
          body: commentPostBody(posts, n),
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

async function runJob(job: LoadJob): Promise<LoadFigures> {
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
        requests: requestsFor(job.posts),
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

process.on('message', (job: LoadJob) => {
  runJob(job).then(
    (figures) => process.send?.({ figures }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

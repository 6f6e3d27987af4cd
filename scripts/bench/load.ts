import autocannon from './autocannon-without-bodies.js';
import { serveJobs } from './processes.js';

/**
 * Child process of `npm run bench` that generates the load, so autocannon
 * does not share an event loop with any server it measures. It takes one job
 * at a time over IPC and answers with the figures the report needs.
 */

export interface LoadJob {
  url: string;
  connections: number;
  seconds: number;
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
}

async function runJob(job: LoadJob): Promise<LoadFigures> {
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    pipelining: 1,
  });
  const responses = result.requests.total;
  return {
    url: job.url,
    requestsPerSecond: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    bytesPerResponse: responses > 0 ? result.throughput.total / responses : 0,
    responses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

serveJobs(runJob);

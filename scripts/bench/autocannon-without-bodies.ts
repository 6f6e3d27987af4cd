import { createRequire } from 'node:module';
import autocannon from 'autocannon';

/**
 * autocannon, changed not to keep response bodies. It appends every body
 * chunk to a string, kept only for its expectBody/verifyBody options (not
 * used here). For a 100 KB page with any non-ASCII text that UTF-8 decoding
 * costs the load generator more than the servers it measures: on the 2-core
 * machine every target sending the article page's bytes stalled near
 * 2,800 req/s, ceilings included. Counting bytes, latency and status codes
 * does not need the body, so it is dropped.
 */
const bodyQueue = createRequire(import.meta.url)('autocannon/lib/pipelinedRequestsQueue.js') as {
  prototype: { addBody(data: Buffer): void };
};
bodyQueue.prototype.addBody = () => {};

export default autocannon;

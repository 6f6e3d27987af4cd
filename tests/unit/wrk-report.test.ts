import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrkReport } from '../../scripts/bench/wrk.js';

/** The bench's workers row reads wrk's text report; its units vary with the figures. */

const REPORT = `Running 10s test @ http://127.0.0.1:3999/articles/a
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.05ms    2.10ms  40.00ms   90.00%
    Req/Sec     5.56k   300.00     6.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    9.50ms
     90%   10.50ms
     99%    1.20s
  55340 requests in 10.00s, 8.77GB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:   5534.17
Transfer/sec:    897.00MB
`;

describe('the wrk report', () => {
  it('gives the rate, the percentiles in milliseconds, the bytes per response and the failures', () => {
    const figures = parseWrkReport('http://127.0.0.1:3999/articles/a', REPORT, 10);
    assert.equal(figures.requestsPerSecond, 5534.17);
    assert.equal(figures.latencyP50, 1, '812 µs, rounded to whole milliseconds');
    assert.equal(figures.latencyP99, 1200);
    assert.equal(figures.responses, 55340);
    assert.equal(figures.bytesPerResponse, Math.round((8.77 * 1024 ** 3) / 55340));
    assert.deepEqual([figures.errors, figures.timeouts, figures.non2xx], [6, 4, 5]);
    assert.deepEqual(figures.statusCodes, { '200': 55335, 'not 2xx/3xx': 5 });
  });

  it('reads a run that got no answer as no requests at all', () => {
    const figures = parseWrkReport('http://x/', 'unable to connect to 127.0.0.1:3999 Connection refused\n', 1);
    assert.equal(figures.responses, 0);
    assert.equal(figures.requestsPerSecond, 0);
    assert.deepEqual(figures.statusCodes, { '200': 0 });
  });
});

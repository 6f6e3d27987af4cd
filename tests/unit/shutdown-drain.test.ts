import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

describe('SHUTDOWN_DRAIN_SECONDS', () => {
  it('is 5 s by default, and 0 under NODE_ENV=test, where no load balancer needs telling', () => {
    assert.equal(loadConfig({}).shutdownDrainMs, 5000);
    assert.equal(loadConfig({ NODE_ENV: 'test' }).shutdownDrainMs, 0);
  });

  it('takes whole seconds from 0 to 6, in any environment', () => {
    assert.equal(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '0' }).shutdownDrainMs, 0);
    assert.equal(loadConfig({ NODE_ENV: 'test', SHUTDOWN_DRAIN_SECONDS: '2' }).shutdownDrainMs, 2000);
    assert.equal(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '6' }).shutdownDrainMs, 6000);
    assert.equal(loadConfig({ SHUTDOWN_DRAIN_SECONDS: '' }).shutdownDrainMs, 5000);
  });

  it('refuses anything else with one line naming the variable: the whole stop must fit in 10 s', () => {
    for (const value of ['7', '10', '-1', '1.5', 'five']) {
      assert.throws(
        () => loadConfig({ SHUTDOWN_DRAIN_SECONDS: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^Invalid SHUTDOWN_DRAIN_SECONDS: must be a whole number of seconds from 0 to 6$/.test(error.message),
        value,
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import knex from 'knex';
import { DatabaseUnreachableError } from '../../src/platform/db/bounded-client.js';
import { isDatabaseUnavailable, isResourceRefusal } from '../../src/platform/db/unavailable.js';

const withCode = (code: string, message = 'any wording') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable: server errors by SQLSTATE', () => {
  const unavailable = {
    '08000': 'connection exception',
    '08001': 'cannot establish a connection',
    '08003': 'connection does not exist',
    '08004': 'server rejected the connection',
    '08006': 'connection failure',
    '08P01': 'protocol violation',
    '53000': 'insufficient resources',
    '53100': 'disk full',
    '53200': 'out of memory',
    '53300': 'too many connections',
    '53400': 'configuration limit exceeded',
    '55000': 'database not accepting connections',
    '55P03': 'lock not available (lock_timeout)',
    '57014': 'query canceled (statement_timeout)',
    '57P01': 'admin shutdown',
    '57P02': 'crash shutdown',
    '57P03': 'cannot connect now',
  };
  for (const [code, what] of Object.entries(unavailable)) {
    it(`${code} (${what}) is unavailable`, () => assert.equal(isDatabaseUnavailable(withCode(code)), true));
  }

  const faults = {
    '23505': 'unique violation',
    '22001': 'value too long',
    '42P01': 'undefined table',
    '42703': 'undefined column',
    '28P01': 'wrong password',
    '3D000': 'no such database',
    '40P01': 'deadlock',
    XX000: 'internal error',
  };
  for (const [code, what] of Object.entries(faults)) {
    it(`${code} (${what}) is a fault, not unavailability`, () => assert.equal(isDatabaseUnavailable(withCode(code)), false));
  }
});

describe('isDatabaseUnavailable: client-side failures by class and errno', () => {
  for (const errno of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']) {
    it(`${errno} is unavailable`, () => assert.equal(isDatabaseUnavailable(withCode(errno)), true));
  }

  it('knex’s pool acquire timeout (KnexTimeoutError) is unavailable', () => {
    assert.equal(isDatabaseUnavailable(new knex.KnexTimeoutError('Knex: Timeout acquiring a connection.')), true);
  });

  for (const reason of ['connect-timeout', 'answer-timeout', 'no-free-connection', 'connection-lost'] as const) {
    it(`DatabaseUnreachableError (${reason}) is unavailable`, () =>
      assert.equal(isDatabaseUnavailable(new DatabaseUnreachableError(reason)), true));
  }

  it('an error wrapping one of these (cause) is unavailable', () => {
    assert.equal(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('57P01') })), true);
  });

  it('never by message text: pg’s own wordings without a class or code are not taken for an outage', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'timeout expired',
      'Query read timeout',
      'Client has encountered a connection error and is not queryable',
    ]) {
      assert.equal(isDatabaseUnavailable(new Error(message)), false, message);
    }
  });

  it('other values are not errors at all', () => {
    for (const value of [undefined, null, 'ECONNREFUSED', 42, { code: 'not-a-state' }]) assert.equal(isDatabaseUnavailable(value), false);
  });
});

describe('isResourceRefusal', () => {
  it('is SQLSTATE class 53 only', () => {
    assert.equal(isResourceRefusal(withCode('53100')), true);
    assert.equal(isResourceRefusal(withCode('53300')), true);
    assert.equal(isResourceRefusal(withCode('55P03')), false);
    assert.equal(isResourceRefusal(withCode('ECONNREFUSED')), false);
  });
});

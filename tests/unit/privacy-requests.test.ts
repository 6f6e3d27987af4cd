import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHash, hashedCommenter } from '../../src/moderation/block-hash.js';
import {
  addressKey,
  confirmationHashOf,
  CONFIRMATION_LIFETIME_MS,
  describeReport,
  emailField,
  newConfirmationToken,
  requestState,
  withoutErasedValues,
} from '../../src/privacy/privacy-requests.js';

const SECRET = 'a-secret-long-enough-for-the-tests-0123456789';
const at = new Date('2026-12-07T12:00:00Z');

describe('confirmation tokens', () => {
  it('stand for the stored hash, and a forged or altered one stands for nothing', () => {
    const { token, hash } = newConfirmationToken(SECRET);
    assert.deepEqual(confirmationHashOf(SECRET, token), hash);
    assert.equal(confirmationHashOf('another-secret-long-enough-for-tests-000', token), null);
    assert.equal(confirmationHashOf(SECRET, `${token}x`), null);
    assert.equal(confirmationHashOf(SECRET, ['a']), null);
    assert.notEqual(newConfirmationToken(SECRET).token, token);
  });

  it('last 7 days', () => {
    assert.equal(CONFIRMATION_LIFETIME_MS, 7 * 24 * 60 * 60 * 1000);
  });
});

describe('requestState', () => {
  const waiting = { expires_at: new Date(at.getTime() + 1000), confirmed_at: null, completed_at: null };
  it('waits until it expires, unless confirmed; done wins', () => {
    assert.equal(requestState(waiting, at), 'waiting');
    assert.equal(requestState(waiting, new Date(at.getTime() + 1000)), 'expired');
    assert.equal(requestState({ ...waiting, confirmed_at: at }, new Date(at.getTime() + 10_000)), 'confirmed');
    assert.equal(requestState({ ...waiting, confirmed_at: at, completed_at: at }, at), 'done');
  });
});

describe('withoutErasedValues', () => {
  it('cuts every value out, in any case, longest first', () => {
    assert.equal(
      withoutErasedValues('Mail Ada@Example.org or see https://ada.example.net/x', [
        'ada@example.org',
        'https://ada.example.net/x',
        'ada.example.net',
      ]),
      'Mail [removed] or see [removed]',
    );
  });
  it('leaves short and empty values alone, and treats values as plain text', () => {
    assert.equal(withoutErasedValues('a b c', ['', ' ', 'a']), 'a b c');
    assert.equal(withoutErasedValues('price (1+1) stays', ['(1+1)']), 'price [removed] stays');
  });
});

describe('addresses', () => {
  it('are checked as e-mail addresses and trimmed', () => {
    assert.equal(emailField.parse('  carol@example.org '), 'carol@example.org');
    assert.equal(emailField.safeParse('carol at example').success, false);
    assert.equal(emailField.safeParse(`${'a'.repeat(250)}@example.org`).success, false);
  });
  it('count against a keyed hash that ignores case', () => {
    assert.equal(addressKey(SECRET, 'Carol@Example.org'), addressKey(SECRET, 'carol@example.org '));
    assert.ok(!addressKey(SECRET, 'carol@example.org').includes('carol'));
  });
});

describe('hashed blocks', () => {
  it('match the same address in any case, and differ by kind and secret', () => {
    assert.equal(blockHash(SECRET, 'email', 'Carol@Example.org'), blockHash(SECRET, 'email', 'carol@example.org'));
    assert.notEqual(blockHash(SECRET, 'email', '203.0.113.9'), blockHash(SECRET, 'ip', '203.0.113.9'));
    assert.notEqual(blockHash(SECRET, 'ip', '203.0.113.9'), blockHash(`${SECRET}!`, 'ip', '203.0.113.9'));
    assert.deepEqual(hashedCommenter(SECRET, '', null), { email: null, ip: null });
  });
});

describe('describeReport', () => {
  it('words what changed, never the address', () => {
    const lines = describeReport({
      mode: 'anonymize',
      commentsAnonymized: 1,
      commentsDeleted: 0,
      subscriptionsRemoved: 2,
      mailRemoved: 3,
      blocksHashed: 1,
      historyRemoved: 0,
      requestsCleared: 1,
    });
    assert.deepEqual(lines, [
      '1 comment anonymised (text kept under “Anonymous”)',
      '2 subscription or unsubscribe records removed',
      '3 mails removed from the outbox',
      '1 block kept as a keyed hash',
      '0 self-edit history entries removed',
      '1 privacy request cleared of the address',
    ]);
  });
});

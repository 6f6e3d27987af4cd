import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ARGON2_OPTIONS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem,
  verifyPassword,
} from '../../src/admin-auth/passwords.js';

/** The algorithm and parameters a PHC string names (argon2 writes them as m=…,p=…,t=…, in no fixed order). */
function phcParameters(hash: string): { algorithm: string; version: string; parameters: Record<string, string> } {
  const [, algorithm = '', version = '', list = ''] = hash.split('$');
  return { algorithm, version, parameters: Object.fromEntries(list.split(',').map((pair) => pair.split('='))) };
}

async function millisecondsFor(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

describe('password hashing', () => {
  it('uses argon2id at OWASP’s minimum, visible in the PHC string', async () => {
    assert.equal(ARGON2_OPTIONS.memoryCost, 19456);
    const hash = await hashPassword('correct horse battery staple');
    assert.deepEqual(phcParameters(hash), { algorithm: 'argon2id', version: 'v=19', parameters: { m: '19456', t: '2', p: '1' } });
    assert.doesNotMatch(hash, /correct horse/);
  });

  it('salts every hash', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    assert.notEqual(first, second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword(hash, 'correct horse battery staple'), true);
    assert.equal(await verifyPassword(hash, 'correct horse battery stapl'), false);
    assert.equal(await verifyPassword(hash, 'Correct horse battery staple'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  it('returns false, without throwing, for a hash it cannot read', async () => {
    assert.equal(await verifyPassword('not a hash', 'anything'), false);
    assert.equal(await verifyPassword('', 'anything'), false);
  });

  it('refuses a password longer than the maximum without hashing it', async () => {
    const long = 'x'.repeat(MAX_PASSWORD_LENGTH + 1);
    const hash = await hashPassword(long);
    assert.equal(await verifyPassword(hash, long), false);
  });
});

describe('the decoy for a username that does not exist', () => {
  it('returns false for a null hash, whatever the password, even the decoy’s own', async () => {
    assert.equal(await verifyPassword(null, 'anything at all'), false);
    assert.equal(await verifyPassword(null, ''), false);
    assert.equal(await verifyPassword(null, 'decoy password that matches nothing'), false);
  });

  it('spends argon2 work, so timing does not tell a missing user from a wrong password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    await verifyPassword(null, 'warm the decoy up');
    let real = 0;
    let decoy = 0;
    for (let round = 0; round < 3; round += 1) {
      real += await millisecondsFor(() => verifyPassword(hash, 'wrong password'));
      decoy += await millisecondsFor(() => verifyPassword(null, 'wrong password'));
    }
    assert.ok(decoy > real / 4, `decoy ${decoy.toFixed(1)} ms against real ${real.toFixed(1)} ms`);
  });
});

describe('password rules', () => {
  it('asks for at least 12 and at most 1024 characters', () => {
    assert.equal(MIN_PASSWORD_LENGTH, 12);
    assert.equal(passwordProblem('Tr0ub4dor&3'), 'The password must be at least 12 characters.');
    assert.equal(passwordProblem(''), 'The password must be at least 12 characters.');
    assert.equal(passwordProblem('Tr0ub4dor&3x'), null);
    assert.equal(passwordProblem('x'.repeat(MAX_PASSWORD_LENGTH)), null);
    assert.equal(passwordProblem('x'.repeat(MAX_PASSWORD_LENGTH + 1)), 'The password must be at most 1024 characters.');
  });

  it('counts characters, not UTF-16 code units', () => {
    assert.equal(passwordProblem('🦆'.repeat(11)), 'The password must be at least 12 characters.');
    assert.equal(passwordProblem('🦆'.repeat(12)), null);
  });

  it('refuses passwords on the shipped list of common ones, in any case', () => {
    const common = 'This password is on the list of commonly used passwords. Choose another.';
    for (const password of ['qwerty123456', 'QWERTY123456', 'password1234', '1q2w3e4r5t6y', 'LeaveMeAlone']) {
      assert.equal(passwordProblem(password), common, password);
    }
    assert.equal(passwordProblem('correct horse battery staple'), null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'otplib';
import {
  hashRecoveryCode,
  isTotpShaped,
  makeRecoveryCodes,
  normaliseCode,
  openSecret,
  sealSecret,
  secretSealingKey,
} from '../../src/admin-auth/two-factor-secrets.js';
import { acceptedTimeStep, newTotpSecret } from '../../src/admin-auth/two-factor.js';
import { roleAboveModerator } from '../../src/admin-auth/two-factor-policy.js';

const KEY = secretSealingKey('an-app-secret-of-at-least-thirty-two-chars');
const NOW = 1_800_000_000;

describe('sealed secrets', () => {
  it('open with the same key, differ each time, and refuse another key or a changed byte', () => {
    const sealed = sealSecret(KEY, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    assert.equal(openSecret(KEY, sealed), 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    assert.notEqual(sealSecret(KEY, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), sealed);
    assert.equal(openSecret(secretSealingKey('another-app-secret-of-32-characters!'), sealed), null);
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    assert.equal(openSecret(KEY, `v1:${bytes.toString('base64')}`), null);
    assert.equal(openSecret(KEY, 'JBSWY3DPEHPK3PXP'), null);
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes of four groups, recognised however they are typed', () => {
    const codes = makeRecoveryCodes();
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const code = codes[0]!;
    assert.equal(hashRecoveryCode(` ${code.toUpperCase().replaceAll('-', ' ')} `), hashRecoveryCode(code));
    assert.notEqual(hashRecoveryCode(codes[1]!), hashRecoveryCode(code));
    assert.equal(normaliseCode('AB-cd ef'), 'abcdef');
  });

  it('are told from TOTP codes by their shape', () => {
    assert.equal(isTotpShaped('123456'), true);
    assert.equal(isTotpShaped('123 456'), true);
    assert.equal(isTotpShaped('abcd-efgh-jkmn-pqrs'), false);
    assert.equal(isTotpShaped('12345'), false);
  });
});

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  it('accept the current step and one either side, nothing further, and not a step already used', async () => {
    const step = Math.floor(NOW / 30);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW }), NOW, null), step);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW - 30 }), NOW, null), step - 1);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW + 30 }), NOW, null), step + 1);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW - 90 }), NOW, null), null);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW }), NOW, step), null);
    assert.equal(await acceptedTimeStep(secret, await generate({ secret, epoch: NOW + 30 }), NOW, step), step + 1);
    assert.equal(await acceptedTimeStep(secret, 'abcdef', NOW, null), null);
  });
});

describe('who the requirement covers', () => {
  it('is every role above Moderator', () => {
    assert.deepEqual((['administrator', 'editor', 'author', 'moderator'] as const).map(roleAboveModerator), [true, true, true, false]);
  });
});

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The pure parts of two-factor sign-in: sealing TOTP secrets for storage
 * and making and recognising recovery codes. No request, no database.
 */

const SEALED_PREFIX = 'v1:';

/** The key that seals TOTP secrets, derived from the app's secret so that a copy of the database alone does not reveal them. */
export function secretSealingKey(appSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', appSecret, 'broadsheet', 'two-factor secret', 32));
}

/** AES-256-GCM: `v1:` + base64 of nonce, tag and ciphertext. */
export function sealSecret(key: Buffer, secret: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString('base64');
}

/** The secret, or null when it was sealed with another key (the app's secret changed) or altered. */
export function openSecret(key: Buffer, stored: string): string | null {
  if (!stored.startsWith(SEALED_PREFIX)) return null;
  const bytes = Buffer.from(stored.slice(SEALED_PREFIX.length), 'base64');
  if (bytes.length < 29) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export const RECOVERY_CODE_COUNT = 10;
/** Letters and digits no one confuses when copying from paper (no 0/o, 1/l/i). */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten codes of 16 characters (about 79 bits each), shown as four groups of four. */
export function makeRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]!).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What is compared: the code without spaces, dashes or case. */
export function normaliseCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

/** Codes have enough entropy that a plain SHA-256 is not worth guessing against (unlike a password). */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normaliseCode(code)).digest('hex');
}

/** Whether a typed code is shaped like a TOTP code (six digits) rather than a recovery code. */
export function isTotpShaped(typed: string): boolean {
  return /^\d{6}$/.test(normaliseCode(typed));
}

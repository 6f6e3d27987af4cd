import { createRequire } from 'node:module';
import argon2 from 'argon2';
import type * as LanguageCommon from '@zxcvbn-ts/language-common';

/** argon2id at OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

let decoyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no user to check against it
 * still spends the same work on a decoy, so timing does not reveal which
 * usernames exist.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  decoyHash ??= hashPassword('decoy password that matches nothing');
  const candidate = hash ?? (await decoyHash);
  try {
    const matches = await argon2.verify(candidate, password);
    return hash !== null && matches;
  } catch {
    return false;
  }
}

let commonPasswords: Set<string> | undefined;

/**
 * zxcvbn's list of common passwords (ASVS 2.1.7), loaded and lower-cased
 * when a password is first checked: a process that only serves readers
 * never holds it.
 */
function isCommonPassword(password: string): boolean {
  if (!commonPasswords) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as typeof LanguageCommon;
    commonPasswords = new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  }
  return commonPasswords.has(password.toLowerCase());
}

/** Why a new password cannot be used (length, then the common-password list), or null when it can. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `The password must be at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (isCommonPassword(password)) return 'This password is on the list of commonly used passwords. Choose another.';
  return null;
}

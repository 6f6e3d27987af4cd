import type { Database } from '../platform/db/connection.js';

/** An account's two-factor row; secrets are sealed (two-factor-secrets.ts). */
export interface TwoFactorRow {
  user_id: string;
  secret: string | null;
  enabled_at: Date | null;
  pending_secret: string | null;
  pending_since: Date | null;
  last_time_step: string | null;
}

export async function findTwoFactor(db: Database, userId: string): Promise<TwoFactorRow | null> {
  return (await db<TwoFactorRow>('two_factor').where({ user_id: userId }).first()) ?? null;
}

/** The accounts among `userIds` that have two-factor on (for the people list). */
export async function twoFactorEnabledIds(db: Database, userIds: string[]): Promise<Set<string>> {
  const rows = await db<TwoFactorRow>('two_factor').whereIn('user_id', userIds).whereNotNull('enabled_at').select('user_id');
  return new Set(rows.map((row) => String(row.user_id)));
}

/** Starts (or restarts) enrolment with a new sealed secret; an enabled secret stays as it is. */
export async function savePendingSecret(db: Database, userId: string, sealed: string): Promise<void> {
  await db('two_factor')
    .insert({ user_id: userId, pending_secret: sealed, pending_since: db.fn.now() })
    .onConflict('user_id')
    .merge({ pending_secret: sealed, pending_since: db.fn.now(), updated_at: db.fn.now() });
}

/**
 * Makes the pending secret the account's, with its recovery codes, in one
 * transaction. False when the pending secret changed meanwhile (another tab).
 */
export async function enableTwoFactor(
  db: Database,
  userId: string,
  pendingSealed: string,
  timeStep: number,
  recoveryHashes: string[],
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const updated = await trx('two_factor').where({ user_id: userId, pending_secret: pendingSealed }).update({
      secret: pendingSealed,
      enabled_at: trx.fn.now(),
      pending_secret: null,
      pending_since: null,
      last_time_step: timeStep,
      updated_at: trx.fn.now(),
    });
    if (updated !== 1) return false;
    await trx('two_factor_recovery_codes').where({ user_id: userId }).delete();
    await trx('two_factor_recovery_codes').insert(recoveryHashes.map((code_hash) => ({ user_id: userId, code_hash })));
    return true;
  });
}

export async function disableTwoFactor(db: Database, userId: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('two_factor_recovery_codes').where({ user_id: userId }).delete();
    await trx('two_factor').where({ user_id: userId }).delete();
  });
}

/**
 * Records a TOTP code's time step as used; false when that step (or a later
 * one) was already used, so of two requests with one code only one passes.
 */
export async function claimTimeStep(db: Database, userId: string, timeStep: number): Promise<boolean> {
  const updated = await db('two_factor')
    .where({ user_id: userId })
    .whereNotNull('enabled_at')
    .whereRaw('(last_time_step IS NULL OR last_time_step < ?)', [timeStep])
    .update({ last_time_step: timeStep, updated_at: db.fn.now() });
  return updated === 1;
}

/** Marks an unused recovery code used; false when there is no such unused code. */
export async function claimRecoveryCode(db: Database, userId: string, codeHash: string): Promise<boolean> {
  const updated = await db('two_factor_recovery_codes')
    .where({ user_id: userId, code_hash: codeHash })
    .whereNull('used_at')
    .update({ used_at: db.fn.now() });
  return updated === 1;
}

export async function countUnusedRecoveryCodes(db: Database, userId: string): Promise<number> {
  const row = await db('two_factor_recovery_codes')
    .where({ user_id: userId })
    .whereNull('used_at')
    .count<{ count: string }>({ count: '*' })
    .first();
  return Number(row?.count ?? 0);
}

export async function markSignedIn(db: Database, userId: string): Promise<void> {
  await db('users').where({ id: userId }).update({ last_sign_in_at: db.fn.now() });
}

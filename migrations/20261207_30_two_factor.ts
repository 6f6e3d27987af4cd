import type { Knex } from 'knex';

/**
 * Two-factor sign-in (TOTP, RFC 6238). One row per account that has begun
 * enrolment: the secret it confirmed (`secret`, with `enabled_at`), or the
 * one it is confirming (`pending_secret`). Secrets are stored encrypted with
 * a key derived from the app's secret, never in the clear. `last_time_step`
 * is the time step of the last code accepted: a code of that step or an
 * earlier one is refused, so a code seen over a shoulder cannot be replayed.
 * Recovery codes are kept only as SHA-256 of a high-entropy code.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE two_factor (
      user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      secret text,
      enabled_at timestamptz,
      pending_secret text,
      pending_since timestamptz,
      last_time_step bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT two_factor_enabled_check CHECK ((secret IS NULL) = (enabled_at IS NULL)),
      CONSTRAINT two_factor_pending_check CHECK ((pending_secret IS NULL) = (pending_since IS NULL))
    )
  `);
  await knex.raw(`
    CREATE TABLE two_factor_recovery_codes (
      id bigserial PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, code_hash)
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE two_factor_recovery_codes');
  await knex.raw('DROP TABLE two_factor');
}

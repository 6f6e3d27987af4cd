import type { Knex } from 'knex';

/**
 * The account log (sign-ins, password and two-factor changes, roles,
 * invitations, status, deletions) and single-use password reset links.
 * An event keeps the names of who did it and to whom as text: the ids are
 * set to null when an account is deleted, and the log must still read.
 * A reset link's token is never stored, only its SHA-256: a copy of the
 * database opens no account.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS account_events (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN (
        'sign-in', 'sign-in-failed', 'two-factor-on', 'two-factor-off', 'password-changed', 'password-reset',
        'role-changed', 'invited', 'invitation-accepted', 'disabled', 'enabled', 'deleted', 'created')),
      actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
      actor_name text,
      subject_id bigint REFERENCES users (id) ON DELETE SET NULL,
      subject_name text,
      ip inet,
      detail text CHECK (detail IS NULL OR char_length(detail) <= 500),
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `);
  await knex.raw('CREATE INDEX IF NOT EXISTS account_events_created_idx ON account_events (created_at DESC, id DESC)');
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS password_resets (
      token_hash bytea PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )
  `);
  await knex.raw('CREATE INDEX IF NOT EXISTS password_resets_user_idx ON password_resets (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS password_resets');
  await knex.raw('DROP TABLE IF EXISTS account_events');
}

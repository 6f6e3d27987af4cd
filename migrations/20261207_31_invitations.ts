import type { Knex } from 'knex';

/**
 * Invitations to an account: an Administrator names an e-mail address and a
 * role, the invitee chooses a username and password from a mailed link that
 * is single-use and expires (48 h). Only the SHA-256 of the link's token is
 * stored: a copy of the database opens no invitation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS invitations (
      token_hash bytea PRIMARY KEY,
      email text NOT NULL CHECK (char_length(email) <= 254),
      role text NOT NULL CHECK (role IN ('administrator', 'editor', 'author', 'moderator')),
      invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      accepted_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS invitations');
}

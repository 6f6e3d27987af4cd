import type { Knex } from 'knex';

/**
 * A person's requests for their data: an export or an erasure of what the
 * site keeps about one e-mail address. The person confirms by a mailed link
 * (only the SHA-256 of its token is kept; single use, 7 days), or an
 * administrator confirms for them with a reason. Once an erasure runs, the
 * address leaves every request that named it; the row keeps who ran it, the
 * mode and the counts.
 *
 * A block of an erased address or IP keeps only a keyed hash of it
 * (`hashed`), which still matches the commenter; the moderation log gains
 * the `erase` action.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS privacy_requests (
      id bigserial PRIMARY KEY,
      email text CHECK (char_length(email) <= 254),
      kind text NOT NULL CHECK (kind IN ('export', 'erase')),
      mode text CHECK (mode IN ('anonymize', 'delete')),
      token_hash bytea UNIQUE,
      expires_at timestamptz NOT NULL,
      requested_by bigint REFERENCES users (id) ON DELETE SET NULL,
      confirmed_at timestamptz,
      confirmed_by bigint REFERENCES users (id) ON DELETE SET NULL,
      confirm_reason text CHECK (char_length(confirm_reason) <= 500),
      completed_at timestamptz,
      completed_by bigint REFERENCES users (id) ON DELETE SET NULL,
      report jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (confirmed_by IS NULL OR confirm_reason IS NOT NULL)
    )
  `);
  await knex.raw('CREATE INDEX IF NOT EXISTS privacy_requests_email_idx ON privacy_requests (lower(email)) WHERE email IS NOT NULL');
  await knex.raw('CREATE INDEX IF NOT EXISTS privacy_requests_created_idx ON privacy_requests (created_at DESC, id DESC)');
  await knex.raw('ALTER TABLE commenter_blocks ADD COLUMN IF NOT EXISTS hashed boolean NOT NULL DEFAULT false');
  await knex.raw('ALTER TABLE moderation_log DROP CONSTRAINT IF EXISTS moderation_log_action_check');
  await knex.raw(
    `ALTER TABLE moderation_log ADD CONSTRAINT moderation_log_action_check CHECK (action IN ('status', 'delete', 'edit', 'reply', 'erase'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM moderation_log WHERE action = 'erase'`);
  await knex.raw('ALTER TABLE moderation_log DROP CONSTRAINT IF EXISTS moderation_log_action_check');
  await knex.raw(
    `ALTER TABLE moderation_log ADD CONSTRAINT moderation_log_action_check CHECK (action IN ('status', 'delete', 'edit', 'reply'))`,
  );
  // A hashed value would read as a plain address or IP that matches nobody: those blocks cannot be kept.
  await knex.raw('DELETE FROM commenter_blocks WHERE hashed');
  await knex.raw('ALTER TABLE commenter_blocks DROP COLUMN IF EXISTS hashed');
  await knex.raw('DROP TABLE IF EXISTS privacy_requests');
}

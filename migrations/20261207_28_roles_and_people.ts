import type { Knex } from 'knex';

/**
 * Accounts get one of four roles (the contract's table says what each may
 * do), a status (a disabled account signs in nowhere and its sessions end),
 * an optional e-mail address (invitations, password resets) and the time of
 * its last sign-in. Every account there is becomes an administrator: until
 * now every account could do everything.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users
      DROP CONSTRAINT users_role_check,
      ALTER COLUMN role SET DEFAULT 'administrator',
      ADD COLUMN email text,
      ADD COLUMN status text NOT NULL DEFAULT 'active',
      ADD COLUMN last_sign_in_at timestamptz,
      ADD CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled')),
      ADD CONSTRAINT users_email_check CHECK (email IS NULL OR (char_length(email) <= 254 AND email ~ '^[^@\\s]+@[^@\\s]+$'))
  `);
  await knex('users').where({ role: 'admin' }).update({ role: 'administrator' });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('administrator', 'editor', 'author', 'moderator'))`);
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX users_email_lower_idx');
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_role_check');
  await knex('users').update({ role: 'admin' });
  await knex.raw(`
    ALTER TABLE users
      DROP CONSTRAINT users_email_check,
      DROP CONSTRAINT users_status_check,
      DROP COLUMN last_sign_in_at,
      DROP COLUMN status,
      DROP COLUMN email,
      ALTER COLUMN role SET DEFAULT 'admin',
      ADD CONSTRAINT users_role_check CHECK (role IN ('admin'))
  `);
}

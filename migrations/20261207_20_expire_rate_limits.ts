import type { Knex } from 'knex';

/** Rate-limit rows expire: the periodic sweep deletes them by their expiry, so it finds them by index. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS rate_limits_expire_idx ON rate_limits (expire)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS rate_limits_expire_idx');
}

import type { Knex } from 'knex';

/** The moderation queue's "All" view walks every comment newest first. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX comments_created_idx ON comments (created_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX comments_created_idx');
}

import type { Knex } from 'knex';

/**
 * Data only: an article stored as published with a time still to come was
 * how scheduling was written before `scheduled` existed. It becomes
 * scheduled, which the scheduler publishes when the time comes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex('articles').where({ status: 'published' }).where('published_at', '>', knex.fn.now()).update({ status: 'scheduled' });
}

export async function down(knex: Knex): Promise<void> {
  await knex('articles').where({ status: 'scheduled' }).update({ status: 'published' });
}

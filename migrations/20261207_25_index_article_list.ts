import type { Knex } from 'knex';

/**
 * The admin's article list finds an article by any part of its title, in
 * any case (ILIKE '%…%'), as WordPress's search does. The title's tsvector
 * index finds whole words only; a trigram index answers a part of a word
 * without reading every title. pg_trgm is there since the comment search
 * index's migration.
 */
const INDEX = 'articles_title_trgm_idx';

export async function up(knex: Knex): Promise<void> {
  // IF NOT EXISTS: an operator may have built it beforehand with CREATE INDEX CONCURRENTLY.
  await knex.raw(`CREATE INDEX IF NOT EXISTS ${INDEX} ON articles USING gin (title gin_trgm_ops)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS ${INDEX}`);
}

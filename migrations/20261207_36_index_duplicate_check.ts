import type { Knex } from 'knex';

/**
 * The duplicate-comment check looks for this article's comments from this
 * email. With only the article's index and the email's index to choose from,
 * the planner picks by its statistics, and a busy article's count lags behind
 * them (ANALYZE runs after a tenth of the table has changed): it then reads
 * every comment of the article for each post. One index on both answers it in
 * a few pages whatever the statistics say.
 */
const INDEX = 'comments_article_email_idx';

export async function up(knex: Knex): Promise<void> {
  // IF NOT EXISTS: an operator may have built it beforehand with CREATE INDEX CONCURRENTLY.
  await knex.raw(`CREATE INDEX IF NOT EXISTS ${INDEX} ON comments (article_id, lower(author_email))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS ${INDEX}`);
}

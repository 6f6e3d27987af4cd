import type { Knex } from 'knex';

/**
 * Lets the moderation queue's search (`q=`, a case-insensitive substring of
 * name, email, website, text or IP) use an index instead of reading every
 * comment: a pg_trgm GIN index over all five fields joined by line breaks.
 * One index, not five: a comment write updates one GIN index, and one
 * `ILIKE` on the joined text finds exactly what the five did, because a
 * search never holds a line break (the queue refuses control characters)
 * and its % and _ are escaped, so a match never spans two fields.
 *
 * The expression is repeated, character for character, in
 * src/queries/moderation-queue.ts (SEARCHED_TEXT): PostgreSQL uses an
 * expression index only for that very expression, and migrations never
 * import application code.
 */
const INDEX = 'comments_search_trgm_idx';
const SEARCHED_TEXT = `(author_name || E'\\n' || author_email || E'\\n' || author_url || E'\\n' || body || E'\\n' || coalesce(host(ip), ''))`;

/**
 * Fails with one line an operator can act on when the server will not make
 * the extension: the role may not (42501, common on managed servers), or the
 * server lacks the contrib modules (58P01). The transaction is aborted by
 * then, so the database's name is read first.
 */
async function ensureTrigramExtension(knex: Knex): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ name: string }> }>('SELECT current_database() AS name');
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const ask = `Ask the server's administrator to run "CREATE EXTENSION pg_trgm;" in the database "${rows[0]?.name}", then run the migrations again.`;
    if (code === '42501') {
      throw new Error(`The comment search index needs the PostgreSQL extension pg_trgm, which this database role may not create. ${ask}`);
    }
    if (code === '58P01') {
      throw new Error(
        `The comment search index needs the PostgreSQL extension pg_trgm, which this server does not have (it ships with PostgreSQL's contrib modules). ${ask}`,
      );
    }
    throw error;
  }
}

export async function up(knex: Knex): Promise<void> {
  await ensureTrigramExtension(knex);
  // Building it over a million comments takes longer than the app's 5 s
  // statement limit, and more sort memory makes a GIN build much faster.
  // SET LOCAL ends with the migration's transaction.
  await knex.raw('SET LOCAL statement_timeout = 0');
  await knex.raw(`SET LOCAL maintenance_work_mem = '256MB'`);
  // IF NOT EXISTS: an operator may have built it beforehand with CREATE INDEX
  // CONCURRENTLY (same name and expression) to keep comment writes flowing.
  await knex.raw(`CREATE INDEX IF NOT EXISTS ${INDEX} ON comments USING gin (${SEARCHED_TEXT} gin_trgm_ops)`);
  // Statistics on the new expression let the planner tell a rare search
  // (use this index) from a common one (walk the newest comments instead).
  await knex.raw('ANALYZE comments');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS ${INDEX}`);
  // The extension goes too, unless something else uses it or it is not ours
  // to drop (made by an administrator): then it stays, harmlessly.
  await knex.raw(`
    DO $$
    BEGIN
      DROP EXTENSION IF EXISTS pg_trgm;
    EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm is kept: %', SQLERRM;
    END $$`);
}

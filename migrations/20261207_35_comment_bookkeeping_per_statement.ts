import type { Knex } from 'knex';

/**
 * A writer that inserts many comments in one statement (the import) may ask
 * for their bookkeeping once per statement instead of once per row, by
 * setting `broadsheet.comment_bookkeeping` to 'per-statement' in its
 * transaction (`set_config(…, true)`: it ends with the transaction).
 *
 * Every inserted row is still counted exactly once: the per-row triggers
 * of migration 14 skip the rows inserted with the setting on (their WHEN
 * is decided as each row goes in), and a statement trigger counts those
 * rows from the statement's transition table, per article and status, and
 * gives each article with a new approved comment one new cache_version.
 * That statement's work is done at once, not at commit, so it holds the
 * article's rows until the transaction ends: right for a writer whose
 * transaction is the article's import, not for posting on a live page,
 * which keeps the commit-time triggers. Deletes and updates are unchanged.
 */
const SETTING = `current_setting('broadsheet.comment_bookkeeping', true)`;
const PER_ROW = `${SETTING} IS DISTINCT FROM 'per-statement'`;
const PER_STATEMENT = `${SETTING} = 'per-statement'`;

const COUNT_ADDED_FUNCTION = `
  CREATE OR REPLACE FUNCTION count_added_comments() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO comment_counts AS kept (article_id, status, count)
    SELECT article_id, status, count(*) FROM added GROUP BY article_id, status ORDER BY article_id, status
    ON CONFLICT (article_id, status) DO UPDATE SET count = kept.count + EXCLUDED.count;
    UPDATE articles SET cache_version = nextval('page_version_seq')
     WHERE id IN (SELECT article_id FROM added WHERE status = 'approved');
    RETURN NULL;
  END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER comments_count_insert_delete ON comments');
  await knex.raw('DROP TRIGGER comments_bump_article_version ON comments');
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_count_insert AFTER INSERT ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (${PER_ROW}) EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_count_delete AFTER DELETE ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_bump_article_version_insert AFTER INSERT ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (${PER_ROW}) EXECUTE FUNCTION bump_article_version_for_comment()`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_bump_article_version AFTER UPDATE OR DELETE ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_article_version_for_comment()`);
  await knex.raw(COUNT_ADDED_FUNCTION);
  await knex.raw(`
    CREATE TRIGGER comments_count_added_per_statement AFTER INSERT ON comments REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT WHEN (${PER_STATEMENT}) EXECUTE FUNCTION count_added_comments()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER comments_count_added_per_statement ON comments');
  await knex.raw('DROP FUNCTION count_added_comments()');
  for (const name of [
    'comments_count_insert',
    'comments_count_delete',
    'comments_bump_article_version_insert',
    'comments_bump_article_version',
  ]) {
    await knex.raw(`DROP TRIGGER ${name} ON comments`);
  }
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_count_insert_delete AFTER INSERT OR DELETE ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER comments_bump_article_version AFTER INSERT OR UPDATE OR DELETE ON comments DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION bump_article_version_for_comment()`);
}

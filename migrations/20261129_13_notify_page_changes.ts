import type { Knex } from 'knex';

/**
 * Tells every app instance, through NOTIFY on the `page_changes` channel,
 * which cached pages a committed change makes stale, so a cache hit needs no
 * query. NOTIFY sent by a trigger is part of the changing transaction: it is
 * delivered on commit and never for a rollback. Payloads:
 *
 *   article:<id>  that article's page (its text, or its set of approved
 *                 comments: the comment triggers move articles.cache_version)
 *   home          the article list (an article shown there, or its count)
 *   settings      every article page (discussion settings shape them all)
 *   all           everything (a TRUNCATE, which row triggers do not see)
 *
 * The channel name is repeated in src/services/page-change-listener.ts;
 * migrations never import application code.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION notify_article_page_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      changed_id bigint;
      on_home boolean;
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.cache_version IS NOT DISTINCT FROM NEW.cache_version THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'DELETE' THEN
        changed_id := OLD.id;
        on_home := OLD.status = 'published';
      ELSIF TG_OP = 'INSERT' THEN
        changed_id := NEW.id;
        on_home := NEW.status = 'published';
      ELSE
        changed_id := NEW.id;
        on_home := OLD.status = 'published' OR NEW.status = 'published';
      END IF;
      PERFORM pg_notify('page_changes', 'article:' || changed_id);
      IF on_home THEN
        PERFORM pg_notify('page_changes', 'home');
      END IF;
      RETURN NULL;
    END $$`);
  // Every visible change to an article moves its cache_version (see the
  // page-versions migration), so comparing versions catches them all.
  await knex.raw(`
    CREATE TRIGGER articles_notify_page_change AFTER INSERT OR UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION notify_article_page_change()`);

  await knex.raw(`
    CREATE FUNCTION notify_page_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('page_changes', TG_ARGV[0]);
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER settings_notify_page_change AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION notify_page_change('settings')`);
  for (const table of ['articles', 'comments', 'settings']) {
    await knex.raw(`
      CREATE TRIGGER ${table}_truncate_notify_page_change AFTER TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION notify_page_change('all')`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['settings', 'comments', 'articles']) {
    await knex.raw(`DROP TRIGGER ${table}_truncate_notify_page_change ON ${table}`);
  }
  await knex.raw('DROP TRIGGER settings_notify_page_change ON settings');
  await knex.raw('DROP FUNCTION notify_page_change()');
  await knex.raw('DROP TRIGGER articles_notify_page_change ON articles');
  await knex.raw('DROP FUNCTION notify_article_page_change()');
}

import type { Knex } from 'knex';

/**
 * An article's tags show on its page and on the home page, so a change to
 * which tags an article has, or to a tag's name, makes those cached pages
 * stale, like a change to the article itself (migration 13's channel and
 * payloads). The channel name is repeated from that migration; migrations
 * never import application code.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION notify_article_tags_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('page_changes', 'article:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END));
      PERFORM pg_notify('page_changes', 'home');
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER article_tags_notify_page_change AFTER INSERT OR UPDATE OR DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION notify_article_tags_change()`);
  // A renamed tag may be on any page: it makes every cached page stale. A function of its own, so that
  // this migration depends on no other one's objects.
  await knex.raw(`
    CREATE FUNCTION notify_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('page_changes', 'all');
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER tags_notify_page_change AFTER UPDATE OF name, slug ON tags
    FOR EACH STATEMENT EXECUTE FUNCTION notify_tag_renamed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER tags_notify_page_change ON tags');
  await knex.raw('DROP FUNCTION notify_tag_renamed()');
  await knex.raw('DROP TRIGGER article_tags_notify_page_change ON article_tags');
  await knex.raw('DROP FUNCTION notify_article_tags_change()');
}

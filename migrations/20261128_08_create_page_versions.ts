import type { Knex } from 'knex';

/**
 * Every change that alters what an anonymous reader sees of an article
 * (its text, or its set of approved comments) gives the article a new
 * cache_version from one sequence. App instances compare versions before
 * serving a cached page, so no instance ever serves a stale one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE page_version_seq');
  await knex.raw(`ALTER TABLE articles ADD COLUMN cache_version bigint NOT NULL DEFAULT nextval('page_version_seq')`);
  await knex.raw(`
    CREATE FUNCTION bump_article_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.cache_version := nextval('page_version_seq');
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER articles_bump_version BEFORE UPDATE ON articles
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.* AND OLD.cache_version = NEW.cache_version)
    EXECUTE FUNCTION bump_article_version()`);
  await knex.raw(`
    CREATE FUNCTION bump_article_version_for_comment() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'approved' THEN
        UPDATE articles SET cache_version = nextval('page_version_seq') WHERE id = OLD.article_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'approved'
         AND (TG_OP = 'INSERT' OR OLD.status <> 'approved' OR OLD.article_id <> NEW.article_id) THEN
        UPDATE articles SET cache_version = nextval('page_version_seq') WHERE id = NEW.article_id;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER comments_bump_article_version AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION bump_article_version_for_comment()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER comments_bump_article_version ON comments');
  await knex.raw('DROP FUNCTION bump_article_version_for_comment()');
  await knex.raw('DROP TRIGGER articles_bump_version ON articles');
  await knex.raw('DROP FUNCTION bump_article_version()');
  await knex.raw('ALTER TABLE articles DROP COLUMN cache_version');
  await knex.raw('DROP SEQUENCE page_version_seq');
}

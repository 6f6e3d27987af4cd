import type { Knex } from 'knex';

/**
 * Exact comment counts per article and status, kept by a trigger in the same
 * transaction as every change, so the moderation queue never counts a
 * million rows to show its tabs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('comment_counts', (table) => {
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    table.text('status').notNullable();
    table.bigInteger('count').notNullable().defaultTo(0);
    table.primary(['article_id', 'status']);
  });
  await knex.raw(`
    CREATE FUNCTION count_comment_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE comment_counts SET count = count - 1 WHERE article_id = OLD.article_id AND status = OLD.status;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO comment_counts (article_id, status, count) VALUES (NEW.article_id, NEW.status, 1)
        ON CONFLICT (article_id, status) DO UPDATE SET count = comment_counts.count + 1;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER comments_count_insert_delete AFTER INSERT OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE TRIGGER comments_count_update AFTER UPDATE OF status, article_id ON comments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.article_id IS DISTINCT FROM NEW.article_id)
    EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    INSERT INTO comment_counts (article_id, status, count)
    SELECT article_id, status, count(*) FROM comments GROUP BY article_id, status`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER comments_count_update ON comments');
  await knex.raw('DROP TRIGGER comments_count_insert_delete ON comments');
  await knex.raw('DROP FUNCTION count_comment_change()');
  await knex.schema.dropTable('comment_counts');
}

import type { Knex } from 'knex';

/**
 * Commenter edits: a version to check, and whether a moderator has edited the comment.
 *
 * `version` moves with every UPDATE of a comment, whoever makes it (a
 * moderator on another instance included), so a commenter's edit can write
 * only over the row it read. A moderator's status move already leaves
 * `moderated_at`; `moderator_edited_at` marks a moderator's change of the words.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('comments', (table) => {
    table.integer('version').notNullable().defaultTo(1);
    table.timestamp('moderator_edited_at', { useTz: true });
  });
  await knex.raw(`
    CREATE FUNCTION bump_comment_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.version := OLD.version + 1;
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER comments_bump_version BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION bump_comment_version()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER comments_bump_version ON comments');
  await knex.raw('DROP FUNCTION bump_comment_version()');
  await knex.schema.alterTable('comments', (table) => {
    table.dropColumns('version', 'moderator_edited_at');
  });
}

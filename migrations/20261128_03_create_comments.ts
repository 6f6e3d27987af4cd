import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('comments', (table) => {
    table.bigIncrements('id').primary();
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    // A reply whose parent is deleted for good moves up a level rather than vanishing.
    table.bigInteger('parent_id').references('comments.id').onDelete('SET NULL');
    table.text('status').notNullable().defaultTo('pending');
    table.string('author_name', 245).notNullable();
    table.string('author_email', 100).notNullable();
    table.string('author_url', 200).notNullable().defaultTo('');
    table.text('body').notNullable();
    table.specificType('ip', 'inet');
    table.text('user_agent').notNullable().defaultTo('');
    table.uuid('submission_id').unique();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('approved_at', { useTz: true });
    table.check(`status IN ('pending', 'approved', 'spam', 'trash')`, [], 'comments_status_check');
    table.check('char_length(body) BETWEEN 1 AND 65525', [], 'comments_body_length_check');
    table.check('parent_id IS DISTINCT FROM id', [], 'comments_parent_not_self_check');
  });
  // The article page reads one article's approved comments in order;
  // the moderation queue reads one status, newest first.
  await knex.raw('CREATE INDEX comments_article_status_created_idx ON comments (article_id, status, created_at, id)');
  await knex.raw('CREATE INDEX comments_status_created_idx ON comments (status, created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('comments');
}

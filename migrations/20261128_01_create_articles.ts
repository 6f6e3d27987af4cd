import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('articles', (table) => {
    table.bigIncrements('id').primary();
    table.text('slug').notNullable().unique();
    table.text('title').notNullable();
    table.text('author_name').notNullable();
    table.text('body').notNullable();
    table.text('figure_caption');
    table.integer('figure_after_paragraph').notNullable().defaultTo(1);
    table.text('status').notNullable().defaultTo('draft');
    table.boolean('comments_open').notNullable().defaultTo(true);
    table.timestamp('published_at', { useTz: true });
    table.timestamps(true, true, false);
    table.check(`status IN ('draft', 'published')`, [], 'articles_status_check');
    table.check(`slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`, [], 'articles_slug_check');
  });
  await knex.raw(`CREATE INDEX articles_published_idx ON articles (published_at DESC, id DESC) WHERE status = 'published'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('articles');
}

import type { Knex } from 'knex';

/**
 * Each article names its own figure image (a file under /images/ in public/)
 * and the image's alternative text, instead of the page hard-coding one.
 * An image needs its alt text ('' for a purely decorative one); a path may
 * not climb out of /images/ or name a dotfile.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('articles', (table) => {
    table.text('figure_image');
    table.text('figure_alt');
  });
  await knex.raw(`
    ALTER TABLE articles
      ADD CONSTRAINT articles_figure_image_check
        CHECK (figure_image ~ '^/images/[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$'),
      ADD CONSTRAINT articles_figure_alt_check
        CHECK (figure_image IS NULL OR figure_alt IS NOT NULL),
      ADD CONSTRAINT articles_figure_alt_length_check
        CHECK (char_length(figure_alt) <= 1000)
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('articles', (table) => {
    table.dropColumn('figure_alt');
    table.dropColumn('figure_image');
  });
}

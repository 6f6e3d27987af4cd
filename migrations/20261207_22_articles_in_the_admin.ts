import type { Knex } from 'knex';

/**
 * Articles become something staff write in the admin:
 *
 * - status gains `scheduled` (public once `published_at` passes, when the
 *   scheduler moves it to `published`) and `trash`;
 * - the body is a source in a format (`markdown`, or `html` from an import)
 *   with the sanitised HTML made at save time beside it, its word count and
 *   the summary shown on lists (the excerpt, or the first paragraph);
 *   `body_html` is null only for rows stored before this migration, which
 *   the application renders at start-up (migrations never use app code);
 * - an author is a display name with an optional account;
 * - `version` counts saves, for the editor's conflict check;
 * - the figure image may be an uploaded medium (`/media/…`) as well as a
 *   bundled file under `/images/`.
 *
 * Beside it: revisions (every save keeps the version it replaces; an
 * autosave slot per article and person), former slugs (answered with 301)
 * and tags.
 */
const FIGURE_IMAGE_PATH = `'^/(images|media)/[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$'`;
const OLD_FIGURE_IMAGE_PATH = `'^/images/[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$'`;
const SLUG_RULE = `'^[a-z0-9]+(-[a-z0-9]+)*$'`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE articles
      DROP CONSTRAINT articles_status_check,
      ADD CONSTRAINT articles_status_check CHECK (status IN ('draft', 'scheduled', 'published', 'trash')),
      DROP CONSTRAINT articles_figure_image_check,
      ADD CONSTRAINT articles_figure_image_check CHECK (figure_image ~ ${FIGURE_IMAGE_PATH}),
      ADD COLUMN body_format text NOT NULL DEFAULT 'markdown' CONSTRAINT articles_body_format_check CHECK (body_format IN ('markdown', 'html')),
      ADD COLUMN body_html text,
      ADD COLUMN word_count integer,
      ADD COLUMN summary text,
      ADD COLUMN excerpt text,
      ADD COLUMN author_id bigint REFERENCES users (id) ON DELETE SET NULL,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD COLUMN trashed_at timestamptz,
      ADD CONSTRAINT articles_scheduled_time_check CHECK (status <> 'scheduled' OR published_at IS NOT NULL)
  `);
  await knex.raw('CREATE INDEX articles_admin_list_idx ON articles (created_at DESC, id DESC)');
  await knex.raw('CREATE INDEX articles_status_list_idx ON articles (status, created_at DESC, id DESC)');
  await knex.raw(`CREATE INDEX articles_scheduled_idx ON articles (published_at) WHERE status = 'scheduled'`);
  await knex.raw("CREATE INDEX articles_title_search_idx ON articles USING gin (to_tsvector('simple', title))");

  await knex.schema.createTable('article_revisions', (table) => {
    table.bigIncrements('id').primary();
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    table.text('kind').notNullable().defaultTo('revision');
    table.text('title').notNullable();
    table.text('body').notNullable();
    table.text('body_format').notNullable();
    table.text('excerpt');
    table.text('figure_image');
    table.text('figure_alt');
    table.text('figure_caption');
    table.integer('figure_after_paragraph').notNullable().defaultTo(1);
    table.bigInteger('saved_by').references('users.id').onDelete('SET NULL');
    table.text('saved_by_name').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`kind IN ('revision', 'autosave')`, [], 'article_revisions_kind_check');
    table.check(`body_format IN ('markdown', 'html')`, [], 'article_revisions_body_format_check');
  });
  await knex.raw('CREATE INDEX article_revisions_article_idx ON article_revisions (article_id, id DESC)');
  await knex.raw(`
    CREATE UNIQUE INDEX article_revisions_one_autosave_idx ON article_revisions (article_id, saved_by)
    WHERE kind = 'autosave'`);

  await knex.schema.createTable('article_former_slugs', (table) => {
    table.text('slug').primary();
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`slug ~ ${SLUG_RULE}`, [], 'article_former_slugs_slug_check');
  });
  await knex.raw('CREATE INDEX article_former_slugs_article_idx ON article_former_slugs (article_id)');

  await knex.schema.createTable('tags', (table) => {
    table.bigIncrements('id').primary();
    table.text('slug').notNullable().unique();
    table.text('name').notNullable();
    table.check(`slug ~ ${SLUG_RULE}`, [], 'tags_slug_check');
    table.check(`char_length(name) BETWEEN 1 AND 100`, [], 'tags_name_check');
  });
  await knex.schema.createTable('article_tags', (table) => {
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    table.bigInteger('tag_id').notNullable().references('tags.id').onDelete('CASCADE');
    table.primary(['article_id', 'tag_id']);
  });
  await knex.raw('CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('article_tags');
  await knex.schema.dropTable('tags');
  await knex.schema.dropTable('article_former_slugs');
  await knex.schema.dropTable('article_revisions');
  await knex.raw('DROP INDEX articles_title_search_idx');
  await knex.raw('DROP INDEX articles_scheduled_idx');
  await knex.raw('DROP INDEX articles_status_list_idx');
  await knex.raw('DROP INDEX articles_admin_list_idx');
  // Articles that only this migration's statuses or media could describe go back to drafts without a figure image.
  await knex.raw(`UPDATE articles SET status = 'draft' WHERE status IN ('scheduled', 'trash')`);
  await knex.raw(`UPDATE articles SET figure_image = NULL, figure_alt = NULL WHERE figure_image LIKE '/media/%'`);
  await knex.raw(`
    ALTER TABLE articles
      DROP CONSTRAINT articles_scheduled_time_check,
      DROP COLUMN trashed_at,
      DROP COLUMN version,
      DROP COLUMN author_id,
      DROP COLUMN excerpt,
      DROP COLUMN summary,
      DROP COLUMN word_count,
      DROP COLUMN body_html,
      DROP COLUMN body_format,
      DROP CONSTRAINT articles_figure_image_check,
      ADD CONSTRAINT articles_figure_image_check CHECK (figure_image ~ ${OLD_FIGURE_IMAGE_PATH}),
      DROP CONSTRAINT articles_status_check,
      ADD CONSTRAINT articles_status_check CHECK (status IN ('draft', 'published'))
  `);
}

import type { Knex } from 'knex';

/**
 * Where imported articles and comments came from, so an import can be run
 * again without duplicates and old WordPress addresses can be redirected.
 *
 * - articles and comments get `source_site` (the old site's normalised base
 *   address, or `disqus:<forum>`) and `source_id` (its post, comment or Disqus
 *   post id), unique together when present;
 * - `article_legacy_paths` holds the paths WordPress served an article at,
 *   percent-decoded, with a leading and a trailing slash.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE articles
      ADD COLUMN IF NOT EXISTS source_site text NULL,
      ADD COLUMN IF NOT EXISTS source_id text NULL,
      ADD COLUMN IF NOT EXISTS source_kind text NULL
        CONSTRAINT articles_source_kind_check CHECK (source_kind IN ('post', 'page'))
  `);
  await knex.raw(`
    CREATE UNIQUE INDEX IF NOT EXISTS articles_source_idx
      ON articles (source_site, source_id) WHERE source_site IS NOT NULL
  `);
  await knex.raw(`
    CREATE TABLE IF NOT EXISTS article_legacy_paths (
      path text PRIMARY KEY,
      article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      created_at timestamptz DEFAULT now()
    )
  `);
  await knex.raw('CREATE INDEX IF NOT EXISTS article_legacy_paths_article_idx ON article_legacy_paths (article_id)');
  await knex.raw(`
    ALTER TABLE comments
      ADD COLUMN IF NOT EXISTS source_site text NULL,
      ADD COLUMN IF NOT EXISTS source_id text NULL,
      ADD COLUMN IF NOT EXISTS imported_from text NULL
        CONSTRAINT comments_imported_from_check CHECK (imported_from IN ('wordpress', 'disqus'))
  `);
  await knex.raw(`
    CREATE UNIQUE INDEX IF NOT EXISTS comments_source_idx
      ON comments (source_site, source_id) WHERE source_site IS NOT NULL
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS comments_source_idx');
  await knex.raw(`
    ALTER TABLE comments
      DROP COLUMN IF EXISTS imported_from,
      DROP COLUMN IF EXISTS source_id,
      DROP COLUMN IF EXISTS source_site
  `);
  await knex.raw('DROP TABLE IF EXISTS article_legacy_paths');
  await knex.raw('DROP INDEX IF EXISTS articles_source_idx');
  await knex.raw(`
    ALTER TABLE articles
      DROP COLUMN IF EXISTS source_kind,
      DROP COLUMN IF EXISTS source_id,
      DROP COLUMN IF EXISTS source_site
  `);
}

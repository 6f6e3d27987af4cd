import type { Knex } from 'knex';

/**
 * Uploaded images, kept in PostgreSQL so that every instance serves every
 * upload with no shared disk.
 *
 * - `media`: one row per image. Its address is `/media/<hash>.<ext>`, where
 *   `hash` is the first 32 hex digits of the SHA-256 of the full-size bytes
 *   as stored (re-encoded, without metadata), so an address never changes
 *   meaning. `source_hash` is the SHA-256 of the bytes as uploaded: sending
 *   the same file again finds this row without decoding it again.
 * - `media_variants`: the bytes of each width the image is served at, the
 *   full size included (its width is the image's). Images are compressed
 *   already, so PostgreSQL is told not to try compressing them again.
 *
 * Beyond one database, the bytes would move to object storage (S3 or the
 * like, under the same names, behind a CDN) and these rows would keep only
 * what pages need (size, widths, who uploaded it); backups and replicas
 * would then stop carrying every image.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('media', (table) => {
    table.bigIncrements('id').primary();
    table.text('hash').notNullable().unique();
    table.text('source_hash').notNullable().unique();
    table.text('ext').notNullable();
    table.integer('width').notNullable();
    table.integer('height').notNullable();
    table.integer('byte_size').notNullable();
    table.text('original_name').notNullable();
    table.bigInteger('uploaded_by').references('users.id').onDelete('SET NULL');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`hash ~ '^[0-9a-f]{32}$'`, [], 'media_hash_check');
    table.check(`source_hash ~ '^[0-9a-f]{64}$'`, [], 'media_source_hash_check');
    table.check(`ext IN ('jpg', 'png', 'webp', 'gif', 'avif')`, [], 'media_ext_check');
    table.check('width > 0 AND height > 0 AND byte_size > 0', [], 'media_size_check');
  });

  await knex.schema.createTable('media_variants', (table) => {
    table.bigInteger('media_id').notNullable().references('media.id').onDelete('CASCADE');
    table.integer('width').notNullable();
    table.integer('height').notNullable();
    table.binary('bytes').notNullable();
    table.primary(['media_id', 'width']);
    table.check('width > 0 AND height > 0', [], 'media_variants_size_check');
  });
  await knex.raw('ALTER TABLE media_variants ALTER COLUMN bytes SET STORAGE EXTERNAL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('media_variants');
  await knex.schema.dropTable('media');
}

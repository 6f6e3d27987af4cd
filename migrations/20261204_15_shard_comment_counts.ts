import type { Knex } from 'knex';

/**
 * comment_counts gets a shard: each database session adds and subtracts in
 * its own row (its backend pid modulo SHARDS), and readers sum the shards.
 *
 * With one row per article and status, every new comment on an article
 * updated the same row at commit and held its lock through the commit's
 * WAL flush: commits on one article went one at a time, each waiting for
 * the flush of the one before, instead of sharing a flush. Rows of one
 * shard may go below zero (a comment counted in one session and moved in
 * another); their sum is still the exact count.
 */
const SHARDS = 16;

const countFunction = (target: (sign: '+' | '-', row: 'OLD' | 'NEW') => string) => `
  CREATE OR REPLACE FUNCTION count_comment_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      ${target('-', 'OLD')};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      ${target('+', 'NEW')};
    END IF;
    RETURN NULL;
  END $$`;

// The article may be gone by commit time: deleting it deletes its comments
// (and its counts) in the same transaction, and then there is nothing to count.
const shardedChange = (sign: '+' | '-', row: 'OLD' | 'NEW') => `
      INSERT INTO comment_counts (article_id, status, shard, count)
      SELECT ${row}.article_id, ${row}.status, pg_backend_pid() % ${SHARDS}, ${sign}1
       WHERE EXISTS (SELECT 1 FROM articles WHERE id = ${row}.article_id)
      ON CONFLICT (article_id, status, shard) DO UPDATE SET count = comment_counts.count ${sign} 1`;

const singleRowChange = (sign: '+' | '-', row: 'OLD' | 'NEW') =>
  sign === '-'
    ? `UPDATE comment_counts SET count = count - 1 WHERE article_id = ${row}.article_id AND status = ${row}.status`
    : `INSERT INTO comment_counts (article_id, status, count) VALUES (${row}.article_id, ${row}.status, 1)
       ON CONFLICT (article_id, status) DO UPDATE SET count = comment_counts.count + 1`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE comment_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0');
  await knex.raw('ALTER TABLE comment_counts DROP CONSTRAINT comment_counts_pkey');
  await knex.raw('ALTER TABLE comment_counts ADD PRIMARY KEY (article_id, status, shard)');
  await knex.raw(countFunction(shardedChange));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TEMPORARY TABLE comment_count_totals ON COMMIT DROP AS
    SELECT article_id, status, sum(count)::bigint AS count FROM comment_counts GROUP BY article_id, status`);
  await knex.raw('DELETE FROM comment_counts');
  await knex.raw('ALTER TABLE comment_counts DROP CONSTRAINT comment_counts_pkey');
  await knex.raw('ALTER TABLE comment_counts DROP COLUMN shard');
  await knex.raw('ALTER TABLE comment_counts ADD PRIMARY KEY (article_id, status)');
  await knex.raw('INSERT INTO comment_counts (article_id, status, count) SELECT article_id, status, count FROM comment_count_totals');
  await knex.raw(countFunction(singleRowChange));
}

import type { Knex } from 'knex';

/**
 * comment_counts goes back to one exact row per article and status: the
 * shards of migration 15 are summed into it, and the counting function adds
 * and subtracts in that row. The triggers that call it stay as migration 14
 * left them, running at commit, so a posting transaction holds the row's
 * lock only while it commits. Each row is the exact count.
 */
/**
 * One statement for each change: -1 in the row the comment leaves, +1 in the
 * row it joins. Rows are taken in (article, status) order, so two moves
 * committing at once in opposite directions wait for each other instead of
 * deadlocking. The article may be gone by commit time: deleting it deletes
 * its comments (and its counts) in the same transaction, and then there is
 * nothing to count.
 */
const EXACT_COUNT_FUNCTION = `
  CREATE OR REPLACE FUNCTION count_comment_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO comment_counts AS kept (article_id, status, count)
    SELECT change.article_id, change.status, change.delta
      FROM (SELECT OLD.article_id, OLD.status, -1 WHERE TG_OP IN ('UPDATE', 'DELETE')
            UNION ALL
            SELECT NEW.article_id, NEW.status, 1 WHERE TG_OP IN ('INSERT', 'UPDATE')) AS change (article_id, status, delta)
     WHERE EXISTS (SELECT 1 FROM articles WHERE id = change.article_id)
     ORDER BY change.article_id, change.status
    ON CONFLICT (article_id, status) DO UPDATE SET count = kept.count + EXCLUDED.count;
    RETURN NULL;
  END $$`;

/** Migration 15's function, for the way down: each session counts in its own shard. */
const SHARDED_COUNT_FUNCTION = `
  CREATE OR REPLACE FUNCTION count_comment_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      INSERT INTO comment_counts (article_id, status, shard, count)
      SELECT OLD.article_id, OLD.status, pg_backend_pid() % 16, -1
       WHERE EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id)
      ON CONFLICT (article_id, status, shard) DO UPDATE SET count = comment_counts.count - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO comment_counts (article_id, status, shard, count)
      SELECT NEW.article_id, NEW.status, pg_backend_pid() % 16, 1
       WHERE EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id)
      ON CONFLICT (article_id, status, shard) DO UPDATE SET count = comment_counts.count + 1;
    END IF;
    RETURN NULL;
  END $$`;

export async function up(knex: Knex): Promise<void> {
  // Comments committed while the shards are summed would otherwise count in a shard about to go.
  await knex.raw('LOCK TABLE comment_counts IN ACCESS EXCLUSIVE MODE');
  await knex.raw(`
    CREATE TEMPORARY TABLE comment_count_totals AS
    SELECT article_id, status, sum(count)::bigint AS count FROM comment_counts GROUP BY article_id, status`);
  await knex.raw('DELETE FROM comment_counts');
  await knex.raw('ALTER TABLE comment_counts DROP CONSTRAINT comment_counts_pkey');
  await knex.raw('ALTER TABLE comment_counts DROP COLUMN shard');
  await knex.raw('ALTER TABLE comment_counts ADD PRIMARY KEY (article_id, status)');
  await knex.raw('INSERT INTO comment_counts (article_id, status, count) SELECT article_id, status, count FROM comment_count_totals');
  await knex.raw('DROP TABLE comment_count_totals');
  await knex.raw(EXACT_COUNT_FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE comment_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0');
  await knex.raw('ALTER TABLE comment_counts DROP CONSTRAINT comment_counts_pkey');
  await knex.raw('ALTER TABLE comment_counts ADD PRIMARY KEY (article_id, status, shard)');
  await knex.raw(SHARDED_COUNT_FUNCTION);
}

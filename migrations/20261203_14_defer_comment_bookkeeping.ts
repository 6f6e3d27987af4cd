import type { Knex } from 'knex';

/**
 * The per-article bookkeeping of a comment change (its count in
 * comment_counts, and the article's cache_version when an approved comment
 * comes or goes) moves to commit time.
 *
 * Both update one row per article. Done at the change itself, that row
 * stayed locked until the transaction ended, across every later statement
 * and every wait of the app between them: concurrent comments on one
 * article queued behind each other for the whole of each other's
 * transactions. As deferred constraint triggers they run at COMMIT, so the
 * row is locked only for the commit itself. Each row change is still
 * counted exactly once, with the values it had when it happened.
 */
const COUNT_TRIGGERS = {
  insertDelete: 'comments_count_insert_delete',
  update: 'comments_count_update',
};
const VERSION_TRIGGER = 'comments_bump_article_version';

async function createCountTriggers(knex: Knex, timing: 'deferred' | 'immediate'): Promise<void> {
  const kind = timing === 'deferred' ? 'CONSTRAINT TRIGGER' : 'TRIGGER';
  const deferral = timing === 'deferred' ? 'DEFERRABLE INITIALLY DEFERRED' : '';
  await knex.raw(`
    CREATE ${kind} ${COUNT_TRIGGERS.insertDelete} AFTER INSERT OR DELETE ON comments ${deferral}
    FOR EACH ROW EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE ${kind} ${COUNT_TRIGGERS.update} AFTER UPDATE OF status, article_id ON comments ${deferral}
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.article_id IS DISTINCT FROM NEW.article_id)
    EXECUTE FUNCTION count_comment_change()`);
  await knex.raw(`
    CREATE ${kind} ${VERSION_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON comments ${deferral}
    FOR EACH ROW EXECUTE FUNCTION bump_article_version_for_comment()`);
}

async function dropCountTriggers(knex: Knex): Promise<void> {
  for (const name of [COUNT_TRIGGERS.insertDelete, COUNT_TRIGGERS.update, VERSION_TRIGGER]) {
    await knex.raw(`DROP TRIGGER ${name} ON comments`);
  }
}

export async function up(knex: Knex): Promise<void> {
  await dropCountTriggers(knex);
  await createCountTriggers(knex, 'deferred');
}

export async function down(knex: Knex): Promise<void> {
  await dropCountTriggers(knex);
  await createCountTriggers(knex, 'immediate');
}

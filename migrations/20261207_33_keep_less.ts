import type { Knex } from 'knex';

/**
 * Keeping less about commenters.
 *
 * `mail_outbox.comment_ids`: the comments a mail is about, read from its
 * dedupe key (`held:<comment>`, `approved:<comment>`,
 * `reply:<reply>:to:<parent>`), so a comment deleted for good finds its mail
 * by index, rows queued before this migration included. Generated, so no
 * path that queues mail can forget it.
 *
 * The partial indexes let the periodic clean-up find what is due without
 * reading every sent mail or every comment: sent (or failed) mail that
 * still has its text, and approved or trashed comments that still have an
 * IP address or a user agent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE mail_outbox ADD COLUMN comment_ids bigint[] NOT NULL GENERATED ALWAYS AS (
      CASE
        WHEN kind IN ('held', 'approved') AND dedupe_key ~ '^(held|approved):[0-9]{1,18}$'
          THEN ARRAY[split_part(dedupe_key, ':', 2)::bigint]
        WHEN kind = 'reply' AND dedupe_key ~ '^reply:[0-9]{1,18}:to:[0-9]{1,18}$'
          THEN ARRAY[split_part(dedupe_key, ':', 2)::bigint, split_part(dedupe_key, ':', 4)::bigint]
        ELSE '{}'::bigint[]
      END) STORED`);
  await knex.raw('CREATE INDEX mail_outbox_comment_ids_idx ON mail_outbox USING gin (comment_ids)');
  await knex.raw('CREATE INDEX mail_outbox_lower_recipient_idx ON mail_outbox (lower(recipient))');
  await knex.raw(`
    CREATE INDEX mail_outbox_kept_text_idx ON mail_outbox (coalesce(sent_at, next_attempt_at))
     WHERE status <> 'pending' AND (recipient <> '' OR subject <> '' OR body <> '')`);
  await knex.raw(`
    CREATE INDEX comments_kept_ip_idx ON comments (created_at)
     WHERE status IN ('approved', 'trash') AND (ip IS NOT NULL OR user_agent <> '')`);
  await knex.raw('CREATE INDEX IF NOT EXISTS invitations_expires_idx ON invitations (expires_at)');
  await knex.raw('CREATE INDEX IF NOT EXISTS password_resets_expires_idx ON password_resets (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS password_resets_expires_idx');
  await knex.raw('DROP INDEX IF EXISTS invitations_expires_idx');
  await knex.raw('DROP INDEX IF EXISTS comments_kept_ip_idx');
  await knex.raw('DROP INDEX IF EXISTS mail_outbox_kept_text_idx');
  await knex.raw('DROP INDEX IF EXISTS mail_outbox_lower_recipient_idx');
  await knex.raw('DROP INDEX IF EXISTS mail_outbox_comment_ids_idx');
  await knex.raw('ALTER TABLE mail_outbox DROP COLUMN IF EXISTS comment_ids');
}

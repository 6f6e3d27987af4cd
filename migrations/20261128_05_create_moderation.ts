import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('comments', (table) => {
    // Why the comment is in its status: [{ code, text }], recorded when it was decided.
    table.jsonb('status_reasons').notNullable().defaultTo('[]');
    table.bigInteger('user_id').references('users.id').onDelete('SET NULL');
    table.boolean('is_site_reply').notNullable().defaultTo(false);
    table.bigInteger('moderated_by').references('users.id').onDelete('SET NULL');
    table.timestamp('moderated_at', { useTz: true });
    table.timestamp('updated_at', { useTz: true });
  });
  await knex.schema.createTable('moderation_log', (table) => {
    table.bigIncrements('id').primary();
    // No foreign key: the record of a permanent deletion outlives the comment.
    table.bigInteger('comment_id').notNullable();
    table.bigInteger('actor_id').references('users.id').onDelete('SET NULL');
    table.text('actor_name').notNullable();
    table.text('action').notNullable();
    table.text('from_status');
    table.text('to_status');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`action IN ('status', 'delete', 'edit', 'reply')`, [], 'moderation_log_action_check');
  });
  await knex.raw('CREATE INDEX moderation_log_comment_idx ON moderation_log (comment_id, id DESC)');
  await knex.raw('CREATE INDEX moderation_log_created_idx ON moderation_log (created_at DESC, id DESC)');
  // rate-limiter-flexible's schema for its PostgreSQL store (login throttling across instances).
  await knex.schema.createTable('rate_limits', (table) => {
    table.string('key', 255).primary();
    table.integer('points').notNullable().defaultTo(0);
    table.bigInteger('expire');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
  await knex.schema.dropTable('moderation_log');
  await knex.schema.alterTable('comments', (table) => {
    table.dropColumns('status_reasons', 'user_id', 'is_site_reply', 'moderated_by', 'moderated_at', 'updated_at');
  });
}

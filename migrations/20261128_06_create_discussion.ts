import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (table) => {
    table.text('key').primary();
    table.jsonb('value').notNullable();
    table.bigInteger('updated_by').references('users.id').onDelete('SET NULL');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('commenter_blocks', (table) => {
    table.bigIncrements('id').primary();
    table.text('kind').notNullable();
    table.text('value').notNullable();
    table.text('note').notNullable().defaultTo('');
    table.timestamp('expires_at', { useTz: true });
    table.bigInteger('created_by').references('users.id').onDelete('SET NULL');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check(`kind IN ('email', 'ip', 'domain')`, [], 'commenter_blocks_kind_check');
  });
  await knex.raw('CREATE UNIQUE INDEX commenter_blocks_kind_value_idx ON commenter_blocks (kind, lower(value))');
  await knex.schema.createTable('mail_outbox', (table) => {
    table.bigIncrements('id').primary();
    // One mail per event: the same event recorded twice still mails once.
    table.text('dedupe_key').notNullable().unique();
    table.text('kind').notNullable();
    table.text('recipient').notNullable();
    table.text('subject').notNullable();
    table.text('body').notNullable();
    table.text('status').notNullable().defaultTo('pending');
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('locked_until', { useTz: true });
    table.text('last_error');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('sent_at', { useTz: true });
    table.check(`status IN ('pending', 'sent', 'failed')`, [], 'mail_outbox_status_check');
  });
  await knex.raw(`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'pending'`);
  await knex.schema.alterTable('comments', (table) => {
    table.boolean('notify_on_approval').notNullable().defaultTo(false);
    table.boolean('notify_on_reply').notNullable().defaultTo(false);
  });
  // Flood and returning-commenter checks look comments up by IP and by email.
  await knex.raw('CREATE INDEX comments_ip_created_idx ON comments (ip, created_at DESC)');
  await knex.raw('CREATE INDEX comments_email_status_idx ON comments (lower(author_email), status)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX comments_email_status_idx');
  await knex.raw('DROP INDEX comments_ip_created_idx');
  await knex.schema.alterTable('comments', (table) => {
    table.dropColumns('notify_on_approval', 'notify_on_reply');
  });
  await knex.schema.dropTable('mail_outbox');
  await knex.schema.dropTable('commenter_blocks');
  await knex.schema.dropTable('settings');
}

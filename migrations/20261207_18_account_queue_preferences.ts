import type { Knex } from 'knex';

/**
 * Accounts: queue preferences (shortcuts, rows per page, density), in a table
 * of their own so an account without a row simply has the defaults.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_queue_preferences', (table) => {
    table.bigInteger('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
    // Single-key shortcuts can be turned off (WCAG 2.1.4); on unless the account says otherwise.
    table.boolean('shortcuts_enabled').notNullable().defaultTo(true);
    table.integer('per_page').notNullable().defaultTo(20);
    table.text('density').notNullable().defaultTo('comfortable');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check('per_page BETWEEN 20 AND 200', [], 'account_queue_preferences_per_page_check');
    table.check(`density IN ('comfortable', 'compact')`, [], 'account_queue_preferences_density_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('account_queue_preferences');
}

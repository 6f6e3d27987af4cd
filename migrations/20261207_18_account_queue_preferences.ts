import type { Knex } from 'knex';

/** Accounts: queue preferences (shortcuts, rows per page, density). */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}

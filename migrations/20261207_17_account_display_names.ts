import type { Knex } from 'knex';

/** Accounts: display names shown on site replies and in mail. */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}

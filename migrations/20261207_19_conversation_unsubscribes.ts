import type { Knex } from 'knex';

/** Unsubscribes per conversation, and explicit re-subscriptions. */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}

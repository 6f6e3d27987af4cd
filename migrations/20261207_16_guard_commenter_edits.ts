import type { Knex } from 'knex';

/** Commenter edits: a version to check, and whether a moderator has touched the comment. */
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}

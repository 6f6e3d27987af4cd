import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.bigIncrements('id').primary();
    table.text('username').notNullable();
    table.text('display_name').notNullable();
    table.text('password_hash').notNullable();
    table.text('role').notNullable().defaultTo('admin');
    table.timestamps(true, true, false);
    table.check(`role IN ('admin')`, [], 'users_role_check');
    table.check(`username ~ '^[A-Za-z0-9_.-]{1,60}$'`, [], 'users_username_check');
  });
  await knex.raw('CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}

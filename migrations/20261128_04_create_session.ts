import type { Knex } from 'knex';

/** connect-pg-simple's own schema (its table.sql), made here rather than by the store. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE "session" (
      "sid" varchar NOT NULL COLLATE "default",
      "sess" json NOT NULL,
      "expire" timestamp(6) NOT NULL,
      CONSTRAINT "session_pkey" PRIMARY KEY ("sid") NOT DEFERRABLE INITIALLY IMMEDIATE
    )`);
  await knex.raw('CREATE INDEX "IDX_session_expire" ON "session" ("expire")');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('session');
}

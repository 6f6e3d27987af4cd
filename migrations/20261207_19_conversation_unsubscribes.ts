import type { Knex } from 'knex';

/** Unsubscribes per conversation, explicit re-subscriptions, and the List-Unsubscribe link of each queued mail. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversation_unsubscribes', (table) => {
    // Stored lower-cased, like mail_unsubscribes: one address, one row per article.
    table.text('email').notNullable();
    table.bigInteger('article_id').notNullable().references('articles.id').onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['email', 'article_id']);
  });
  await knex.schema.createTable('mail_resubscriptions', (table) => {
    // The comment whose ticked notify box, posted after an unsubscribe, overrode it.
    table.bigInteger('comment_id').primary().references('comments.id').onDelete('CASCADE');
    table.text('email').notNullable();
    table.timestamp('unsubscribed_at', { useTz: true }).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('mail_outbox', (table) => {
    table.text('list_unsubscribe');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('mail_outbox', (table) => {
    table.dropColumn('list_unsubscribe');
  });
  await knex.schema.dropTable('mail_resubscriptions');
  await knex.schema.dropTable('conversation_unsubscribes');
}

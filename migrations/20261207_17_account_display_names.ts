import type { Knex } from 'knex';

/**
 * Accounts: display names shown on site replies and in mail. Accounts made
 * before display names could be chosen were given their username, which
 * signed every reply with half of what signing in needs: they get the
 * default name instead (changeable on /admin/account). Data only; the
 * column exists since the users table was made.
 */
const DEFAULT_DISPLAY_NAME = 'Site admin';

export async function up(knex: Knex): Promise<void> {
  await knex('users').whereRaw('display_name = username').update({ display_name: DEFAULT_DISPLAY_NAME });
}

export async function down(knex: Knex): Promise<void> {
  await knex('users')
    .where({ display_name: DEFAULT_DISPLAY_NAME })
    .update({ display_name: knex.ref('username') });
}

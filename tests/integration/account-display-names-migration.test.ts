import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as displayNames from '../../migrations/20261207_17_account_display_names.js';
import * as expireRateLimits from '../../migrations/20261207_20_expire_rate_limits.js';
import { inRolledBackTransaction, useTestDatabase } from '../helpers/database.js';

const testDb = useTestDatabase();

describe('migration 17: account display names', () => {
  it('stops an older account signing replies with its username, and puts it back on the way down', async () => {
    await inRolledBackTransaction(testDb.db, async (trx) => {
      await trx('users').insert([
        { username: 'admin', display_name: 'admin', password_hash: 'x' },
        { username: 'kareem', display_name: 'Kareem Salem', password_hash: 'x' },
      ]);
      const names = async () =>
        (await trx('users').select('username', 'display_name').orderBy('username')).map((row) => `${row.username}:${row.display_name}`);
      await displayNames.up(trx);
      assert.deepEqual(await names(), ['admin:Site admin', 'kareem:Kareem Salem']);
      await displayNames.down(trx);
      assert.deepEqual(await names(), ['admin:admin', 'kareem:Kareem Salem']);
    });
  });
});

describe('migration 20: expiring rate limits', () => {
  it('indexes rate_limits by expiry, and its down removes the index', async () => {
    const indexes = async (trx: typeof testDb.db) =>
      (await trx('pg_indexes').where({ tablename: 'rate_limits' }).select('indexname')).map((row) => row.indexname);
    assert.ok((await indexes(testDb.db)).includes('rate_limits_expire_idx'));
    await inRolledBackTransaction(testDb.db, async (trx) => {
      await expireRateLimits.down(trx);
      assert.ok(!(await indexes(trx)).includes('rate_limits_expire_idx'));
      await expireRateLimits.up(trx);
      assert.ok((await indexes(trx)).includes('rate_limits_expire_idx'));
    });
  });
});

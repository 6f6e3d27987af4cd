import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { AdminSessionStore } from '../../src/admin-auth/admin-session.js';
import { useTestDatabase } from '../helpers/database.js';

/** Rows anonymous requests leave behind (rate-limit counts) are deleted once stale, by the session store's periodic sweep. */

const testDb = useTestDatabase();
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
after(() => pool.end());

describe('expired rate-limit rows', () => {
  it('are deleted by the sweep, while live ones and live sessions stay', async () => {
    const now = Date.now();
    await testDb.db('rate_limits').insert([
      { key: 'login:ip:198.51.100.1', points: 3, expire: now - 1000 },
      { key: 'flood:ip:198.51.100.2', points: 1, expire: now - 60 * 60 * 1000 },
      { key: 'login:ip:198.51.100.3', points: 2, expire: now + 60 * 60 * 1000 },
    ]);
    await testDb.db('session').insert([
      { sid: 'live', sess: JSON.stringify({ cookie: {} }), expire: new Date(now + 60_000) },
      { sid: 'stale', sess: JSON.stringify({ cookie: {} }), expire: new Date(now - 60_000) },
    ]);
    const store = new AdminSessionStore({ pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: false });
    await new Promise<void>((resolve, reject) => store.pruneSessions((error) => (error ? reject(error) : resolve())));
    assert.deepEqual(
      (await testDb.db('rate_limits').select('key')).map((row) => row.key),
      ['login:ip:198.51.100.3'],
    );
    assert.deepEqual(
      (await testDb.db('session').select('sid')).map((row) => row.sid),
      ['live'],
    );
  });
});

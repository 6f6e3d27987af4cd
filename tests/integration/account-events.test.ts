import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { recordAccountEvent } from '../../src/people/account-events.js';
import { adminApp, ADMIN_PASSWORD, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
  // Signing in is an event of its own; each test starts from an empty log.
  await testDb.db('account_events').delete();
});

const logRows = async (path = '/admin/people/log') => {
  const page = parsePage((await admin.agent.get(path).expect(200)).text);
  return {
    page,
    rows: page('tbody tr')
      .map((_i, row) => squash(page(row).text()))
      .get(),
  };
};

describe('the account log', () => {
  it('records a password change with who, whom and the address, and shows it to an administrator', async () => {
    await admin.post('/admin/account/password', { current_password: ADMIN_PASSWORD, new_password: 'a brand new passphrase' }).expect(303);
    const event = await testDb.db('account_events').where({ kind: 'password-changed' }).first();
    assert.equal(String(event.actor_id), admin.user.id);
    assert.equal(String(event.subject_id), admin.user.id);
    assert.equal(event.subject_name, 'moderator');
    assert.match(String(event.ip), /127\.0\.0\.1|::1/);
    const { page, rows } = await logRows();
    assert.equal(squash(page('h1').text()), 'Account log');
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /Changed the password/);
    assert.match(rows[0]!, /moderator/);
  });

  it('records nothing when the change is refused', async () => {
    await admin.post('/admin/account/password', { current_password: 'wrong', new_password: 'a brand new passphrase' }).expect(422);
    assert.equal((await testDb.db('account_events')).length, 0);
  });

  it('keeps the names when an account is deleted', async () => {
    const other = await createAdmin(testDb.db, 'departed', ADMIN_PASSWORD, { displayName: 'Departed' });
    await recordAccountEvent(testDb.db, {
      kind: 'role-changed',
      actorId: admin.user.id,
      subjectId: other.id,
      ip: '203.0.113.9',
      detail: 'editor',
    });
    await testDb.db('users').where({ id: other.id }).delete();
    const event = await testDb.db('account_events').first();
    assert.equal(event.subject_id, null);
    const { rows } = await logRows();
    assert.match(rows[0]!, /Changed the role: editor/);
    assert.match(rows[0]!, /departed/);
    assert.match(rows[0]!, /203\.0\.113\.9/);
  });

  it('refuses a kind outside the closed set in the schema', async () => {
    await assert.rejects(testDb.db('account_events').insert({ kind: 'hacked' }), /account_events_kind_check/);
  });

  it('pages older events, newest first', async () => {
    for (let i = 0; i < 60; i += 1) {
      await recordAccountEvent(testDb.db, { kind: 'sign-in-failed', actorId: null, subjectId: null, ip: null, detail: `try ${i}` });
    }
    const first = await logRows();
    assert.equal(first.rows.length, 50);
    assert.match(first.rows[0]!, /try 59/);
    const older = first.page('a[rel="next"]').attr('href');
    assert.ok(older);
    const second = await logRows(older);
    assert.equal(second.rows.length, 10);
    assert.match(second.rows[9]!, /try 0\b/);
    await admin.agent.get('/admin/people/log?before=nonsense').expect(400);
  });

  it('pages events of the same millisecond without losing one at the page boundary', async () => {
    const rows = Array.from({ length: 51 }, (_, i) => ({
      kind: 'sign-in-failed',
      detail: `micro ${i}`,
      created_at: testDb.db.raw(`timestamptz '2026-01-01 00:00:00.000100+00' + make_interval(secs => ?::float / 1000000)`, [i]),
    }));
    await testDb.db('account_events').insert(rows);
    const first = await logRows();
    assert.equal(first.rows.length, 50);
    const second = await logRows(first.page('a[rel="next"]').attr('href'));
    assert.equal(second.rows.length, 1);
    assert.match(second.rows[0]!, /micro 0\b/);
  });

  it('needs a session', async () => {
    await request(app).get('/admin/people/log').expect(303);
  });
});

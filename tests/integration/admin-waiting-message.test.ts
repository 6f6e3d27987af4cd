import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * A moderation message waits in the session until an admin page shows it: a
 * redirect not followed, or a second tab, means the next page may be any
 * admin page, and every one of them must render it.
 */

const testDb = useTestDatabase();
let admin: AdminClient;

beforeEach(async () => {
  ({ admin } = await adminApp(testDb.db));
});

/** Moves a comment to spam without following the redirect: the "Undo" message is left waiting. */
async function leaveSpamMessageWaiting() {
  const id = await insertComment(testDb.db, { status: 'pending' });
  await admin.post(`/admin/comments/${id}/status`, { status: 'spam' }).expect(303);
}

describe('a waiting moderation message', () => {
  for (const path of ['/admin/settings/discussion', '/admin/blocks', '/admin/account', '/admin/comments']) {
    it(`is shown, with its Undo button, on ${path}`, async () => {
      await leaveSpamMessageWaiting();
      const response = await admin.agent.get(path);
      assert.equal(response.status, 200, response.text.slice(0, 500));
      const page = parsePage(response.text);
      assert.match(squash(page('.flash__message').text()), /spam/i);
      assert.equal(page('.flash__undo button').text().trim(), 'Undo');
      assert.equal(page('.flash__undo input[name="_csrf"]').attr('value'), admin.csrf);
    });
  }

  it('does not stop pages that do not show it from rendering', async () => {
    await leaveSpamMessageWaiting();
    await admin.agent.get('/admin/log').expect(200);
  });

  it('undoes from a page other than the queue, and goes back to the queue', async () => {
    const id = await insertComment(testDb.db, { status: 'pending' });
    await admin.post(`/admin/comments/${id}/status`, { status: 'spam' }).expect(303);
    const page = parsePage((await admin.agent.get('/admin/blocks').expect(200)).text);
    const token = page('.flash__undo input[name="token"]').attr('value')!;
    const undone = await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.match(undone.headers.location ?? '', /^\/admin\/comments/);
    assert.equal((await testDb.db('comments').where({ id }).first()).status, 'pending');
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * The admin's own forms and filters take text too: a value PostgreSQL will
 * not store or compare (a NUL byte above all) is refused with a 4xx that
 * shows the request id, and changes nothing; never a 500.
 */

const database = useTestDatabase();
let admin: AdminClient;
let comment: string;

beforeEach(async () => {
  admin = await signInAdmin(buildTestApp(database.db), database.db);
  comment = await insertComment(database.db, { status: 'pending', body: 'Needle in a haystack.' });
});

async function snapshot() {
  const rows = async (table: string) => database.db(table).select('*').orderByRaw('1');
  return {
    comments: await rows('comments'),
    blocks: await rows('commenter_blocks'),
    settings: await rows('settings'),
    log: await rows('moderation_log'),
  };
}

function assertClientError(response: { status: number; text: string; headers: Record<string, string> }, what: string) {
  assert.ok(response.status >= 400 && response.status < 500, `${what}: ${response.status}`);
  assert.equal(
    parsePage(response.text)('.error-page__reference code, .error-summary, .field-error').length > 0,
    true,
    `${what}: a message`,
  );
}

describe('values PostgreSQL refuses, in admin forms and filters', () => {
  it('the queue search and article filter with NUL bytes and other oddities', async () => {
    for (const query of [
      'q=a%00b',
      'q=%00',
      'article=a%00b',
      'q=%FF%FE',
      `q=${'%25'.repeat(150)}`,
      'q=\\',
      'status=all&q=%27%20OR%201%3D1%20--',
    ]) {
      const response = await admin.agent.get(`/admin/comments?${query}`);
      assert.ok(response.status < 500, `${query}: ${response.status}`);
      if (response.status === 200)
        assert.equal(parsePage(response.text)(`#comment-${comment}`).length, 0, `${query} found the comment by accident`);
    }
    const found = await admin.agent.get('/admin/comments?q=Needle').expect(200);
    assert.equal(parsePage(found.text)(`#comment-${comment}`).length, 1, 'the control case finds it');
  });

  it('a block with a NUL byte in its note: refused, nothing blocked, the comment not moved', async () => {
    const before = await snapshot();
    const response = await admin.post(`/admin/comments/${comment}/block`, { kind: 'email', expires: 'never', note: 'spammer\u0000' });
    assertClientError(response, 'block note');
    assert.deepEqual(await snapshot(), before);
  });

  it('discussion settings with NUL bytes in the word lists: refused, settings unchanged', async () => {
    const before = await snapshot();
    for (const field of ['moderation_keys', 'disallowed_keys']) {
      const response = await admin.post('/admin/settings/discussion', [[field, 'viagra\u0000casino']]);
      assert.ok(response.status >= 400 && response.status < 500, `${field}: ${response.status}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('an edit or a reply with NUL bytes: 422 with the message at the field, nothing changed', async () => {
    const before = await snapshot();
    const edit = await admin.post(`/admin/comments/${comment}/edit`, {
      comment: 'x\u0000y',
      author: 'Ada',
      email: 'ada@example.org',
      url: '',
    });
    assert.equal(edit.status, 422);
    const reply = await admin.post(`/admin/comments/${comment}/reply`, { comment: 'x\u0000y' });
    assert.equal(reply.status, 422);
    assert.deepEqual(await snapshot(), before);
  });
});

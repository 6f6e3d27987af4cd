import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { APP_ORIGIN } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';
import { attackHarness } from '../helpers/security.js';

/**
 * Every state-changing admin request needs the session's own `_csrf` and a
 * same-site origin: without the token, with another session's token, or
 * from another site it gets 403 and changes nothing at all.
 */

const database = useTestDatabase();
let app: Express;
let admin: AdminClient;
let other: AdminClient;
let pending: string;
let spam: string;
let blockId: string;

beforeEach(async () => {
  app = attackHarness(database.db).app;
  admin = await signInAdmin(app, database.db, 'moderator');
  other = await signInAdmin(app, database.db, 'second');
  pending = await insertComment(database.db, { status: 'pending', author_email: 'eve@example.net' });
  spam = await insertComment(database.db, { status: 'spam' });
  const [block] = await database
    .db('commenter_blocks')
    .insert({ kind: 'email', value: 'mallory@example.net', note: 'x', created_by: admin.user.id })
    .returning<Array<{ id: string }>>('id');
  blockId = String(block!.id);
});

/** Everything an admin POST could change, to compare before and after. */
async function snapshot() {
  const rows = async (table: string) => database.db(table).select('*').orderByRaw('1');
  return {
    comments: await rows('comments'),
    blocks: await rows('commenter_blocks'),
    settings: await rows('settings'),
    log: await rows('moderation_log'),
    mail: await rows('mail_outbox'),
    sessions: (await database.db('session').select('sid').orderBy('sid')).map((row: { sid: string }) => row.sid),
  };
}

/** Each admin form, with the fields it sends. */
const FORMS: Record<string, () => [string, Array<[string, string]>]> = {
  'status (approve)': () => [`/admin/comments/${pending}/status`, [['status', 'approved']]],
  'bulk delete': () => [
    `/admin/comments/bulk`,
    [
      ['action', 'delete'],
      ['ids', spam],
      ['ids', pending],
    ],
  ],
  restore: () => [`/admin/comments/${spam}/restore`, []],
  delete: () => [`/admin/comments/${spam}/delete`, []],
  reply: () => [`/admin/comments/${pending}/reply`, [['comment', 'Approved by a forged form']]],
  block: () => [
    `/admin/comments/${pending}/block`,
    [
      ['kind', 'email'],
      ['expires', 'never'],
    ],
  ],
  edit: () => [
    `/admin/comments/${pending}/edit`,
    [
      ['comment', 'Rewritten'],
      ['author', 'Eve'],
      ['email', 'eve@example.net'],
      ['url', ''],
    ],
  ],
  'lift a block': () => [`/admin/blocks/${blockId}/delete`, []],
  'discussion settings': () => [
    `/admin/settings/discussion`,
    [
      ['comment_moderation', 'on'],
      ['disallowed_keys', ''],
    ],
  ],
  undo: () => [`/admin/comments/undo`, [['token', 'x']]],
  logout: () => [`/admin/logout`, []],
};

async function expectForbidden(post: () => Promise<request.Response>) {
  const before = await snapshot();
  const response = await post();
  assert.equal(response.status, 403, `status ${response.status}`);
  assert.match(response.text, /expired or did not come from this site|sent from another site/);
  assert.deepEqual(await snapshot(), before, 'nothing changed');
}

describe('CSRF on admin forms', () => {
  for (const [name, form] of Object.entries(FORMS)) {
    it(`${name}: no token, an empty token, a made-up token, another session’s token, a foreign Origin, a cross-site fetch: all 403`, async () => {
      const [path, fields] = form();
      await expectForbidden(() => admin.post(path, [...fields, ['_csrf', '']]));
      await expectForbidden(() => admin.agent.post(path).type('form').send(new URLSearchParams(fields).toString()));
      await expectForbidden(() => admin.post(path, [...fields, ['_csrf', `${admin.csrf.slice(0, -2)}xx`]]));
      await expectForbidden(() => admin.post(path, [...fields, ['_csrf', other.csrf]]));
      await expectForbidden(() => admin.post(path, [...fields, ['_csrf', admin.csrf], ['_csrf', admin.csrf]]));
      await expectForbidden(() => admin.post(path, fields).set('Origin', 'https://evil.example'));
      await expectForbidden(() => admin.post(path, fields).set('Origin', 'null'));
      await expectForbidden(() => admin.post(path, fields).set('Sec-Fetch-Site', 'cross-site'));
      await expectForbidden(() => admin.post(path, fields).set('Sec-Fetch-Site', 'same-site').set('Origin', 'https://sub.127.0.0.1:3000'));
      // The token in a header or the query string is not where this site reads it.
      await expectForbidden(() =>
        admin.agent
          .post(`${path}?_csrf=${encodeURIComponent(admin.csrf)}`)
          .set('X-CSRF-Token', admin.csrf)
          .type('form')
          .send(new URLSearchParams(fields).toString()),
      );
    });
  }

  it('the control case: the same forms with the session’s token and our Origin are accepted', async () => {
    for (const [name, form] of Object.entries(FORMS)) {
      if (['logout', 'delete', 'bulk delete'].includes(name)) continue;
      const [path, fields] = form();
      const response = await admin.post(path, fields).set('Origin', APP_ORIGIN);
      assert.ok([303, 400, 422].includes(response.status), `${name}: ${response.status}`);
    }
    assert.equal((await database.db('comments').where({ id: pending }).first()).status, 'approved');
  });

  it('a token in a JSON body is not read: 403', async () => {
    await expectForbidden(() =>
      admin.agent
        .post(`/admin/comments/${pending}/status`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ status: 'approved', _csrf: admin.csrf })),
    );
  });

  it('a signed-out browser posting with a stolen token is sent to sign in, and nothing changes', async () => {
    const before = await snapshot();
    const response = await request(app)
      .post(`/admin/comments/${pending}/status`)
      .type('form')
      .send({ status: 'approved', _csrf: admin.csrf });
    assert.equal(response.status, 303);
    assert.match(response.headers.location ?? '', /^\/admin\/login\?next=/);
    assert.deepEqual(await snapshot(), before);
  });
});

describe('commenter and reader forms from another site', () => {
  it('edit, withdraw, unsubscribe and comment posts with a foreign Origin or cross-site fetch are 403 and change nothing', async () => {
    const own = await insertComment(database.db, { status: 'pending' });
    for (const path of [
      `/comments/${own}/edit`,
      `/comments/${own}/withdraw`,
      '/unsubscribe',
      '/articles/xi-ducks-putins-push-for-expanded-military-ties/comments',
    ]) {
      for (const header of [
        ['Origin', 'https://evil.example'],
        ['Sec-Fetch-Site', 'cross-site'],
      ] as const) {
        const before = await snapshot();
        const response = await request(app)
          .post(path)
          .set(header[0], header[1])
          .type('form')
          .send({ comment: 'x', author: 'x', email: 'x@example.net', token: 'x' });
        assert.equal(response.status, 403, `${path} with ${header[0]}`);
        assert.deepEqual(await snapshot(), before);
      }
    }
  });
});

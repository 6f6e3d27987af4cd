import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { saveDiscussionSettings } from '../../src/queries/settings.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/services/discussion-settings.js';
import { adminApp } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

const context = useTestDatabase();
const PATH = `/articles/${DEMO_SLUG}`;

describe('page cache for anonymous readers', () => {
  it('serves the second anonymous view from the cache, with its own submission id and stamp', async () => {
    const app = buildTestApp(context.db);
    const first = await request(app).get(PATH).expect(200);
    const second = await request(app).get(PATH).expect(200);
    assert.equal(first.headers['x-page-cache'], 'miss');
    assert.equal(second.headers['x-page-cache'], 'hit');
    const [a, b] = [formFields(parsePage(first.text)), formFields(parsePage(second.text))];
    assert.notEqual(a.submission_id, b.submission_id, 'every response carries a fresh submission id');
    assert.match(b.submission_id!, /^[0-9a-f-]{36}$/);
    assert.match(b.rendered_at!, /^\d+\.[\w-]+$/);
    assert.equal(second.text.replace(b.submission_id!, '').replace(b.rendered_at!, ''), first.text.replace(a.submission_id!, '').replace(a.rendered_at!, ''));
  });

  it('shows a comment approved behind its back at once', async () => {
    const app = buildTestApp(context.db);
    await request(app).get(PATH).expect(200);
    const id = await insertComment(context.db, { status: 'pending', body: 'Cached or not?' });
    assert.equal((await request(app).get(PATH)).headers['x-page-cache'], 'hit', 'a pending comment changes nothing');
    await context.db('comments').where({ id }).update({ status: 'approved' });
    const after = await request(app).get(PATH).expect(200);
    assert.equal(after.headers['x-page-cache'], 'miss');
    assert.match(after.text, new RegExp(`id="comment-${id}"`));
  });

  it('drops a comment moved out of approved, and an edited one, at once', async () => {
    const app = buildTestApp(context.db);
    const id = await insertComment(context.db, { status: 'approved', body: 'First words.' });
    await request(app).get(PATH).expect(200);
    await context.db('comments').where({ id }).update({ body: 'Second words.' });
    assert.match((await request(app).get(PATH)).text, /Second words\./);
    await context.db('comments').where({ id }).update({ status: 'spam' });
    assert.doesNotMatch((await request(app).get(PATH)).text, new RegExp(`id="comment-${id}"`));
  });

  it('follows a moderator approving in the queue of another instance', async () => {
    const reader = buildTestApp(context.db);
    const { admin } = await adminApp(context.db);
    const id = await insertComment(context.db, { status: 'pending', body: 'Approve me.' });
    await request(reader).get(PATH).expect(200);
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    assert.match((await request(reader).get(PATH)).text, new RegExp(`id="comment-${id}"`));
  });

  it('follows a settings change', async () => {
    const app = buildTestApp(context.db);
    await insertComment(context.db, { status: 'approved', body: 'A reply target.' });
    assert.match((await request(app).get(PATH)).text, /class="comment-reply-link"/);
    await saveDiscussionSettings(context.db, { ...DEFAULT_DISCUSSION_SETTINGS, threadDepth: 2 }, null);
    await request(app).get(PATH).expect(200);
    await context.db('articles').update({ comments_open: false });
    const closed = await request(app).get(PATH).expect(200);
    assert.doesNotMatch(closed.text, /class="comment-reply-link"/, 'closing comments is an article change');
  });

  it('never caches a page for a reader with commenter cookies or a query', async () => {
    const app = buildTestApp(context.db);
    await request(app).get(PATH).expect(200);
    const remembered = await request(app).get(PATH).set('Cookie', 'comment_author=Ada').expect(200);
    assert.equal(remembered.headers['x-page-cache'], undefined);
    assert.match(remembered.text, /value="Ada"/);
    const replying = await request(app).get(`${PATH}?replytocom=1`).expect(200);
    assert.equal(replying.headers['x-page-cache'], undefined);
  });
});

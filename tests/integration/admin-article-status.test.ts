import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, postForm, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

type Status = 'draft' | 'scheduled' | 'published' | 'trash';

let made = 0;

async function article(status: Status, title = `Article ${made + 1}`) {
  made += 1;
  const [row] = await testDb
    .db('articles')
    .insert({
      slug: `article-${made}`,
      title,
      author_name: 'Test Author',
      body: 'Text.',
      status,
      published_at:
        status === 'draft' ? null : status === 'scheduled' ? new Date(Date.now() + 86_400_000) : new Date('2026-01-01T09:00:00Z'),
      trashed_at: status === 'trash' ? new Date('2026-01-02T09:00:00Z') : null,
    })
    .returning<Array<{ id: string; slug: string }>>(['id', 'slug']);
  return { id: String(row!.id), slug: row!.slug, path: `/articles/${row!.slug}` };
}

interface StoredArticle {
  status: Status;
  published_at: Date | null;
  trashed_at: Date | null;
  version: number;
  updated_at: Date;
}

const stored = async (id: string) =>
  (await testDb.db('articles').select('status', 'published_at', 'trashed_at', 'version', 'updated_at').where({ id }).first()) as
    StoredArticle | undefined;

/** Posts a move and follows the 303 to the page it names, returning that page's flash. */
async function move(id: string, fields: Record<string, string>, back = '/admin/articles') {
  const response = await admin.post(`/admin/articles/${id}/status`, fields).expect(303);
  assert.equal(response.headers.location, back);
  const page = parsePage((await admin.agent.get(back).expect(200)).text);
  return { tone: page('.flash').attr('class') ?? '', message: squash(page('.flash__message').text()) };
}

const readerStatus = async (path: string) => (await request(app).get(path)).status;

describe('moving an article', () => {
  it('trashes it: readers get 404 at once, the row records when, and the move counts as a save', async () => {
    const { id, path } = await article('published', 'Ships at Dawn');
    await request(app).get(path).expect(200);
    await request(app).get(path).expect(200); // now in the page cache
    const before = (await stored(id))!;
    const flash = await move(id, { status: 'trash', return_to: '/admin/articles' });
    assert.match(flash.tone, /flash--success/);
    assert.match(flash.message, /^“Ships at Dawn” was moved to the trash\./);
    const after = (await stored(id))!;
    assert.equal(after.status, 'trash');
    assert.ok(after.trashed_at, 'when it was trashed');
    assert.equal(after.version, before.version + 1);
    assert.deepEqual(after.published_at, before.published_at, 'its date is kept');
    assert.equal(await readerStatus(path), 404);
    assert.equal(await readerStatus('/'), 200);
    assert.doesNotMatch((await request(app).get('/')).text, /Ships at Dawn/);
  });

  it('restores from the trash as a draft, still hidden from readers', async () => {
    const { id, path } = await article('trash', 'Second Thoughts');
    const flash = await move(id, { status: 'draft', return_to: '/admin/articles?status=trash' }, '/admin/articles?status=trash');
    assert.equal(flash.message, '“Second Thoughts” was restored as a draft.');
    const after = (await stored(id))!;
    assert.equal(after.status, 'draft');
    assert.equal(after.trashed_at, null);
    assert.equal(await readerStatus(path), 404);
  });

  it('unpublishes to a draft: readers get 404', async () => {
    const { id, path } = await article('published', 'Withdrawn');
    await request(app).get(path).expect(200);
    const flash = await move(id, { status: 'draft' });
    assert.equal(flash.message, '“Withdrawn” is a draft again: readers no longer see it.');
    assert.equal((await stored(id))!.status, 'draft');
    assert.equal(await readerStatus(path), 404);
  });

  it('publishes a draft now: readers see it', async () => {
    const { id, path } = await article('draft', 'Fresh Off the Press');
    assert.equal(await readerStatus(path), 404);
    const before = Date.now();
    const flash = await move(id, { status: 'published' });
    assert.equal(flash.message, '“Fresh Off the Press” is published: readers see it now.');
    const after = (await stored(id))!;
    assert.equal(after.status, 'published');
    assert.ok(after.published_at && after.published_at.getTime() >= before - 1000);
    assert.equal(await readerStatus(path), 200);
  });

  it('schedules for a time entered in the site’s zone, stored in UTC; readers wait', async () => {
    await saveDiscussionSettings(testDb.db, { ...(await loadDiscussionSettings(testDb.db)), timeZone: 'America/New_York' }, null);
    const year = new Date().getUTCFullYear() + 1;
    const { id, path } = await article('published', 'Coming Soon');
    const flash = await move(id, { status: 'scheduled', publish_at: `${year}-07-04T09:15` });
    assert.equal(flash.message, `“Coming Soon” is scheduled to be published July 4, ${year} at 9:15 am (America/New York).`);
    const after = (await stored(id))!;
    assert.equal(after.status, 'scheduled');
    assert.equal(after.published_at?.toISOString(), `${year}-07-04T13:15:00.000Z`, 'New York summer time is UTC−4');
    assert.equal(await readerStatus(path), 404);
  });

  it('goes back to the editor when the form says so, and never off the site', async () => {
    const { id } = await article('draft');
    await admin
      .post(`/admin/articles/${id}/status`, { status: 'draft', return_to: `/admin/articles/${id}/edit` })
      .expect(303)
      .expect('Location', `/admin/articles/${id}/edit`);
    for (const elsewhere of ['https://evil.example/', '//evil.example/admin/articles', '/admin/comments', `/admin/articles/${id}9/edit`]) {
      await admin
        .post(`/admin/articles/${id}/status`, { status: 'draft', return_to: elsewhere })
        .expect(303)
        .expect('Location', '/admin/articles');
    }
  });
});

describe('a refused move', () => {
  const refusals: Array<[string, Status, Record<string, string>, RegExp]> = [
    ['a time already passed', 'draft', { status: 'scheduled', publish_at: '2020-01-01T09:00' }, /That time has already passed/],
    ['a schedule without a time', 'draft', { status: 'scheduled', publish_at: '' }, /Choose the date and time/],
    ['a time that cannot be read', 'draft', { status: 'scheduled', publish_at: '2026-02-30T09:00' }, /like 2026-12-24T09:00/],
    ['publishing from the trash', 'trash', { status: 'published' }, /in the trash: restore it first/],
    ['scheduling from the trash', 'trash', { status: 'scheduled', publish_at: '2099-01-01T09:00' }, /restore it first/],
  ];
  for (const [name, from, fields, message] of refusals) {
    it(`changes nothing and says why: ${name}`, async () => {
      const { id } = await article(from, 'Unmoved');
      const before = await stored(id);
      const flash = await move(id, fields);
      assert.match(flash.tone, /flash--error/);
      assert.match(flash.message, /^“Unmoved” was not changed\./);
      assert.match(flash.message, message);
      assert.deepEqual(await stored(id), before);
    });
  }

  it('answers 404 for an article that does not exist', async () => {
    await admin.post('/admin/articles/999999/status', { status: 'trash' }).expect(404);
    await admin.post('/admin/articles/abc/status', { status: 'trash' }).expect(404);
  });

  it('answers 400 to a status no form sends', async () => {
    const { id } = await article('draft');
    await admin.post(`/admin/articles/${id}/status`, { status: 'pending' }).expect(400);
    assert.equal((await stored(id))!.status, 'draft');
  });

  it('refuses a request without the session’s token: 403, nothing changed', async () => {
    const { id } = await article('published');
    const before = await stored(id);
    await admin.post(`/admin/articles/${id}/status`, { status: 'trash', _csrf: 'forged' }).expect(403);
    await postForm(admin.agent, `/admin/articles/${id}/status`, { status: 'trash' }).expect(403);
    assert.deepEqual(await stored(id), before);
  });

  it('sends a visitor without a session to sign in, changing nothing', async () => {
    const { id } = await article('published');
    const before = await stored(id);
    const response = await postForm(request.agent(app), `/admin/articles/${id}/status`, { status: 'trash', _csrf: 'x' }).expect(303);
    assert.match(response.headers.location!, /^\/admin\/login/);
    await request(app)
      .get(`/admin/articles/${id}/delete`)
      .expect(303)
      .expect('Location', `/admin/login?next=%2Fadmin%2Farticles%2F${id}%2Fdelete`);
    assert.deepEqual(await stored(id), before);
  });
});

describe('deleting an article permanently', () => {
  async function trashedWithComments() {
    const target = await article('trash', 'Gone for Good');
    const other = await article('published', 'Still Here');
    const first = await insertComment(testDb.db, { article_id: target.id, status: 'approved' });
    await insertComment(testDb.db, { article_id: target.id, status: 'approved', parent_id: first });
    await insertComment(testDb.db, { article_id: target.id, status: 'pending' });
    await insertComment(testDb.db, { article_id: target.id, status: 'spam' });
    const kept = await insertComment(testDb.db, { article_id: other.id, status: 'approved' });
    await testDb.db('article_revisions').insert({
      article_id: target.id,
      title: 'Gone for Good',
      body: 'Old text.',
      body_format: 'markdown',
      saved_by_name: 'moderator',
    });
    return { target, other, kept };
  }

  it('asks first, naming the exact number of comments that go with it', async () => {
    const { target } = await trashedWithComments();
    const page = parsePage((await admin.agent.get(`/admin/articles/${target.id}/delete`).expect(200)).text);
    assert.equal(textAt(page, 'h1'), 'Delete “Gone for Good” permanently?');
    assert.match(textAt(page, '.article-delete__consequence'), /^This also deletes its 4 comments\./);
    const form = page(`form[action="/admin/articles/${target.id}/delete"]`);
    assert.equal(form.attr('method'), 'post');
    assert.equal(form.find('input[name="_csrf"]').attr('value'), admin.csrf);
    assert.equal(page('a:contains("Cancel")').attr('href'), '/admin/articles?status=trash');

    const lone = await article('trash', 'Quiet One');
    const quiet = parsePage((await admin.agent.get(`/admin/articles/${lone.id}/delete`).expect(200)).text);
    assert.match(textAt(quiet, '.article-delete__consequence'), /^It has no comments\./);
  });

  it('deletes it and its comments in one go, logs each comment, and says how many went', async () => {
    const { target, other, kept } = await trashedWithComments();
    const response = await admin.post(`/admin/articles/${target.id}/delete`).expect(303);
    assert.equal(response.headers.location, '/admin/articles?status=trash');
    const trash = parsePage((await admin.agent.get('/admin/articles?status=trash').expect(200)).text);
    assert.equal(textAt(trash, '.flash__message'), '“Gone for Good” was deleted permanently, with its 4 comments.');
    assert.equal(trash(`#article-${target.id}`).length, 0);

    assert.equal(await testDb.db('articles').where({ id: target.id }).first(), undefined);
    assert.deepEqual(await testDb.db('comments').where({ article_id: target.id }), []);
    assert.deepEqual(await testDb.db('comment_counts').where({ article_id: target.id }), []);
    assert.deepEqual(await testDb.db('article_revisions').where({ article_id: target.id }), []);
    const log = await testDb.db('moderation_log').where({ action: 'delete' }).orderBy('comment_id');
    assert.equal(log.length, 4);
    assert.deepEqual(log.map((entry) => entry.from_status).sort(), ['approved', 'approved', 'pending', 'spam']);
    assert.ok(log.every((entry) => entry.actor_name === 'moderator' && entry.to_status === null));

    assert.equal((await stored(other.id))!.status, 'published', 'other articles stay');
    assert.ok(await testDb.db('comments').where({ id: kept }).first(), 'and so do their comments');
    assert.equal(await readerStatus(target.path), 404);
  });

  it('refuses an article not in the trash: 409 with a way to trash it first, nothing deleted', async () => {
    const { id } = await article('published', 'Not Yet');
    await insertComment(testDb.db, { article_id: id });
    const confirm = parsePage((await admin.agent.get(`/admin/articles/${id}/delete`).expect(409)).text);
    assert.match(textAt(confirm, 'h1'), /Move “Not Yet” to the trash first/);
    const trashForm = confirm(`form[action="/admin/articles/${id}/status"]`);
    assert.equal(trashForm.find('input[name="status"]').attr('value'), 'trash');

    const refused = parsePage((await admin.post(`/admin/articles/${id}/delete`).expect(409)).text);
    assert.match(textAt(refused, '.flash__message'), /move the article to the trash first/);
    assert.equal((await stored(id))!.status, 'published');
    assert.equal((await testDb.db('comments').where({ article_id: id })).length, 1);

    // Trashing from that page comes back to it, now asking to delete.
    await admin
      .post(`/admin/articles/${id}/status`, { status: 'trash', return_to: `/admin/articles/${id}/delete` })
      .expect(303)
      .expect('Location', `/admin/articles/${id}/delete`);
    await admin.agent.get(`/admin/articles/${id}/delete`).expect(200);
  });

  it('answers 404 for an article that does not exist', async () => {
    await admin.agent.get('/admin/articles/999999/delete').expect(404);
    await admin.post('/admin/articles/999999/delete').expect(404);
  });

  it('refuses a request without the session’s token: 403, nothing deleted', async () => {
    const { target } = await trashedWithComments();
    await admin.post(`/admin/articles/${target.id}/delete`, { _csrf: 'forged' }).expect(403);
    await postForm(admin.agent, `/admin/articles/${target.id}/delete`, {}).expect(403);
    assert.ok(await stored(target.id));
    assert.equal((await testDb.db('comments').where({ article_id: target.id })).length, 4);
  });
});

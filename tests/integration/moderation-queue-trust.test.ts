import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { COMMENTS_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment, type TestComment } from '../helpers/rows.js';

/** Issue 15 on the moderator's side: exact IP links, screen options, big bulk forms, emptying spam, counts that follow the search. */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const held = (fields: Partial<TestComment> = {}) => insertComment(testDb.db, { status: 'pending', ...fields });

async function queue(path = '/admin/comments'): Promise<Page> {
  return parsePage((await admin.agent.get(path).expect(200)).text);
}

const rowIds = (page: Page) =>
  page('li.queue-row')
    .map((_i, element) => page(element).attr('id')!.slice('comment-'.length))
    .get();
const flashOf = (page: Page) => squash(page('.flash__message').text());

async function statuses(): Promise<Record<string, number>> {
  const rows = await testDb
    .db('comments')
    .select('status')
    .count<Array<{ status: string; count: string }>>({ count: '*' })
    .groupBy('status');
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

describe('the IP link', () => {
  it('finds every comment from exactly that address, not addresses that merely start with it', async () => {
    const one = await held({ ip: '127.0.0.1' });
    const eleven = await held({ ip: '127.0.0.11' });
    const approved = await insertComment(testDb.db, { ip: '127.0.0.1' });
    const page = await queue();
    const href = page(`#comment-${one} a:contains("127.0.0.1")`).attr('href')!;
    assert.deepEqual(rowIds(await queue(href)).sort(), [one, approved].sort());
    assert.ok(!rowIds(await queue(href)).includes(eleven));
    assert.deepEqual(rowIds(await queue(page(`#comment-${eleven} a:contains("127.0.0.11")`).attr('href'))), [eleven]);
    await admin.agent.get('/admin/comments?ip=not-an-address').expect(400);
  });
});

describe('screen options', () => {
  it('show 20 a page by default, remember a per-page number for the account, and honour it', async () => {
    for (let n = 0; n < 60; n += 1) await held({ created_at: new Date(Date.UTC(2023, 4, 1, 10, n)) });
    const first = await queue();
    assert.equal(rowIds(first).length, 20);
    assert.equal(first('#per-page').attr('value'), '20');
    assert.equal(first('#shortcuts-enabled').attr('checked'), 'checked', 'shortcuts are on by default');
    assert.equal(first('.queue').attr('data-shortcuts'), 'on');

    await admin
      .post('/admin/comments/preferences', { per_page: '50', density: 'compact', return_to: '/admin/comments' })
      .expect(303)
      .expect('Location', '/admin/comments');
    const stored = await testDb.db('account_queue_preferences').where({ user_id: admin.user.id }).first();
    assert.deepEqual(
      { perPage: stored.per_page, density: stored.density, shortcuts: stored.shortcuts_enabled },
      { perPage: 50, density: 'compact', shortcuts: false },
    );
    const after = await queue();
    assert.equal(rowIds(after).length, 50);
    assert.equal(after('#per-page').attr('value'), '50');
    assert.ok(after('.queue').hasClass('queue--compact'));
    assert.equal(after('.queue').attr('data-shortcuts'), 'off');
    assert.equal(after('#shortcuts-enabled').attr('checked'), undefined);
  });

  it('refuses a per-page number outside 20–200 with 422, keeping what was typed, and stores nothing', async () => {
    const response = await admin
      .post('/admin/comments/preferences', { per_page: '500', shortcuts: 'on', density: 'comfortable' })
      .expect(422);
    const page = parsePage(response.text);
    assert.equal(page('#per-page').attr('value'), '500');
    assert.match(textAt(page, '#per-page-error'), /between 20 and 200/);
    assert.equal(
      await testDb
        .db('account_queue_preferences')
        .count({ n: '*' })
        .first()
        .then((row) => Number(row!.n)),
      0,
    );
  });
});

describe('the bulk form', () => {
  it('accepts 200 ids at once', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 200; n += 1) ids.push(await held());
    const pairs: Array<[string, string]> = [['action', 'approve'], ...ids.map((id): [string, string] => ['ids', id])];
    await admin.post('/admin/comments/bulk', pairs).expect(303);
    assert.deepEqual(await statuses(), { approved: 200 });
    assert.equal(flashOf(await queue()), '200 comments approved.');
  });

  it('keeps the public comment form’s small parameter limit', async () => {
    const pairs = Array.from({ length: 60 }, (_v, n) => `f${n}=x`).join('&');
    await request(app).post(COMMENTS_PATH).type('form').send(pairs).expect(413);
  });

  it('offers its actions above and below the list, and applies the bottom one', async () => {
    const id = await held();
    const page = await queue();
    assert.equal(page('select[form="bulk-form"], #bulk-form select').length, 2);
    await admin
      .post('/admin/comments/bulk', [
        ['action', ''],
        ['action2', 'spam'],
        ['ids', id],
      ])
      .expect(303);
    assert.deepEqual(await statuses(), { spam: 1 });
  });
});

describe('emptying spam and trash', () => {
  it('deletes every comment in spam for good once the count is confirmed, and logs each', async () => {
    for (let n = 0; n < 3; n += 1) await insertComment(testDb.db, { status: 'spam' });
    const kept = await insertComment(testDb.db, { status: 'trash' });
    const page = await queue('/admin/comments?status=spam');
    const form = page('form.empty-status');
    assert.equal(squash(form.find('button').text()), 'Empty spam (3)');
    assert.equal(form.find('input[name="count"]').attr('value'), '3');
    assert.match(form.find('button').attr('data-confirm')!, /Delete all 3 comments in spam permanently\?/);

    await admin.post('/admin/comments/empty', { status: 'spam', count: '2' }).expect(303);
    assert.deepEqual(await statuses(), { spam: 3, trash: 1 }, 'a stale count deletes nothing');
    assert.match(flashOf(await queue('/admin/comments?status=spam')), /now holds 3/);

    await admin
      .post('/admin/comments/empty', { status: 'spam', count: '3', return_to: '/admin/comments?status=spam' })
      .expect(303)
      .expect('Location', '/admin/comments?status=spam');
    assert.deepEqual(await statuses(), { trash: 1 });
    assert.equal(flashOf(await queue('/admin/comments?status=spam')), '3 comments deleted permanently.');
    const log = await testDb.db('moderation_log').select('action', 'from_status');
    assert.deepEqual(
      log,
      Array.from({ length: 3 }, () => ({ action: 'delete', from_status: 'spam' })),
    );
    assert.equal(
      await testDb
        .db('comments')
        .where({ id: kept })
        .first()
        .then((row) => row.status),
      'trash',
    );
    await admin.post('/admin/comments/empty', { status: 'pending', count: '0' }).expect(400);
  });
});

describe('counts that follow the search', () => {
  it('counts each tab within the search and says how many results it found', async () => {
    await held({ author_name: 'Ada Reader' });
    await held({ author_name: 'Ada Other' });
    await insertComment(testDb.db, { author_name: 'Ada Approved' });
    await held({ author_name: 'Bob' });
    const page = await queue('/admin/comments?q=ada');
    assert.deepEqual(
      page('.status-tabs a')
        .map((_i, tab) => squash(page(tab).text()))
        .get(),
      ['Pending (2)', 'Approved (1)', 'Spam (0)', 'Trash (0)', 'All (3)'],
    );
    assert.equal(textAt(page, '.queue-summary__results'), '2 results for “ada”');
    assert.match(page('.status-tabs a').eq(1).attr('href')!, /q=ada/);
  });

  it('shows the total and numbered pages', async () => {
    for (let n = 0; n < 45; n += 1) await held({ created_at: new Date(Date.UTC(2023, 4, 1, 10, n)) });
    const page = await queue();
    assert.equal(textAt(page, '.queue-summary__total'), '45 comments');
    assert.equal(textAt(page, '.pager .pager__current'), 'Page 1 of 3');
    const third = page('.pager a.pager__number')
      .filter((_i, link) => squash(page(link).text()) === 'Page 3')
      .attr('href')!;
    const last = await queue(third);
    assert.equal(rowIds(last).length, 5);
    assert.equal(textAt(last, '.pager .pager__current'), 'Page 3 of 3');
    const second = await queue(page('.pager a[rel="next"]').attr('href'));
    assert.equal(textAt(second, '.pager .pager__current'), 'Page 2 of 3');
  });
});

describe('the admin navigation', () => {
  it('marks the current section and names the pending count in text', async () => {
    await held();
    const comments = await queue();
    assert.equal(textAt(comments, '.admin-nav a[aria-current="page"]'), 'Comments 1 pending');
    assert.equal(comments('.admin-nav [aria-label]').length, 0, 'no aria-label on a plain span');
    const log = await queue('/admin/log');
    assert.equal(textAt(log, '.admin-nav a[aria-current="page"]'), 'Moderation log');
    assert.equal(log('.admin-nav a[aria-current]').length, 1);
  });
});

describe('row buttons', () => {
  it('name the commenter in each button', async () => {
    const id = await held({ author_name: 'Ada' });
    const page = await queue();
    const names = page(`#comment-${id} .queue-row__actions button`)
      .map((_i, button) => squash(page(button).text()))
      .get();
    assert.deepEqual(names, ['Approve comment by Ada', 'Spam comment by Ada', 'Trash comment by Ada']);
    assert.equal(textAt(page, `#comment-${id} .queue-row__actions button[value="approved"] .visually-hidden`), 'comment by Ada');
    assert.equal(page(`#comment-${id} .queue-row__actions button bdi`).first().text(), 'Ada');
  });

  it('warn before trashing a comment that has approved replies', async () => {
    const parent = await insertComment(testDb.db, { author_name: 'Parent' });
    await insertComment(testDb.db, { parent_id: parent });
    await insertComment(testDb.db, { parent_id: parent });
    await insertComment(testDb.db, { parent_id: parent, status: 'pending' });
    const page = await queue('/admin/comments?status=approved');
    const trash = page(`#comment-${parent} button[value="trash"]`);
    assert.equal(
      trash.attr('data-confirm'),
      "This comment has 2 approved replies; they will stay on the article under a 'comment removed' placeholder. Move it to the trash?",
    );
    assert.equal(page(`#comment-${parent}`).attr('data-approved-replies'), '2');
    assert.match(page('#bulk-form').attr('data-trash-confirm')!, /approved replies/);
    const lonely = rowIds(page).find((id) => id !== parent)!;
    assert.equal(page(`#comment-${lonely} button[value="trash"]`).attr('data-confirm'), undefined);
  });
});

describe('undo', () => {
  it('can undo an approval', async () => {
    const id = await held();
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    const page = await queue();
    const token = page('.flash form.flash__undo input[name="token"]').attr('value');
    assert.ok(token, 'an approval offers Undo');
    await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.deepEqual(await statuses(), { pending: 1 });
  });
});

describe('one comment in the queue', () => {
  it('GET /admin/comments/:id shows that comment alone, whatever its status', async () => {
    const spam = await insertComment(testDb.db, { status: 'spam', author_name: 'Spammy' });
    await held();
    const page = await queue(`/admin/comments/${spam}`);
    assert.deepEqual(rowIds(page), [spam]);
    assert.match(textAt(page, '.admin-notice'), new RegExp(`#${spam}`));
    await admin.agent.get('/admin/comments/999999').expect(404);
    await request(app).get(`/admin/comments/${spam}`).expect(303).expect('Location', `/admin/login?next=%2Fadmin%2Fcomments%2F${spam}`);
  });
});

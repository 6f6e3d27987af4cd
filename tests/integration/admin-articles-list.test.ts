import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { articleIdOf, insertComment } from '../helpers/rows.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

type Status = 'draft' | 'scheduled' | 'published' | 'trash';

let made = 0;

/** An article straight into the table; each one created a minute after the one before unless told. */
async function article(fields: { title?: string; status?: Status; created_at?: Date; published_at?: Date | null; updated_at?: Date } = {}) {
  made += 1;
  const status = fields.status ?? 'draft';
  const created = fields.created_at ?? new Date(Date.UTC(2026, 0, 1, 0, made));
  const [row] = await testDb
    .db('articles')
    .insert({
      slug: `article-${made}`,
      title: fields.title ?? `Article ${made}`,
      author_name: 'Test Author',
      body: 'Text.',
      status,
      published_at: fields.published_at ?? (status === 'draft' ? null : new Date('2026-02-01T09:00:00Z')),
      trashed_at: status === 'trash' ? new Date('2026-03-01T09:00:00Z') : null,
      created_at: created,
      updated_at: fields.updated_at ?? created,
    })
    .returning<Array<{ id: string; slug: string }>>(['id', 'slug']);
  return { id: String(row!.id), slug: row!.slug };
}

async function listPage(path = '/admin/articles'): Promise<Page> {
  return parsePage((await admin.agent.get(path).expect(200)).text);
}

const rowIds = (page: Page) =>
  page('tr[id^="article-"]')
    .map((_i, row) => page(row).attr('id')!.slice('article-'.length))
    .get();

function tabCounts(page: Page): Record<string, string> {
  const counts: Record<string, string> = {};
  page('.status-tabs a').each((_i, link) => {
    const text = squash(page(link).text());
    const match = /^(.*) \((\d[\d,]*)\)$/.exec(text);
    assert.ok(match, text);
    counts[match[1]!] = match[2]!;
  });
  return counts;
}

describe('the article list', () => {
  it('asks for sign-in first', async () => {
    await request(app).get('/admin/articles').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Farticles');
    await request(app)
      .get('/admin/articles?status=trash')
      .expect(303)
      .expect('Location', '/admin/login?next=%2Fadmin%2Farticles%3Fstatus%3Dtrash');
  });

  it('counts every status exactly; All leaves out the trash', async () => {
    for (const status of ['draft', 'draft', 'draft', 'scheduled', 'scheduled', 'published', 'published', 'trash'] as const) {
      await article({ status });
    }
    const page = await listPage();
    // The demo article is published too.
    assert.deepEqual(tabCounts(page), { All: '8', Published: '3', Scheduled: '2', Drafts: '3', Trash: '1' });
    assert.equal(page('.status-tabs a[aria-current="page"]').text().trim().split(' ')[0], 'All');
    assert.equal(rowIds(page).length, 8, 'All shows every article but the trashed one');
    assert.equal(page('tr .status-badge:contains("Trash")').length, 0);
    for (const [status, count] of [
      ['draft', 3],
      ['scheduled', 2],
      ['published', 3],
      ['trash', 1],
    ] as const) {
      const view = await listPage(`/admin/articles?status=${status}`);
      assert.equal(rowIds(view).length, count, status);
      assert.equal(view(`.status-tabs a[aria-current="page"]`).attr('href'), `/admin/articles?status=${status}`);
    }
  });

  it('shows each row: title to the editor, author, status, date in the site’s zone, tags, comment counts to the queue', async () => {
    await saveDiscussionSettings(testDb.db, { ...(await loadDiscussionSettings(testDb.db)), timeZone: 'Europe/Berlin' }, null);
    const { id, slug } = await article({
      title: 'Ships & <Harbours>',
      status: 'scheduled',
      published_at: new Date('2026-07-01T08:30:00Z'),
      updated_at: new Date('2026-01-15T10:00:00Z'),
    });
    const [tagA, tagB] = await testDb
      .db('tags')
      .insert([
        { slug: 'sea', name: 'Sea' },
        { slug: 'boats', name: 'Boats' },
      ])
      .returning<Array<{ id: string }>>('id');
    await testDb.db('article_tags').insert([
      { article_id: id, tag_id: tagA!.id },
      { article_id: id, tag_id: tagB!.id },
    ]);
    for (const status of ['approved', 'approved', 'pending', 'spam'] as const) await insertComment(testDb.db, { article_id: id, status });

    const page = await listPage();
    const row = page(`#article-${id}`);
    assert.equal(row.length, 1);
    const title = row.find('a.articles-table__title-link');
    assert.equal(title.attr('href'), `/admin/articles/${id}/edit`);
    assert.equal(squash(title.text()), 'Ships & <Harbours>', 'the title is text, escaped');
    assert.equal(squash(row.find('td[data-label="Author"]').text()), 'Test Author');
    assert.equal(squash(row.find('td[data-label="Status"]').text()), 'Scheduled');
    assert.equal(squash(row.find('td[data-label="Tags"]').text()), 'Boats, Sea');
    const date = squash(row.find('td[data-label="Date"]').text());
    assert.match(date, /^Scheduled for July 1, 2026 at 10:30 am \(Europe\/Berlin\)/, 'summer time in Berlin');
    assert.match(date, /Last modified January 15, 2026 at 11:00 am \(Europe\/Berlin\)/, 'winter time in Berlin');
    const approved = row.find('a.comment-count:not(.comment-count--pending)');
    assert.equal(squash(approved.text()), '2 approved comments');
    assert.equal(approved.attr('href'), `/admin/comments?status=approved&article=${slug}`);
    const pending = row.find('a.comment-count--pending');
    assert.equal(squash(pending.text()), '1 pending comment');
    assert.equal(pending.attr('href'), `/admin/comments?status=pending&article=${slug}`);
    // The links lead to the queue narrowed to this article.
    const queue = parsePage((await admin.agent.get(pending.attr('href')!).expect(200)).text);
    assert.equal(queue('li[id^="comment-"]').length, 1);
  });

  it('offers View for a published article, Preview for the others, Trash for all but the trash', async () => {
    const draft = await article({ status: 'draft' });
    const page = await listPage();
    const demoId = await articleIdOf(testDb.db);
    const demoRow = page(`#article-${demoId}`);
    assert.equal(demoRow.find('.row-actions a:contains("View")').attr('href'), `/articles/${DEMO_SLUG}`);
    const draftRow = page(`#article-${draft.id}`);
    assert.equal(draftRow.find('.row-actions a:contains("Preview")').attr('href'), `/admin/articles/${draft.id}/preview`);
    assert.equal(draftRow.find('.row-actions a:contains("View")').length, 0);
    const trashForm = draftRow.find(`form[action="/admin/articles/${draft.id}/status"]`);
    assert.equal(trashForm.attr('method'), 'post');
    assert.equal(trashForm.find('input[name="status"]').attr('value'), 'trash');
    assert.equal(trashForm.find('input[name="_csrf"]').attr('value'), admin.csrf);
    assert.equal(trashForm.find('input[name="return_to"]').attr('value'), '/admin/articles');
    assert.match(squash(trashForm.find('button').text()), /^Trash/);
    assert.equal(draftRow.find('a:contains("Delete permanently")').length, 0);
  });

  it('offers Restore and Delete permanently in the trash', async () => {
    const trashed = await article({ status: 'trash', title: 'Old news' });
    const row = (await listPage('/admin/articles?status=trash'))(`#article-${trashed.id}`);
    const restore = row.find(`form[action="/admin/articles/${trashed.id}/status"]`);
    assert.equal(restore.find('input[name="status"]').attr('value'), 'draft');
    assert.equal(restore.find('input[name="return_to"]').attr('value'), '/admin/articles?status=trash');
    assert.match(squash(restore.find('button').text()), /^Restore/);
    assert.equal(row.find('a:contains("Delete permanently")').attr('href'), `/admin/articles/${trashed.id}/delete`);
    assert.equal(row.find('input[name="status"][value="trash"]').length, 0);
  });

  it('links to a new article and says what to do when a view is empty', async () => {
    const page = await listPage('/admin/articles?status=trash');
    assert.equal(page('a:contains("New article")').attr('href'), '/admin/articles/new');
    assert.match(textAt(page, '.articles-empty'), /The trash is empty/);
    assert.equal(rowIds(page).length, 0);
    const drafts = await listPage('/admin/articles?status=draft');
    assert.match(textAt(drafts, '.articles-empty'), /No drafts/);
    assert.equal(drafts('.articles-empty a').attr('href'), '/admin/articles/new');
    const scheduled = await listPage('/admin/articles?status=scheduled');
    assert.match(textAt(scheduled, '.articles-empty'), /Nothing is scheduled\. Choose “Schedule”/);
  });

  it('refuses an unknown status or a repeated filter with 400', async () => {
    await admin.agent.get('/admin/articles?status=pending').expect(400);
    await admin.agent.get('/admin/articles?status=draft&status=trash').expect(400);
    await admin.agent.get('/admin/articles?before=garbage').expect(400);
  });
});

describe('searching the list by title', () => {
  it('finds a part of a title whatever its case, in every status, with counts for the matches', async () => {
    const harbour = await article({ title: 'The Harbour at Dawn', status: 'published' });
    const harbourDraft = await article({ title: 'harbours of the north', status: 'draft' });
    const trashed = await article({ title: 'A HARBOUR lost', status: 'trash' });
    await article({ title: 'Mountains', status: 'published' });

    const page = await listPage('/admin/articles?q=harBOUR');
    assert.deepEqual(new Set(rowIds(page)), new Set([harbour.id, harbourDraft.id]));
    assert.deepEqual(tabCounts(page), { All: '2', Published: '1', Scheduled: '0', Drafts: '1', Trash: '1' });
    assert.equal(page('#article-search').attr('value'), 'harBOUR', 'the search stays in its box');
    assert.match(textAt(page, '.queue-summary'), /2 results for “harBOUR”/);
    assert.equal(page('.status-tabs a:contains("Trash")').attr('href'), '/admin/articles?status=trash&q=harBOUR', 'tabs keep the search');
    assert.deepEqual(rowIds(await listPage('/admin/articles?status=trash&q=harbour')), [trashed.id]);
  });

  it('takes % and _ literally', async () => {
    const percent = await article({ title: '100% sure' });
    await article({ title: '100 percent sure' });
    assert.deepEqual(rowIds(await listPage('/admin/articles?q=0%25%20s')), [percent.id]);
    assert.deepEqual(rowIds(await listPage('/admin/articles?q=_')), []);
  });

  it('says when nothing matches, with a way back', async () => {
    const page = await listPage('/admin/articles?status=draft&q=zeppelin');
    assert.match(textAt(page, '.articles-empty'), /^No drafts have “zeppelin” in their title\./);
    assert.equal(page('.articles-empty a').attr('href'), '/admin/articles?status=draft');
  });
});

describe('paging through the list', () => {
  it('shows 20 a page, newest first, and walks every article once each way', async () => {
    await testDb.db('articles').delete();
    const ids: string[] = [];
    for (let n = 0; n < 45; n += 1) ids.push((await article({ status: 'draft' })).id);
    // Two created in the same microsecond: the id decides.
    const sameTime = new Date(Date.UTC(2026, 0, 1, 0, made + 1));
    ids.push((await article({ created_at: sameTime })).id, (await article({ created_at: sameTime })).id);
    const newestFirst = [...ids].reverse();

    const seen: string[][] = [];
    let page = await listPage();
    for (;;) {
      seen.push(rowIds(page));
      const older = page('nav.pager a[rel="next"]').attr('href');
      if (!older) break;
      page = await listPage(older);
    }
    assert.deepEqual(
      seen.map((rows) => rows.length),
      [20, 20, 7],
    );
    assert.deepEqual(seen.flat(), newestFirst);
    assert.match(textAt(page, '.pager__current'), /Page 3 of 3/);

    const back: string[][] = [rowIds(page)];
    for (;;) {
      const newer = page('nav.pager a[rel="prev"]').attr('href');
      if (!newer) break;
      page = await listPage(newer);
      back.unshift(rowIds(page));
    }
    assert.deepEqual(back, seen, 'Newer walks back over the same pages');

    const second = await listPage('/admin/articles?page=2');
    assert.deepEqual(rowIds(second), newestFirst.slice(20, 40), 'a numbered page');
    assert.equal(second('.pager__numbers a[aria-current="page"]').text().replace(/\D/g, ''), '2');
  });

  it('pages within a status and a search', async () => {
    await testDb.db('articles').delete();
    for (let n = 0; n < 25; n += 1) await article({ status: 'published', title: `Match ${n}` });
    for (let n = 0; n < 25; n += 1) await article({ status: 'draft', title: `Match draft ${n}` });
    const first = await listPage('/admin/articles?status=published&q=match');
    assert.equal(rowIds(first).length, 20);
    const older = first('nav.pager a[rel="next"]').attr('href')!;
    assert.match(older, /status=published/);
    assert.match(older, /q=match/);
    const second = await listPage(older);
    assert.equal(rowIds(second).length, 5);
    assert.equal(second('tr .status-badge').filter((_i, badge) => squash(second(badge).text()) !== 'Published').length, 0);
  });
});

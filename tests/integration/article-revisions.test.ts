import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt } from '../helpers/html.js';
import { createThroughEditor, openEditor, submitEditor } from '../helpers/editor.js';
import type { ArticleRow } from '../../src/articles/article-queries.js';

/** Every save is a revision with who and when; any revision can be compared with the current text and restored. */

const testDb = useTestDatabase();
let app: Express;
let ada: AdminClient;
let grace: AdminClient;
let id: string;

beforeEach(async () => {
  ({ app, admin: ada } = await adminApp(testDb.db, 'ada'));
  grace = await signInAdmin(app, testDb.db, 'grace');
  await testDb.db('users').where({ id: ada.user.id }).update({ display_name: 'Ada Lovelace' });
  await testDb.db('users').where({ id: grace.user.id }).update({ display_name: 'Grace Hopper' });
  id = await createThroughEditor(ada, { title: 'Engines', body: 'The engine weaves patterns.\n\nSecond thought.' });
  const form = await openEditor(grace, `/admin/articles/${id}/edit`);
  await submitEditor(grace, form, { title: 'Analytical engines', body: 'The engine weaves algebraic patterns.\n\nSecond thought.' }).expect(
    303,
  );
});

const articleRow = async () => (await testDb.db<ArticleRow>('articles').where({ id }).first())!;
const revisions = () => testDb.db('article_revisions').where({ article_id: id, kind: 'revision' }).orderBy('id');

describe('the revisions list', () => {
  it('lists each save with who and when, newest first, each with Compare and Restore (none on the current text)', async () => {
    const { page } = await openEditor(ada, `/admin/articles/${id}/edit`);
    const rows = page('.editor-revisions__table tbody tr');
    assert.equal(rows.length, 2);
    assert.match(textAt(page, '#editor-revisions-title'), /Revisions \(2\)/);
    const [newest, older] = await revisions().then((list) => list.reverse());
    assert.match(squash(page(`#revision-${newest.id}`).text()), /Grace Hopper Current text/);
    assert.match(squash(page(`#revision-${older.id}`).text()), /Ada Lovelace/);
    assert.match(page(`#revision-${older.id} time`).text(), /at .+ UTC$/);
    assert.equal(page(`#revision-${older.id} a`).attr('href'), `/admin/articles/${id}/revisions/${older.id}`);
    assert.equal(page(`#revision-${older.id} form`).attr('action'), `/admin/articles/${id}/revisions/${older.id}/restore`);
    assert.equal(page(`#revision-${newest.id} form`).length, 0, 'the current text has nothing to restore');
  });

  it('keeps the text of an article stored before the editor as a revision, credited to its author, at its first save', async () => {
    const demo = (await testDb.db<ArticleRow>('articles').where({ slug: DEMO_SLUG }).first())!;
    const form = await openEditor(ada, `/admin/articles/${demo.id}/edit`);
    assert.match(textAt(form.page, '.editor-revisions'), /No revisions yet/);
    await submitEditor(ada, form, { title: 'A new headline' }).expect(303);
    const kept = await testDb.db('article_revisions').where({ article_id: demo.id }).orderBy('id');
    assert.equal(kept.length, 2);
    assert.equal(kept[0].title, demo.title);
    assert.equal(kept[0].body, demo.body);
    assert.equal(kept[0].saved_by_name, demo.author_name);
    assert.equal(kept[1].title, 'A new headline');
    assert.equal(kept[1].saved_by_name, 'Ada Lovelace');
  });
});

describe('comparing a revision with the current text', () => {
  it('shows what changed as <del> and <ins>, escaped, with who saved it', async () => {
    const [older] = await revisions();
    const response = await ada.agent.get(`/admin/articles/${id}/revisions/${older.id}`).expect(200);
    const page = parsePage(response.text);
    assert.match(textAt(page, 'h1'), /Revision of “Analytical engines”/);
    assert.match(textAt(page, '.admin-lede'), /Saved by Ada Lovelace on/);
    const sections = page('.revision-field');
    assert.deepEqual(sections.map((_i, section) => squash(page(section).find('h2').text())).get(), ['Title', 'Text']);
    assert.equal(squash(page('.revision-field').eq(0).find('del').text()), 'Engines');
    assert.equal(squash(page('.revision-field').eq(0).find('ins').text()), 'Analytical engines');
    assert.equal(squash(page('.revision-field').eq(1).find('del').text()), 'The engine weaves patterns.');
    assert.equal(squash(page('.revision-field').eq(1).find('ins').text()), 'The engine weaves algebraic patterns.');
    assert.match(textAt(page, '.field-hint'), /Unchanged: Excerpt/);
  });

  it('escapes markup in either text', async () => {
    const form = await openEditor(ada, `/admin/articles/${id}/edit`);
    await submitEditor(ada, form, { body: '<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>' }).expect(303);
    const [older] = await revisions();
    const page = parsePage((await ada.agent.get(`/admin/articles/${id}/revisions/${older.id}`).expect(200)).text);
    assert.equal(page('.revision-diff script, .revision-diff img').length, 0);
    assert.match(page('.revision-diff--lines ins').text(), /<script>alert\(1\)<\/script>/);
  });

  it('answers 404 for a revision of another article, an autosave, or no such number, and 303 to sign in without a session', async () => {
    const other = await createThroughEditor(ada, { title: 'Other', body: 'x' });
    const [otherRevision] = await testDb.db('article_revisions').where({ article_id: other });
    await ada.agent.get(`/admin/articles/${id}/revisions/${otherRevision.id}`).expect(404);
    await ada.agent.get(`/admin/articles/${id}/revisions/999999`).expect(404);
    await ada.agent.get(`/admin/articles/${id}/revisions/abc`).expect(404);
    const [older] = await revisions();
    await request(app).get(`/admin/articles/${id}/revisions/${older.id}`).expect(303);
  });
});

describe('restoring a revision', () => {
  it('makes the old text the newest revision, keeps the replaced one, bumps the version, and says so', async () => {
    const [older] = await revisions();
    const before = await articleRow();
    await ada.post(`/admin/articles/${id}/revisions/${older.id}/restore`).expect(303).expect('Location', `/admin/articles/${id}/edit`);
    const after = await articleRow();
    assert.equal(after.title, 'Engines');
    assert.equal(after.body, 'The engine weaves patterns.\n\nSecond thought.');
    assert.match(after.body_html!, /<p>The engine weaves patterns\.<\/p>/);
    assert.equal(after.version, before.version + 1);
    const list = await revisions();
    assert.deepEqual(
      list.map((row) => [row.title, row.saved_by_name]),
      [
        ['Engines', 'Ada Lovelace'],
        ['Analytical engines', 'Grace Hopper'],
        ['Engines', 'Ada Lovelace'],
      ],
    );
    const { page } = await openEditor(ada, `/admin/articles/${id}/edit`);
    assert.match(
      textAt(page, '.flash__message'),
      /Restored the text Ada Lovelace saved on .+\. The text it replaced is kept in the revisions\./,
    );
    assert.equal(page('#title').attr('value'), 'Engines');
  });

  it('refuses without the session’s token (403) and changes nothing', async () => {
    const [older] = await revisions();
    await ada.post(`/admin/articles/${id}/revisions/${older.id}/restore`, { _csrf: 'forged' }).expect(403);
    assert.equal((await articleRow()).title, 'Analytical engines');
    assert.equal((await revisions()).length, 2);
  });
});

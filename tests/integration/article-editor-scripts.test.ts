import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import sharp from 'sharp';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, formFields, parsePage, textAt } from '../helpers/html.js';
import { createThroughEditor, openEditor } from '../helpers/editor.js';
import type { ArticleRow } from '../../src/articles/article-queries.js';

/**
 * What the editor offers beyond its form: the staff preview of the article
 * page, and what its script asks for (the live preview of the body, the
 * autosave slot) and its upload without script.
 */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;
let id: string;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
  id = await createThroughEditor(admin, {
    title: 'A draft to preview',
    body: 'First paragraph.\n\nSecond paragraph.',
    figure_image: '/images/seed-article-illustration.svg',
    figure_alt: 'An illustration',
    figure_caption: 'Source: the desk',
  });
});

const articleRow = async () => (await testDb.db<ArticleRow>('articles').where({ id }).first())!;

const postJson = (path: string, payload: object, token: string | null = admin.csrf) => {
  const sent = admin.agent.post(path).set('Accept', 'application/json').type('json');
  return (token === null ? sent : sent.set('X-CSRF-Token', token)).send(payload);
};

describe('the staff preview', () => {
  it('shows a draft as readers will see it, with a banner, no comment form, never cached or indexed', async () => {
    const response = await admin.agent.get(`/admin/articles/${id}/preview`).expect(200);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.match(String(response.headers['x-robots-tag']), /noindex/);
    const page = parsePage(response.text);
    assert.equal(textAt(page, 'h1'), 'A draft to preview');
    assert.match(textAt(page, '.preview-banner'), /Preview — a draft/);
    assert.equal(textAt(page, 'figure figcaption'), 'Source: the desk');
    assert.equal(page('.reading-bar').length, 1);
    assert.equal(page('#commentform button[type="submit"]:not([disabled])').length, 0, 'no working comment form');
    await request(app).get('/articles/a-draft-to-preview').expect(404);
  });

  it('is for staff only', async () => {
    await request(app)
      .get(`/admin/articles/${id}/preview`)
      .expect(303)
      .expect('Location', /^\/admin\/login/);
    await admin.agent.get('/admin/articles/999999/preview').expect(404);
  });
});

describe('the live preview of the body', () => {
  it('answers the body rendered and sanitised, with the token in X-CSRF-Token', async () => {
    const hostile = [
      '# Title',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(2)>',
      '[click](javascript:alert(3))',
      '<iframe src="https://evil.example"></iframe>',
      '<a href="https://example.com" onclick="alert(4)">fine link</a>',
      '<svg><script>alert(5)</script></svg>',
      '<style>body{display:none}</style>',
    ].join('\n\n');
    const response = await postJson('/admin/articles/preview-body', { body: hostile }).expect(200).expect('Content-Type', /json/);
    const html = (response.body as { html: string }).html;
    assert.match(html, /<h2 id="title">Title<\/h2>/);
    assert.match(html, /<a href="https:\/\/example.com" rel="noopener">fine link<\/a>/);
    const rendered = parsePage(html);
    assertNoInjectedMarkup(rendered);
    assert.equal(rendered('script, iframe, svg, style, [href^="javascript"]').length, 0);
    assert.match(rendered.text(), /\[click\]\(javascript:alert\(3\)\)/, 'a refused link stays the text typed');
  });

  it('renders an HTML body as HTML when told', async () => {
    const response = await postJson('/admin/articles/preview-body', { body: '*not emphasis*', body_format: 'html' }).expect(200);
    assert.equal((response.body as { html: string }).html, '*not emphasis*');
  });

  it('refuses without the token (403) or without a session (303 to sign in)', async () => {
    await postJson('/admin/articles/preview-body', { body: 'x' }, null).expect(403);
    await postJson('/admin/articles/preview-body', { body: 'x' }, 'forged').expect(403);
    await request(app).post('/admin/articles/preview-body').type('json').send({ body: 'x' }).expect(303);
  });
});

describe('the autosave slot', () => {
  const typed = {
    title: 'Half-typed title',
    body: 'Words written since the last save.',
    excerpt: '',
    figure_image: '/images/not-checked-yet',
    figure_alt: '',
    figure_caption: 'Caption',
    figure_after: '2',
  };

  it('keeps the typed text per article and account, never touching the article', async () => {
    const before = await articleRow();
    const first = await postJson(`/admin/articles/${id}/autosave`, typed).expect(200);
    assert.match((first.body as { savedAt: string }).savedAt, /^\d{4}-\d\d-\d\dT/);
    await postJson(`/admin/articles/${id}/autosave`, { ...typed, body: 'Even more words.' }).expect(200);
    const slots = await testDb.db('article_revisions').where({ article_id: id, kind: 'autosave' });
    assert.equal(slots.length, 1, 'one slot, written over');
    assert.equal(slots[0].body, 'Even more words.');
    assert.equal(slots[0].saved_by, admin.user.id);
    const after = await articleRow();
    assert.deepEqual(
      [after.title, after.body, after.version, after.updated_at.getTime()],
      [before.title, before.body, before.version, before.updated_at.getTime()],
    );
    assert.equal((await testDb.db('article_revisions').where({ article_id: id, kind: 'revision' })).length, 1);
  });

  it('is offered on the editor when newer than the article, restored into the form on request, and emptied by a save', async () => {
    await postJson(`/admin/articles/${id}/autosave`, typed).expect(200);
    const { page } = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.match(textAt(page, '.editor-autosave-offer'), /You have an autosave from .+: restore it\./);
    const restoreHref = page('.editor-autosave-offer a').attr('href')!;
    const restored = await openEditor(admin, restoreHref);
    assert.equal(restored.fields.title, 'Half-typed title');
    assert.equal(restored.fields.body, 'Words written since the last save.');
    assert.equal(restored.fields.figure_after, '2');
    assert.match(textAt(restored.page, '.admin-notice'), /autosaved text is in the editor/);
    assert.equal((await articleRow()).title, 'A draft to preview', 'restoring into the form stores nothing');

    await admin.post(`/admin/articles/${id}`, { ...restored.fields, figure_image: '', action: 'save' }).expect(303);
    assert.equal((await articleRow()).body, 'Words written since the last save.');
    assert.equal((await testDb.db('article_revisions').where({ article_id: id, kind: 'autosave' })).length, 0);
    const { page: after } = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.equal(after('.editor-autosave-offer').length, 0);
  });

  it('refuses without the token, and 404s for an unknown article', async () => {
    await postJson(`/admin/articles/${id}/autosave`, typed, null).expect(403);
    await postJson('/admin/articles/999999/autosave', typed).expect(404);
    assert.equal((await testDb.db('article_revisions').where({ kind: 'autosave' })).length, 0);
  });
});

describe('uploading an image from the editor without script', () => {
  /** The editor's form sent with its file to the media route, as the Upload button sends it. */
  async function uploadWithForm(file: { bytes: Buffer; name: string }, changes: Record<string, string> = {}) {
    const { page } = await openEditor(admin, `/admin/articles/${id}/edit`);
    const fields = { ...formFields(page, '#editor-form'), ...changes };
    let sent = admin.agent.post('/admin/media').set('Accept', 'text/html');
    for (const [name, value] of Object.entries(fields)) sent = sent.field(name, value);
    return sent.attach('file', file.bytes, file.name);
  }

  it('comes back to the editor with every field as typed, the image’s address, and the figure filled when empty', async () => {
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const response = await uploadWithForm(
      { bytes: png, name: 'red.png' },
      { title: 'Typed but not saved', figure_image: '', figure_alt: '' },
    );
    assert.ok([200, 201].includes(response.status), `status ${response.status}`);
    const page = parsePage(response.text);
    const url = textAt(page, '.editor-upload__done code');
    assert.match(url, /^\/media\/[0-9a-f]+\.png$/);
    assert.equal(textAt(page, '.editor-upload__markdown'), `![Describe the image](${url})`);
    const fields = formFields(page, '#editor-form');
    assert.equal(fields.title, 'Typed but not saved');
    assert.equal(fields.figure_image, url);
    assert.equal(fields.article_id, id);
    assert.equal(page('#editor-form').attr('action'), `/admin/articles/${id}`);
    assert.equal((await articleRow()).title, 'A draft to preview');
  });

  it('shows what is wrong with a file that is no image at the file field, every field kept', async () => {
    const response = await uploadWithForm({ bytes: Buffer.from('not an image at all'), name: 'notes.png' }, { body: 'Typed body' });
    assert.equal(response.status, 422);
    const page = parsePage(response.text);
    assert.ok(textAt(page, '#file-error').length > 0);
    assert.equal(page('#file').attr('aria-invalid'), 'true');
    assert.equal(page('#body').text(), 'Typed body');
  });
});

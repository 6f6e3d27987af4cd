import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, textAt } from '../helpers/html.js';
import { insertArticle } from '../helpers/articles.js';
import { createThroughEditor, openEditor, submitEditor } from '../helpers/editor.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { ArticleRow } from '../../src/articles/article-queries.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const articleRow = async (id: string) => (await testDb.db<ArticleRow>('articles').where({ id }).first())!;
const revisionsOf = (id: string) => testDb.db('article_revisions').where({ article_id: id, kind: 'revision' }).orderBy('id');
const tagNamesOf = async (id: string) =>
  (await testDb
    .db('tags')
    .join('article_tags', 'article_tags.tag_id', 'tags.id')
    .where({ article_id: id })
    .orderBy('slug')
    .pluck('name')) as string[];

const EDITOR_FIELDS = [
  'title',
  'slug',
  'body',
  'excerpt',
  'tags',
  'author_name',
  'author_id',
  'comments_open',
  'figure_image',
  'figure_alt',
  'figure_caption',
  'figure_after',
  'version',
  'publish_at',
];

describe('the new-article editor', () => {
  it('is empty, names every field as the contract does, shows the time zone, and needs a session', async () => {
    const { page, fields, action } = await openEditor(admin, '/admin/articles/new');
    assert.equal(action, '/admin/articles');
    assert.equal(textAt(page, 'h1'), 'New article');
    for (const name of EDITOR_FIELDS) assert.equal(page(`#editor-form [name="${name}"]`).length, 1, `field ${name}`);
    assert.equal(fields.title, '');
    assert.equal(fields.body, '');
    assert.equal(fields.comments_open, '1', 'comments open by default');
    assert.equal(fields.author_id, admin.user.id, 'the signed-in account is the author until changed');
    assert.deepEqual(
      page('button[name="action"]')
        .map((_i, button) => page(button).attr('value'))
        .get(),
      ['save', 'publish', 'schedule'],
    );
    assert.match(textAt(page, '#publish_at-hint'), /UTC/);
    assert.equal(page('label[for="title"]').length, 1);
    assert.equal(page('#file[type="file"][name="file"]').length, 1);
    assert.equal(page('[data-upload-button]').attr('formaction'), '/admin/media');
    assert.equal(page('[data-upload-button]').attr('formenctype'), 'multipart/form-data');
    assert.match(page('script[src*="/js/editor"]').attr('src') ?? '', /^\/js\/editor\.[0-9a-f]{8}\.js$/);
    await request(app).get('/admin/articles/new').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Farticles%2Fnew');
  });

  it('creates a draft: 303 to its editor, the body rendered, the first revision recorded, tags made', async () => {
    const id = await createThroughEditor(admin, {
      title: 'Rain in Spain: a Review',
      body: '## Plains\n\nMostly on the *plain*.\n\nSecond paragraph here.',
      tags: 'Weather, Spain,  weather , ',
    });
    const row = await articleRow(id);
    assert.equal(row.status, 'draft');
    assert.equal(row.slug, 'rain-in-spain-a-review');
    assert.equal(row.version, 1);
    assert.equal(row.published_at, null);
    assert.match(row.body_html!, /<h2 id="plains">Plains<\/h2>/);
    assert.match(row.body_html!, /<em>plain<\/em>/);
    assert.equal(row.word_count, 8, "the heading's word too");
    assert.equal(row.summary, 'Mostly on the plain.');
    assert.equal(row.author_id, admin.user.id);
    assert.deepEqual(await tagNamesOf(id), ['Spain', 'Weather']);
    const revisions = await revisionsOf(id);
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0].body, row.body);
    assert.equal(revisions[0].saved_by, admin.user.id);

    const { page, fields } = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.equal(textAt(page, '.flash__message'), 'Draft saved.');
    assert.equal(page('#editor-form').attr('data-just-saved'), 'true');
    assert.equal(fields.title, 'Rain in Spain: a Review');
    assert.equal(fields.tags, 'Spain, Weather');
    assert.equal(fields.version, '1');
    assert.match(textAt(page, '.editor-status__state'), /Draft/);
  });

  it('publishes at once when created with Publish', async () => {
    const before = Date.now();
    const id = await createThroughEditor(admin, { title: 'Straight out', body: 'Text.' }, 'publish');
    const row = await articleRow(id);
    assert.equal(row.status, 'published');
    assert.ok(row.published_at!.getTime() >= before - 1000 && row.published_at!.getTime() <= Date.now() + 1000);
    await request(app).get('/articles/straight-out').expect(200);
  });

  it('reuses a tag whatever its case, and keeps the name first stored', async () => {
    const first = await createThroughEditor(admin, { title: 'One', body: 'x', tags: 'Politics' });
    const second = await createThroughEditor(admin, { title: 'Two', body: 'y', tags: 'POLITICS, asia' });
    assert.deepEqual(await tagNamesOf(second), ['asia', 'Politics']);
    assert.equal(Number((await testDb.db('tags').where({ slug: 'politics' }).count({ n: '*' }))[0]!.n), 1);
    assert.deepEqual(await tagNamesOf(first), ['Politics']);
  });
});

describe('slugs', () => {
  it('makes a generated slug unique with -2 and says so; refuses a typed slug that is taken (422 at the field)', async () => {
    await insertArticle(testDb.db, { slug: 'same-title', title: 'Same title' });
    const id = await createThroughEditor(admin, { title: 'Same title', body: 'x' });
    assert.equal((await articleRow(id)).slug, 'same-title-2');
    const { page } = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.match(textAt(page, '.flash__message'), /Another article has the slug “same-title”, so this one was given “same-title-2”\./);

    const form = await openEditor(admin, '/admin/articles/new');
    const refused = await submitEditor(admin, form, { title: 'Other', slug: 'same-title', body: 'typed text' }).expect(422);
    const again = parsePage(refused.text);
    assert.match(textAt(again, '#slug-error'), /Another article has this slug/);
    assert.equal(again('#slug').attr('aria-invalid'), 'true');
    assert.equal(again('#slug').attr('value'), 'same-title');
    assert.equal(again('#body').text(), 'typed text');
    assert.equal(await testDb.db('articles').where({ title: 'Other' }).first(), undefined);
  });

  it('keeps a published article’s old slug as a former slug, and drops a former slug the new one takes back', async () => {
    const id = await createThroughEditor(admin, { title: 'First name', body: 'x' }, 'publish');
    let form = await openEditor(admin, `/admin/articles/${id}/edit`);
    await submitEditor(admin, form, { slug: 'second-name' }).expect(303);
    assert.deepEqual(await testDb.db('article_former_slugs').where({ article_id: id }).pluck('slug'), ['first-name']);
    assert.equal((await articleRow(id)).slug, 'second-name');

    form = await openEditor(admin, `/admin/articles/${id}/edit`);
    await submitEditor(admin, form, { slug: 'first-name' }).expect(303);
    assert.deepEqual(await testDb.db('article_former_slugs').where({ article_id: id }).pluck('slug'), ['second-name']);
  });

  it('keeps no former slug for a draft', async () => {
    const id = await createThroughEditor(admin, { title: 'Draft name', body: 'x' });
    const form = await openEditor(admin, `/admin/articles/${id}/edit`);
    await submitEditor(admin, form, { slug: 'renamed-draft' }).expect(303);
    assert.equal((await testDb.db('article_former_slugs').where({ article_id: id })).length, 0);
  });
});

describe('saving an article', () => {
  it('stores the edit, counts the version, records the revision, replaces the tags, and comes back with a flash', async () => {
    const id = await createThroughEditor(admin, { title: 'Before', body: 'Old text.', tags: 'one, two' });
    const form = await openEditor(admin, `/admin/articles/${id}/edit`);
    await submitEditor(admin, form, {
      title: 'After',
      body: 'New text.',
      excerpt: 'A summary.',
      tags: 'two, three',
      comments_open: undefined,
      figure_image: '/images/seed-article-illustration.svg',
      figure_alt: 'A drawing',
      figure_caption: 'Source: us',
      figure_after: '2',
    })
      .expect(303)
      .expect('Location', `/admin/articles/${id}/edit`);
    const row = await articleRow(id);
    assert.equal(row.title, 'After');
    assert.equal(row.slug, 'before', 'the slug stays as it was');
    assert.equal(row.version, 2);
    assert.equal(row.summary, 'A summary.');
    assert.equal(row.comments_open, false);
    assert.deepEqual(
      [row.figure_image, row.figure_alt, row.figure_caption, row.figure_after_paragraph],
      ['/images/seed-article-illustration.svg', 'A drawing', 'Source: us', 2],
    );
    assert.deepEqual(await tagNamesOf(id), ['three', 'two']);
    const revisions = await revisionsOf(id);
    assert.deepEqual(
      revisions.map((revision) => revision.body),
      ['Old text.', 'New text.'],
    );
    const { page, fields } = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.equal(textAt(page, '.flash__message'), 'Draft saved.');
    assert.equal(fields.version, '2');
    assert.equal(fields.comments_open, undefined);
  });

  it('credits an account: its display name when the name is left empty, the typed name otherwise', async () => {
    const [writer] = await testDb
      .db('users')
      .insert({ username: 'kareem', display_name: 'Kareem Salem', password_hash: 'x' })
      .returning<Array<{ id: string }>>('id');
    const form = await openEditor(admin, '/admin/articles/new');
    assert.equal(form.page(`#author_id option[value="${writer!.id}"]`).attr('data-name'), 'Kareem Salem');
    const id = await createThroughEditor(admin, { title: 'Credited', body: 'x', author_id: writer!.id, author_name: '' });
    assert.deepEqual([(await articleRow(id)).author_id, (await articleRow(id)).author_name], [writer!.id, 'Kareem Salem']);
    const named = await createThroughEditor(admin, { title: 'Pen name', body: 'x', author_id: writer!.id, author_name: 'K. S.' });
    assert.equal((await articleRow(named)).author_name, 'K. S.');
    const none = await createThroughEditor(admin, { title: 'Guest', body: 'x', author_id: '', author_name: 'A Guest' });
    assert.deepEqual([(await articleRow(none)).author_id, (await articleRow(none)).author_name], [null, 'A Guest']);
  });

  it('publishes, unpublishes, and schedules in the site’s time zone', async () => {
    const settings = await loadDiscussionSettings(testDb.db);
    await saveDiscussionSettings(testDb.db, { ...settings, timeZone: 'Europe/Paris' }, null);
    const id = await createThroughEditor(admin, { title: 'Timed', body: 'x' });

    let form = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.match(textAt(form.page, '#publish_at-hint'), /Europe\/Paris/);
    await submitEditor(admin, form, { publish_at: '2031-07-01T09:30' }, 'schedule').expect(303);
    let row = await articleRow(id);
    assert.equal(row.status, 'scheduled');
    assert.equal(row.published_at!.toISOString(), '2031-07-01T07:30:00.000Z', 'summer time in Paris is UTC+2');
    form = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.match(textAt(form.page, '.flash__message'), /Scheduled: it will be published on July 1, 2031 at 9:30 am \(Europe\/Paris\)\./);
    assert.equal(form.fields.publish_at, '2031-07-01T09:30');

    await submitEditor(admin, form, {}, 'publish').expect(303);
    row = await articleRow(id);
    assert.equal(row.status, 'published');
    assert.ok(row.published_at!.getTime() <= Date.now());
    form = await openEditor(admin, `/admin/articles/${id}/edit`);
    assert.match(textAt(form.page, '.flash__message'), /^Published: readers find it at \/articles\/timed\.$/);
    assert.equal(form.page('.editor-links a[href="/articles/timed"]').length, 1);

    await submitEditor(admin, form, {}, 'unpublish').expect(303);
    assert.equal((await articleRow(id)).status, 'draft');
    await request(app).get('/articles/timed').expect(404);
  });

  it('refuses a schedule in the past or without a time: 422 at publish_at, nothing changed', async () => {
    const id = await createThroughEditor(admin, { title: 'Not yet', body: 'x' });
    const form = await openEditor(admin, `/admin/articles/${id}/edit`);
    const past = parsePage((await submitEditor(admin, form, { publish_at: '2001-01-01T10:00' }, 'schedule').expect(422)).text);
    assert.match(textAt(past, '#publish_at-error'), /already passed/);
    assert.equal(past('#publish_at').attr('value'), '2001-01-01T10:00');
    const missing = parsePage((await submitEditor(admin, form, { publish_at: '' }, 'schedule').expect(422)).text);
    assert.match(textAt(missing, '#publish_at-error'), /YYYY-MM-DDTHH:MM/);
    const row = await articleRow(id);
    assert.deepEqual([row.status, row.version], ['draft', 1]);
  });
});

describe('a refused save', () => {
  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    ['no title', { title: '   ' }, 'title', /Enter a title/],
    ['a title over 300 characters', { title: 't'.repeat(301) }, 'title', /300 characters or fewer/],
    ['a slug with capitals and spaces', { slug: 'Not A Slug' }, 'slug', /lower-case letters/],
    ['a figure image without alternative text', { figure_image: '/images/x.svg', figure_alt: '' }, 'figure_alt', /Describe the image/],
    ['a figure image from elsewhere', { figure_image: 'https://evil.example/x.png', figure_alt: 'x' }, 'figure_image', /uploaded image/],
    ['no author at all', { author_name: '', author_id: '' }, 'author_name', /author’s name/],
    ['a figure place of 0', { figure_after: '0' }, 'figure_after', /whole number from 1/],
    ['a tag with no letter a–z', { tags: 'ok, ***' }, 'tags', /needs at least one letter/],
  ];
  for (const [label, changes, field, message] of cases) {
    it(`answers 422 for ${label}, with the message at ${field} and every field as typed`, async () => {
      const id = await createThroughEditor(admin, { title: 'Kept', body: 'Stored text.' });
      const form = await openEditor(admin, `/admin/articles/${id}/edit`);
      const typed = { body: 'Typed <b>text</b> & more', excerpt: 'Typed excerpt', tags: 'alpha, beta', ...changes };
      const page = parsePage((await submitEditor(admin, form, typed).expect(422)).text);
      assert.match(textAt(page, `#${field}-error`), message);
      assert.equal(page(`[name="${field}"]`).attr('aria-invalid'), 'true');
      assert.match(page(`[name="${field}"]`).attr('aria-describedby') ?? '', new RegExp(`${field}-error`));
      assert.match(textAt(page, '.error-summary'), message);
      assert.equal(page('#body').text(), typed.body);
      assert.equal(page('#excerpt').text(), 'Typed excerpt');
      const shown = formFields(page, '#editor-form');
      for (const [name, value] of Object.entries(changes)) assert.equal(shown[name], value, `${name} kept`);
      const row = await articleRow(id);
      assert.deepEqual([row.body, row.version], ['Stored text.', 1]);
      assert.equal((await revisionsOf(id)).length, 1);
    });
  }

  it('answers 422 for a body over 1 MB, keeping it', async () => {
    const form = await openEditor(admin, '/admin/articles/new');
    const body = 'a'.repeat(1024 * 1024 + 1);
    const response = await submitEditor(admin, form, { title: 'Too long', body }).expect(422);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#body-error'), /longer than 1 MB/);
    assert.equal(page('#body').text().length, body.length);
    assert.equal(await testDb.db('articles').where({ title: 'Too long' }).first(), undefined);
  });

  it('refuses a form without the session’s token (403) and stores nothing', async () => {
    const id = await createThroughEditor(admin, { title: 'Guarded', body: 'x' });
    const form = await openEditor(admin, `/admin/articles/${id}/edit`);
    await submitEditor(admin, form, { title: 'Forged', _csrf: 'forged' }).expect(403);
    const blank = await openEditor(admin, '/admin/articles/new');
    await submitEditor(admin, blank, { title: 'Forged too', body: 'x', _csrf: 'forged' }).expect(403);
    assert.equal((await articleRow(id)).title, 'Guarded');
    assert.equal(await testDb.db('articles').whereIn('title', ['Forged', 'Forged too']).first(), undefined);
  });

  it('sends a request without a session to sign in, storing nothing', async () => {
    const id = await createThroughEditor(admin, { title: 'Signed', body: 'x' });
    await request(app)
      .post(`/admin/articles/${id}`)
      .type('form')
      .send({ title: 'Anon' })
      .expect(303)
      .expect('Location', /^\/admin\/login/);
    await request(app)
      .post('/admin/articles')
      .type('form')
      .send({ title: 'Anon' })
      .expect(303)
      .expect('Location', /^\/admin\/login/);
    await request(app).get(`/admin/articles/${id}/edit`).expect(303);
    assert.equal((await articleRow(id)).title, 'Signed');
  });

  it('answers 404 for an article that does not exist', async () => {
    await admin.agent.get('/admin/articles/999999/edit').expect(404);
    await admin.agent.get('/admin/articles/nope/edit').expect(404);
    const form = await openEditor(admin, '/admin/articles/new');
    await submitEditor(admin, { ...form, action: '/admin/articles/999999' }, { title: 'x', body: 'y', version: '1' }).expect(404);
  });
});

describe('an imported HTML body', () => {
  it('is shown as HTML, said so above the text, and saved as it is (through the sanitiser)', async () => {
    const row = await insertArticle(testDb.db, {
      slug: 'imported',
      body: '<p>From <em>WordPress</em></p><script>x()</script>',
      body_format: 'html',
    });
    const form = await openEditor(admin, `/admin/articles/${row.id}/edit`);
    assert.match(textAt(form.page, 'label[for="body"]'), /\(HTML\)/);
    assert.match(textAt(form.page, '#body-hint'), /HTML, as it was imported/);
    assert.equal(form.fields.body, '<p>From <em>WordPress</em></p><script>x()</script>');
    await submitEditor(admin, form, { body: '<p>Edited <strong>HTML</strong></p><img src=x onerror=alert(1)>' }).expect(303);
    const saved = await articleRow(row.id);
    assert.equal(saved.body_format, 'html');
    assert.equal(saved.body, '<p>Edited <strong>HTML</strong></p><img src=x onerror=alert(1)>');
    assert.equal(saved.body_html, '<p>Edited <strong>HTML</strong></p>');
  });
});

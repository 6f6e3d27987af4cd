import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import { adminApp, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt } from '../helpers/html.js';
import { createThroughEditor, openEditor, submitEditor } from '../helpers/editor.js';
import type { ArticleRow } from '../../src/articles/article-queries.js';

/**
 * Two people editing one article: the second save, made on a version that
 * is no longer current, is refused (409) with the typed text kept and the
 * other version shown beside it; nothing is overwritten.
 */

const testDb = useTestDatabase();
let app: Express;
let ada: AdminClient;
let grace: AdminClient;
let id: string;

beforeEach(async () => {
  ({ app, admin: ada } = await adminApp(testDb.db, 'ada'));
  grace = await signInAdmin(app, testDb.db, 'grace');
  await testDb.db('users').where({ id: grace.user.id }).update({ display_name: 'Grace Hopper' });
  id = await createThroughEditor(ada, { title: 'Shared draft', body: 'The original text.' });
});

const articleRow = async () => (await testDb.db<ArticleRow>('articles').where({ id }).first())!;
const revisionCount = async () => Number((await testDb.db('article_revisions').where({ article_id: id }).count({ n: '*' }))[0]!.n);

describe('saving over someone else’s save', () => {
  it('answers 409 with both versions, keeps the typed text, and overwrites nothing', async () => {
    const adaForm = await openEditor(ada, `/admin/articles/${id}/edit`);
    const graceForm = await openEditor(grace, `/admin/articles/${id}/edit`);
    assert.equal(adaForm.fields.version, '1');

    await submitEditor(grace, graceForm, { title: 'Grace’s title', body: 'Grace rewrote this.' }).expect(303);
    const afterGrace = await articleRow();
    assert.equal(afterGrace.version, 2);
    const revisionsAfterGrace = await revisionCount();

    const refused = await submitEditor(ada, adaForm, { title: 'Ada’s title', body: 'Ada’s own words.', tags: 'mine' }).expect(409);
    const page = parsePage(refused.text);
    // Ada's text, as typed, in the form.
    assert.equal(page('#title').attr('value'), 'Ada’s title');
    assert.equal(page('#body').text(), 'Ada’s own words.');
    assert.equal(page('#tags').attr('value'), 'mine');
    // Grace's version beside it, with who saved it and when.
    assert.match(textAt(page, '#editor-conflict-title'), /saved by Grace Hopper on .+ at .+ UTC/);
    assert.equal(page('#conflict-body').text(), 'Grace rewrote this.');
    assert.match(squash(page('.editor-conflict__fields').text()), /Grace’s title/);
    assert.match(textAt(page, '.error-summary'), /Grace Hopper saved this article while you were editing it/);
    // The form now carries the version it was shown beside, so saving again is a deliberate choice.
    assert.equal(page('#editor-form input[name="version"]').attr('value'), '2');

    const stored = await articleRow();
    assert.equal(stored.title, 'Grace’s title');
    assert.equal(stored.body, 'Grace rewrote this.');
    assert.equal(stored.version, 2);
    assert.equal(await revisionCount(), revisionsAfterGrace);
    assert.equal(await testDb.db('tags').where({ slug: 'mine' }).first(), undefined);
  });

  it('saves the second text once it is sent again from the conflict page, and both stay in the revisions', async () => {
    const adaForm = await openEditor(ada, `/admin/articles/${id}/edit`);
    const graceForm = await openEditor(grace, `/admin/articles/${id}/edit`);
    await submitEditor(grace, graceForm, { body: 'Grace rewrote this.' }).expect(303);
    const refused = parsePage((await submitEditor(ada, adaForm, { body: 'Ada’s own words.' }).expect(409)).text);

    const resend = { fields: formFields(refused, '#editor-form'), action: `/admin/articles/${id}` };
    await submitEditor(ada, resend).expect(303);
    const stored = await articleRow();
    assert.equal(stored.body, 'Ada’s own words.');
    assert.equal(stored.version, 3);
    const bodies = await testDb.db('article_revisions').where({ article_id: id, kind: 'revision' }).orderBy('id').pluck('body');
    assert.deepEqual(bodies, ['The original text.', 'Grace rewrote this.', 'Ada’s own words.']);
  });

  it('lets one of two saves racing on the same version through and refuses the other', async () => {
    const adaForm = await openEditor(ada, `/admin/articles/${id}/edit`);
    const graceForm = await openEditor(grace, `/admin/articles/${id}/edit`);
    const [first, second] = await Promise.all([
      submitEditor(ada, adaForm, { body: 'Ada racing.' }),
      submitEditor(grace, graceForm, { body: 'Grace racing.' }),
    ]);
    assert.deepEqual([first.status, second.status].sort(), [303, 409]);
    const stored = await articleRow();
    assert.equal(stored.version, 2);
    assert.equal(stored.body, first.status === 303 ? 'Ada racing.' : 'Grace racing.');
    assert.equal(await revisionCount(), 2);
  });
});

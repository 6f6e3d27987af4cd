import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, type Page } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';

const testDb = useTestDatabase();
const SETTINGS = '/admin/settings/discussion';
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

async function settingsPage(): Promise<Page> {
  return parsePage((await admin.agent.get(SETTINGS).expect(200)).text);
}

async function chooseZone(zone: string) {
  const fields = formFields(await settingsPage(), 'form.settings-form');
  await admin
    .post(SETTINGS, { ...fields, timezone_string: zone })
    .expect(303)
    .expect('Location', SETTINGS);
}

async function get(path: string) {
  const response = await request(app).get(path).expect(200);
  return { page: parsePage(response.text), cache: response.headers['x-page-cache'] };
}

describe('the site time zone', () => {
  it('is a setting, UTC until another zone is chosen, and refuses a zone the runtime does not list', async () => {
    const page = await settingsPage();
    assert.equal(page('#timezone_string option[selected]').attr('value'), 'UTC');
    assert.ok(page('#timezone_string option[value="America/New_York"]').length === 1, 'the zones are offered');
    assert.match(squash(page('label[for="timezone_string"]').text()), /Timezone/);

    const fields = formFields(page, 'form.settings-form');
    const refused = await admin.post(SETTINGS, { ...fields, timezone_string: 'Mars/Olympus_Mons' }).expect(422);
    const again = parsePage(refused.text);
    assert.match(squash(again('#timezone_string-error').text()), /time zone/i);
    assert.equal(again('#timezone_string').attr('aria-invalid'), 'true');
    assert.equal(again('#timezone_string option[selected]').attr('value'), 'Mars/Olympus_Mons', 'the typed value is kept');
    assert.equal(await testDb.db('settings').where({ key: 'discussion' }).first(), undefined, 'nothing saved');

    await chooseZone('America/New_York');
    const stored = await testDb.db('settings').where({ key: 'discussion' }).first();
    assert.equal(stored.value.timeZone, 'America/New_York');
    assert.equal((await settingsPage())('#timezone_string option[selected]').attr('value'), 'America/New_York');
  });

  it('shows the article’s date and comment times in the zone at once, though the pages were cached, with ISO UTC in datetime', async () => {
    await insertArticle(testDb.db, { slug: 'late-night', title: 'Late night', published_at: new Date('2023-01-02T03:00:00Z') });
    const comment = await insertComment(testDb.db, { created_at: new Date('2023-01-03T02:30:00Z') });

    const before = await get(DEMO_PATH);
    assert.equal(squash(before.page(`#comment-${comment} time`).first().text()), 'January 3, 2023 at 2:30 am');
    assert.equal((await get(DEMO_PATH)).cache, 'hit', 'the page is cached');
    const homeBefore = await get('/');
    assert.equal(squash(homeBefore.page('a[href="/articles/late-night"]').closest('article').find('time').text()), 'January 2, 2023');
    assert.equal((await get('/')).cache, 'hit');

    await chooseZone('America/New_York');

    const after = await get(DEMO_PATH);
    const time = after.page(`#comment-${comment} time`).first();
    assert.equal(squash(time.text()), 'January 2, 2023 at 9:30 pm');
    assert.equal(time.attr('datetime'), '2023-01-03T02:30:00.000Z');
    assert.equal(squash(after.page('.entry-meta time.published').text()), 'January 2, 2023');
    const home = await get('/');
    const listed = home.page('a[href="/articles/late-night"]').closest('article').find('time');
    assert.equal(squash(listed.text()), 'January 1, 2023');
    assert.equal(listed.attr('datetime'), '2023-01-02T03:00:00.000Z');
  });

  it('names the zone next to every time in the admin', async () => {
    await insertComment(testDb.db, { status: 'pending', created_at: new Date('2023-01-03T02:30:00Z') });
    let queue = parsePage((await admin.agent.get('/admin/comments').expect(200)).text);
    assert.match(squash(queue('time').first().text()), /^January 3, 2023 at 2:30 am UTC$/);
    await chooseZone('America/New_York');
    queue = parsePage((await admin.agent.get('/admin/comments').expect(200)).text);
    assert.match(squash(queue('time').first().text()), /^January 2, 2023 at 9:30 pm \(America\/New York\)$/);
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt } from '../helpers/html.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';

const testDb = useTestDatabase();
const SETTINGS = '/admin/settings/discussion';
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

async function notice() {
  const response = await request(app).get('/privacy').expect(200).expect('Content-Type', /html/);
  return parsePage(response.text);
}

describe('the privacy notice', () => {
  it('says what is kept about commenters, why, and for how long, from the default settings, in the site’s layout', async () => {
    const page = await notice();
    assert.equal(textAt(page, 'h1'), 'Privacy notice');
    assert.match(page('title').text(), /^Privacy notice – Broadsheet$/);
    assert.equal(page('.site-title').attr('href'), '/', 'the site header every reader page has');
    assert.equal(page('main#main').length, 1);
    const kept = squash(page('#privacy-kept').parent().text());
    for (const item of ['Your name', 'Your email address', 'Your website', 'Your IP address', 'your browser']) {
      assert.ok(kept.includes(item), `it names ${item}`);
    }
    assert.match(squash(textAt(page, '#kept-email')), /never published/);
    assert.match(squash(textAt(page, '#kept-ip')), /stop floods of comments and spam/);
    assert.match(squash(textAt(page, '#how-long-ip')), /60 days after you post/);
    assert.match(squash(textAt(page, '#how-long-mail')), /kept for 7 days after they are sent/);
    assert.equal(
      page('#privacy-requests').parent().find('a[href="/your-data"]').length,
      1,
      'it says where to ask for a copy or an erasure',
    );
    assert.match(squash(page('#privacy-requests').parent().text()), /copy .* erased/);
  });

  it('follows the settings at once, in days, and names Gravatar when avatars come from it', async () => {
    await saveDiscussionSettings(
      testDb.db,
      { ...DEFAULT_DISCUSSION_SETTINGS, ipRetentionDays: 30, mailRetentionDays: 1, avatarSource: 'gravatar' },
      null,
    );
    const page = await notice();
    assert.match(squash(textAt(page, '#how-long-ip')), /30 days after you post/);
    assert.match(squash(textAt(page, '#how-long-mail')), /kept for 1 day after/);
    assert.match(squash(page('#privacy-kept').parent().text()), /come from Gravatar/);
  });

  it('is linked from the comment form, beside the note that the email address is not published', async () => {
    const page = parsePage((await request(app).get(DEMO_PATH).expect(200)).text);
    const link = page('#commentform .comment-notes + .comment-form-privacy a');
    assert.equal(link.attr('href'), '/privacy');
    assert.equal(
      squash(page('#commentform .comment-notes').text()),
      'Your email address will not be published. Required fields are marked *',
    );
  });
});

describe('the retention settings', () => {
  const settingsPage = async () => parsePage((await admin.agent.get(SETTINGS).expect(200)).text);

  it('are on the discussion settings page with a sentence saying what is kept and for how long', async () => {
    const page = await settingsPage();
    assert.equal(page('#ip_retention_days').attr('value'), '60');
    assert.equal(page('#mail_retention_days').attr('value'), '7');
    const sentence = squash(textAt(page, '#privacy-retention'));
    assert.match(sentence, /IP address and browser \(user agent\) are kept for moderation: on approved and trashed comments for 60 days/);
    assert.match(sentence, /Mail keeps its recipient, subject and text for 7 days after it is sent/);
  });

  it('are saved with the other settings and change the notice', async () => {
    const fields = formFields(await settingsPage(), 'form.settings-form');
    await admin
      .post(SETTINGS, { ...fields, ip_retention_days: '14', mail_retention_days: '3' })
      .expect(303)
      .expect('Location', SETTINGS);
    const stored = await testDb.db('settings').where({ key: 'discussion' }).first<{ value: Record<string, unknown> }>();
    assert.equal(stored.value.ipRetentionDays, 14);
    assert.equal(stored.value.mailRetentionDays, 3);
    const page = await notice();
    assert.match(squash(textAt(page, '#how-long-ip')), /14 days/);
    assert.match(squash(textAt(page, '#how-long-mail')), /3 days/);
  });

  it('refuse a period that is not a whole number of days from 1 to 3650, keep what was typed, and save nothing', async () => {
    const fields = formFields(await settingsPage(), 'form.settings-form');
    for (const typed of ['0', '3651', 'a week', '']) {
      const response = await admin.post(SETTINGS, { ...fields, ip_retention_days: typed, mail_retention_days: '2.5' }).expect(422);
      const page = parsePage(response.text);
      assert.equal(page('#ip_retention_days').attr('value'), typed);
      assert.equal(page('#ip_retention_days').attr('aria-invalid'), 'true');
      assert.match(squash(textAt(page, '.error-summary')), /The days IP addresses are kept must be a whole number from 1 to 3,650\./);
      assert.match(squash(textAt(page, '.error-summary')), /The days sent mail is kept must be a whole number from 1 to 3,650\./);
    }
    assert.equal(await testDb.db('settings').where({ key: 'discussion' }).first(), undefined, 'nothing was saved');
  });
});

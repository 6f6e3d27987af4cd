import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, postForm, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';
import { HELD_MAILS_PER_MINUTE } from '../../src/mail/held-mail-budget.js';

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

/** The settings form as the browser would send it, with some fields changed (undefined: left out, as an unticked box). */
async function formWith(changes: Record<string, string | undefined>): Promise<Record<string, string>> {
  const fields = formFields(await settingsPage(), 'form.settings-form');
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete fields[name];
    else fields[name] = value;
  }
  return fields;
}

async function storedSettings(): Promise<{ value: Record<string, unknown>; updated_by: string | null } | undefined> {
  return testDb.db('settings').where({ key: 'discussion' }).first();
}

let ipCounter = 0;

/** Posts a comment through the public form of a separate app instance, as a reader would, and returns what was stored. */
async function postPublicComment(site: ReturnType<typeof commentingApp>, overrides: Record<string, string>) {
  // Each post here is about the rules, not the flood interval between one commenter's posts.
  await testDb.db('rate_limits').delete();
  const browser = site.browser();
  const { fields } = await loadForm(browser);
  site.advanceSeconds(6);
  ipCounter += 1;
  const response = await postPairs(browser, typed(fields, overrides), { ip: `198.51.100.${ipCounter}` });
  assert.equal(response.status, 303, `the comment was accepted (${response.status})`);
  const id = /#comment-(\d+)$/.exec(response.headers.location ?? '')![1]!;
  const row = await testDb.db('comments').where({ id }).first();
  return {
    status: row.status as string,
    reasons: (row.status_reasons as Array<{ code: string; text: string }>).map((reason) => reason.text),
  };
}

describe('the discussion settings page', () => {
  it('asks a visitor without a session to sign in', async () => {
    await request(app)
      .get(SETTINGS)
      .expect(303)
      .expect('Location', `/admin/login?next=${encodeURIComponent(SETTINGS)}`);
    await request(app)
      .post(SETTINGS)
      .type('form')
      .send('comment_moderation=1')
      .expect(303)
      .expect('Location', /^\/admin\/login/);
    assert.equal(await storedSettings(), undefined);
  });

  it('shows every option with WordPress’s labels and the defaults, linked from the admin nav', async () => {
    const page = await settingsPage();
    assert.equal(textAt(page, 'h1'), 'Discussion Settings');
    assert.equal(page('.admin-nav a[href="/admin/settings/discussion"]').text(), 'Settings');
    assert.equal(page('.admin-nav a[href="/admin/blocks"]').text(), 'Blocks');
    const text = squash(page('form.settings-form').text());
    for (const label of [
      'Comment author must fill out name and email',
      'Automatically close comments on articles older than',
      'Enable threaded (nested) comments',
      'levels deep',
      'Break comments into pages with',
      'top level comments per page',
      'Comments should be displayed with the',
      'Email me whenever',
      'A comment is held for moderation',
      'Comment must be manually approved',
      'Comment author must have a previously approved comment',
      'Hold a comment in the queue if it contains',
      'or more links.',
      'It will match inside words, so “press” will match “WordPress”.',
      'Disallowed Comment Keys',
      'Show Avatars',
    ]) {
      assert.ok(text.includes(label), `the page says “${label}”`);
    }
    const fields = formFields(page, 'form.settings-form');
    delete fields._csrf;
    assert.deepEqual(fields, {
      require_name_email: '1',
      close_comments_days_old: '14',
      thread_comments_depth: '5',
      page_comments: '1',
      comments_per_page: '200',
      default_comments_page: 'newest',
      comment_order: 'asc',
      admin_notification: 'each',
      digest_minutes: '60',
      notification_email: '',
      comment_previously_approved: '1',
      comment_max_links: '2',
      moderation_keys: '',
      disallowed_keys: '',
      show_avatars: '1',
      avatar_source: 'local',
      timezone_string: 'UTC',
      media_max_mb: '10',
      mail_retention_days: '7',
      ip_retention_days: '60',
    });
    assert.deepEqual(
      page('#thread_comments_depth option')
        .map((_i, option) => page(option).attr('value'))
        .get(),
      ['2', '3', '4', '5', '6', '7', '8', '9', '10'],
    );
    assert.equal(page('#notification_email').attr('placeholder'), 'moderation@127.0.0.1');
    assert.ok(
      squash(page('#notification_email-description').text()).includes(
        `at most ${HELD_MAILS_PER_MINUTE} a minute are sent; when more are held, one email for that minute says so`,
      ),
      'the per-minute limit on held-comment mail is said where the mail is set up',
    );
    assert.equal(page('button[type="submit"]').last().text(), 'Save Changes');
  });

  it('saves every option, records who saved them, and shows them again with “Settings saved.” once', async () => {
    const fields = await formWith({
      require_name_email: undefined,
      close_comments_for_old_posts: '1',
      close_comments_days_old: '30',
      thread_comments_depth: '3',
      page_comments: '1',
      comments_per_page: '25',
      default_comments_page: 'oldest',
      comment_order: 'desc',
      admin_notification: 'digest',
      digest_minutes: '15',
      notification_email: 'editor@example.com',
      comment_moderation: '1',
      comment_previously_approved: undefined,
      comment_max_links: '4',
      moderation_keys: '  casino \r\n\r\nCrypto\r\ncasino\r\n',
      disallowed_keys: 'viagra\n203.0.113.9',
      show_avatars: undefined,
      avatar_source: 'gravatar',
    });
    await admin.post(SETTINGS, fields).expect(303).expect('Location', SETTINGS);
    const stored = await storedSettings();
    assert.equal(String(stored!.updated_by), admin.user.id);
    assert.deepEqual(stored!.value, {
      holdEveryComment: true,
      autoApprovePreviouslyApproved: false,
      holdAtLinkCount: 4,
      moderationWords: ['casino', 'Crypto'],
      disallowedWords: ['viagra', '203.0.113.9'],
      closeOldArticles: true,
      closeAfterDays: 30,
      threadDepth: 3,
      paginateComments: true,
      commentsPerPage: 25,
      firstPageShown: 'oldest',
      orderWithinPage: 'desc',
      requireNameAndEmail: false,
      showAvatars: false,
      avatarSource: 'gravatar',
      adminNotification: 'digest',
      digestMinutes: 15,
      notificationEmail: 'editor@example.com',
      timeZone: 'UTC',
      mediaMaxBytes: 10 * 1024 * 1024,
      requireTwoFactor: false,
      mailRetentionDays: 7,
      ipRetentionDays: 60,
    });

    const page = await settingsPage();
    assert.equal(squash(page('.flash__message').text()), 'Settings saved.');
    assert.equal(page('#moderation_keys').text(), 'casino\nCrypto');
    assert.equal(page('#thread_comments_depth option[selected]').attr('value'), '3');
    assert.equal(page('#comment_moderation').attr('checked'), 'checked');
    assert.equal(page('#require_name_email').attr('checked'), undefined);
    assert.equal(page('input[name="avatar_source"][checked]').attr('value'), 'gravatar');
    assert.equal(squash((await settingsPage())('.flash__message').text()), '', 'the message is shown once');
  });

  it('turns an option off when its box is left unticked', async () => {
    await admin.post(SETTINGS, await formWith({ show_avatars: undefined, require_name_email: undefined })).expect(303);
    const { value } = (await storedSettings())!;
    assert.equal(value.showAvatars, false);
    assert.equal(value.requireNameAndEmail, false);
    assert.equal(value.autoApprovePreviouslyApproved, true);
  });

  it('answers invalid values with 422, an error at each field and every typed value kept, saving nothing', async () => {
    const response = await admin
      .post(
        SETTINGS,
        await formWith({
          close_comments_days_old: 'two weeks',
          comments_per_page: '0',
          thread_comments_depth: '11',
          digest_minutes: '1',
          notification_email: 'not an email',
          comment_max_links: '-1',
          comment_moderation: '1',
          moderation_keys: `fine\n${'x'.repeat(201)}`,
        }),
      )
      .expect(422);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#close_comments_days_old-error'), /The number of days must be a whole number from 1 to 36,500/);
    assert.match(textAt(page, '#comments_per_page-error'), /from 1 to 1,000/);
    assert.match(textAt(page, '#thread_comments_depth-error'), /Choose one of the options/);
    assert.match(textAt(page, '#digest_minutes-error'), /from 5 to 1,440/);
    assert.equal(textAt(page, '#notification_email-error'), 'Error: Enter an email address like name@example.com, or leave it empty.');
    assert.match(textAt(page, '#comment_max_links-error'), /from 0 to 100/);
    assert.match(textAt(page, '#moderation_keys-error'), /200 characters or fewer/);
    assert.equal(page('#close_comments_days_old').attr('aria-invalid'), 'true');
    assert.equal(page('.error-summary li').length, 7);
    assert.equal(page('#close_comments_days_old').attr('value'), 'two weeks');
    assert.equal(page('#notification_email').attr('value'), 'not an email');
    assert.equal(page('#comment_moderation').attr('checked'), 'checked', 'a ticked box stays ticked');
    assert.equal(page('#moderation_keys').text(), `fine\n${'x'.repeat(201)}`);
    assert.equal(await storedSettings(), undefined);
  });

  it('refuses fields the form does not have, and repeated fields, with 422', async () => {
    const extra = await admin.post(SETTINGS, { ...(await formWith({})), is_admin: '1' }).expect(422);
    assert.match(textAt(parsePage(extra.text), '#form'), /fields it does not have/);
    const fields = Object.entries(await formWith({}));
    await admin.post(SETTINGS, [...fields, ['comment_max_links', '9']]).expect(422);
    assert.equal(await storedSettings(), undefined);
  });

  it('refuses a POST without the session’s CSRF token with 403, changing nothing', async () => {
    const fields = await formWith({ comment_moderation: '1' });
    const other = await signInAdmin(app, testDb.db, 'intruder');
    delete fields._csrf;
    await postForm(admin.agent, SETTINGS, fields).expect(403);
    await postForm(admin.agent, SETTINGS, { ...fields, _csrf: other.csrf }).expect(403);
    await postForm(admin.agent, SETTINGS, { ...fields, _csrf: '' }).expect(403);
    assert.equal(await storedSettings(), undefined);
  });
});

describe('a settings change takes effect at once, on every instance', () => {
  it('holds a returning commenter once every comment must be approved, and approves them again when it is off', async () => {
    const site = commentingApp(testDb.db);
    await insertComment(testDb.db, { status: 'approved', author_name: 'Ada Reader', author_email: 'ada@example.org' });
    assert.deepEqual(await postPublicComment(site, { comment: 'Before the change.' }), { status: 'approved', reasons: [] });

    await admin.post(SETTINGS, await formWith({ comment_moderation: '1' })).expect(303);
    assert.deepEqual(await postPublicComment(site, { comment: 'After the change.', email: 'ada@example.org' }), {
      status: 'pending',
      reasons: ['held: manual approval required'],
    });

    await admin.post(SETTINGS, await formWith({ comment_moderation: undefined })).expect(303);
    assert.equal((await postPublicComment(site, { comment: 'Back to normal.' })).status, 'approved');
  });

  it('holds a comment with a moderation word and marks one with a disallowed word as spam, giving the reason', async () => {
    const site = commentingApp(testDb.db);
    await insertComment(testDb.db, { status: 'approved', author_name: 'Ada Reader', author_email: 'ada@example.org' });
    await admin.post(SETTINGS, await formWith({ moderation_keys: 'Casino', disallowed_keys: 'pills\nspam.example' })).expect(303);

    assert.deepEqual(await postPublicComment(site, { comment: 'I won at the casino today.' }), {
      status: 'pending',
      reasons: ['held: moderation word "Casino" in text'],
    });
    const spam = await postPublicComment(site, { comment: 'Cheap PILLS here.', url: 'https://spam.example/' });
    assert.equal(spam.status, 'spam');
    assert.deepEqual(spam.reasons, ['spam: disallowed word "pills" in text', 'spam: disallowed word "spam.example" in website']);
  });

  it('holds a comment with as many links as the new limit', async () => {
    const site = commentingApp(testDb.db);
    await insertComment(testDb.db, { status: 'approved', author_name: 'Ada Reader', author_email: 'ada@example.org' });
    assert.equal(
      (await postPublicComment(site, { comment: 'See https://example.com/a for more.' })).status,
      'approved',
      'the default limit is 2',
    );
    await admin.post(SETTINGS, await formWith({ comment_max_links: '1' })).expect(303);
    assert.deepEqual(await postPublicComment(site, { comment: 'See https://example.com/b for more.' }), {
      status: 'pending',
      reasons: ['held: 1 link, limit 1'],
    });
  });
});

describe('avatars: the site’s identicons by default, Gravatar only when chosen', () => {
  const ARTICLE = '/articles/xi-ducks-putins-push-for-expanded-military-ties';
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  async function articlePage(): Promise<Page> {
    const response = await request(app).get(ARTICLE).expect(200);
    return parsePage(response.text);
  }

  const avatarOf = (page: Page, id: string) => page(`#comment-${id} img.avatar`).attr('src');

  it('offers the choice with the privacy trade-off said plainly, identicons chosen', async () => {
    const page = await settingsPage();
    assert.equal(page('input[name="avatar_source"][checked]').attr('value'), 'local');
    const choices = page('input[name="avatar_source"]')
      .map((_i, input) => page(input).attr('value'))
      .get();
    assert.deepEqual(choices, ['local', 'gravatar']);
    const fieldset = page('#avatar_source').closest('fieldset');
    assert.equal(fieldset.attr('aria-describedby'), 'avatar_source-description');
    const note = squash(page('#avatar_source-description').text());
    for (const said of [
      'No request leaves the site',
      'secure.gravatar.com',
      'every reader’s browser asks Gravatar for each commenter’s picture',
      'Gravatar sees readers’ IP addresses',
      'SHA-256 hash of the commenter’s email address',
      'anyone with a list of addresses can hash them and find the match',
    ]) {
      assert.ok(note.includes(said), `the note says “${said}”`);
    }
  });

  it('draws identicons here until Gravatar is chosen, then links Gravatar by the SHA-256 of the trimmed, lower-cased email', async () => {
    const ada = await insertComment(testDb.db, { author_email: '  Ada.Reader@Example.ORG ' });
    const anonymous = await insertComment(testDb.db, { author_email: '' });

    let page = await articlePage();
    for (const id of [ada, anonymous]) assert.match(avatarOf(page, id) ?? '', /^\/avatars\/[0-9a-f]{32}\.svg$/);
    assert.doesNotMatch(page.html(), /gravatar/i, 'no trace of Gravatar while it is off');
    assert.equal(page('#avatar-note').length, 0);

    await admin.post(SETTINGS, await formWith({ avatar_source: 'gravatar' })).expect(303);
    page = await articlePage();
    assert.equal(avatarOf(page, ada), `https://secure.gravatar.com/avatar/${sha256('ada.reader@example.org')}?s=96&d=identicon`);
    assert.match(avatarOf(page, anonymous) ?? '', /^\/avatars\/[0-9a-f]{32}\.svg$/, 'no email: nothing to ask Gravatar for');
    assert.equal(page(`#comment-${ada} img.avatar`).attr('referrerpolicy'), 'no-referrer');
    assert.match(textAt(page, '#avatar-note'), /comes from Gravatar/);
    assert.ok((page('#email').attr('aria-describedby') ?? '').split(' ').includes('avatar-note'), 'the email field points to the note');
    assert.doesNotMatch(page.html(), /ada\.reader@example\.org/i, 'the address itself never reaches the page');

    await admin.post(SETTINGS, await formWith({ show_avatars: undefined })).expect(303);
    page = await articlePage();
    assert.equal(page('img.avatar').length, 0, 'no avatars at all once they are switched off');
    assert.equal(page('#avatar-note').length, 0);
  });

  it('refuses an avatar source it does not offer, or none, with 422, saving nothing', async () => {
    const response = await admin.post(SETTINGS, await formWith({ avatar_source: 'https://avatars.example/' })).expect(422);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#avatar_source-error'), /Choose one of the options/);
    assert.equal(page('.error-summary a[href="#avatar_source"]').length, 1);
    await admin.post(SETTINGS, await formWith({ avatar_source: undefined })).expect(422);
    assert.equal(await storedSettings(), undefined);
  });
});

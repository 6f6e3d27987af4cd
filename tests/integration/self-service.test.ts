import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { unsubscribeToken } from '../../src/mail/notifications.js';
import { selfServiceToken } from '../../src/comments/self-service.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { DEMO_PATH, commentingApp, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * A commenter changing their mind: for 15 minutes after posting, the browser
 * that posted (signed cookie) or anyone holding the signed link may edit or
 * withdraw the comment, and every edit goes through the rules again.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

const nextIp = () => `198.51.100.${(ipCounter++ % 250) + 1}`;

const PENDING_NOTE = 'Your comment is awaiting moderation.';
const OWN_LINK = 'Edit or withdraw your comment';
const ADA = { author: 'Ada Reader', email: 'ada@example.org', url: 'https://ada.example.org/' };
const THREE_LINKS = 'Now with links: https://a.example/ https://b.example/ https://c.example/';

interface StoredRow {
  id: string;
  status: string;
  status_reasons: Array<{ code: string; text: string }>;
  body: string;
  author_name: string;
  author_email: string;
  author_url: string;
  approved_at: Date | null;
}

interface LogRow {
  comment_id: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
}

async function changeSettings(changes: Partial<DiscussionSettings>) {
  const current = await loadDiscussionSettings(database.db);
  await saveDiscussionSettings(database.db, { ...current, ...changes }, null);
}

async function storedRow(id: string): Promise<StoredRow> {
  const row = await database.db('comments').where({ id }).first<StoredRow | undefined>();
  assert.ok(row, `comment ${id} is stored`);
  return row;
}

async function logRows(id: string): Promise<LogRow[]> {
  const rows = await database.db('moderation_log').where({ comment_id: id }).orderBy('id');
  return rows.map((row: LogRow) => ({
    comment_id: String(row.comment_id),
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    action: row.action,
    from_status: row.from_status,
    to_status: row.to_status,
  }));
}

/** An approved comment by Ada already on the site, so her next one is published at once. */
async function makeAdaReturning() {
  await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, body: 'An earlier, approved comment.' });
}

/** Posts a comment from `browser` as a person would and returns its id. */
async function postComment(browser: Client, overrides: Record<string, string> = {}): Promise<string> {
  await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser);
  harness.advanceSeconds(5);
  const response = await postPairs(browser, typed(fields, { ...ADA, ...overrides }), { ip: nextIp() });
  assert.equal(response.status, 303);
  const match = /#comment-(\d+)$/.exec(response.headers.location ?? '');
  assert.ok(match, `Location ${response.headers.location}`);
  return match[1]!;
}

const editPath = (id: string, token?: string) => `/comments/${id}/edit${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

async function articlePage(browser: Client | null): Promise<Page> {
  const response = await (browser ?? request(harness.app)).get(DEMO_PATH);
  assert.equal(response.status, 200);
  return parsePage(response.text);
}

/** GETs the edit page and returns the fields its form would send. */
async function editForm(client: Client, id: string, token?: string): Promise<Record<string, string>> {
  const response = await client.get(editPath(id, token));
  assert.equal(response.status, 200, `GET ${editPath(id, token)} answered ${response.status}`);
  return formFields(parsePage(response.text), '#edit-form');
}

function sendEdit(client: Client, id: string, fields: Record<string, string>) {
  return postPairs(client, fields, { path: `/comments/${id}/edit`, ip: nextIp() });
}

/** Sends the withdrawal as its confirmation page does (a bare POST only asks). */
function sendWithdraw(client: Client, id: string, token?: string) {
  return postPairs(
    client,
    { ...(token === undefined ? {} : { token }), confirm: 'yes' },
    { path: `/comments/${id}/withdraw`, ip: nextIp() },
  );
}

describe('the commenter’s own comment on the article page', () => {
  it('carries an Edit or withdraw link for its author only, held or published', async () => {
    const browser = harness.browser();
    const held = await postComment(browser, { comment: 'Held for now.' });
    await makeAdaReturning();
    const published = await postComment(browser, { comment: 'Published at once.' });
    assert.equal((await storedRow(published)).status, 'approved');

    const own = await articlePage(browser);
    for (const id of [held, published]) {
      const link = own(`#div-comment-${id} .comment-own-actions a`);
      assert.equal(squash(link.text()), OWN_LINK, `comment ${id}`);
      assert.equal(link.attr('href'), `/comments/${id}/edit`);
    }
    assert.ok(squash(own(`#div-comment-${held}`).text()).includes(PENDING_NOTE));

    const stranger = await articlePage(harness.browser());
    assert.equal(stranger(`#comment-${held}`).length, 0);
    assert.equal(stranger(`#comment-${published}`).length, 1, 'the published comment is public');
    assert.ok(!squash(stranger('#comments').text()).includes(OWN_LINK), 'without the edit link');
  });
});

describe('GET /comments/:id/edit', () => {
  it('shows the comment as stored, for 15 minutes, then answers 403 and the link goes', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Words to revisit.' });
    const fields = await editForm(browser, id);
    assert.equal(fields.comment, 'Words to revisit.');
    assert.equal(fields.author, ADA.author);
    assert.equal(fields.email, ADA.email);
    assert.equal(fields.url, ADA.url);
    assert.equal(fields.token, '', 'the cookie is enough: no token is printed');

    harness.advanceSeconds(14 * 60);
    const late = await browser.get(editPath(id));
    assert.equal(late.status, 200, 'still open after 14 minutes');
    assert.equal(late.headers['cache-control'], 'no-store');
    assert.equal((await articlePage(browser))(`#div-comment-${id} .comment-own-actions`).length, 1);

    harness.advanceSeconds(2 * 60);
    const tooLate = await browser.get(editPath(id));
    assert.equal(tooLate.status, 403);
    assert.match(squash(parsePage(tooLate.text)('main').text()), /15 minutes/);
    assert.equal((await articlePage(browser))(`#div-comment-${id} .comment-own-actions`).length, 0, 'the link is gone');

    const edit = await sendEdit(browser, id, { ...fields, comment: 'Changed too late.' });
    assert.equal(edit.status, 403);
    assert.equal((await sendWithdraw(browser, id)).status, 403);
    const row = await storedRow(id);
    assert.equal(row.body, 'Words to revisit.');
    assert.equal(row.status, 'pending');
    assert.deepEqual(await logRows(id), []);
  });

  it('answers 404 while the article is not public, and opens again once it is', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'On an article about to go.' });
    await editForm(browser, id);
    for (const status of ['draft', 'trash'] as const) {
      await database.db('articles').where({ slug: DEMO_SLUG }).update({ status });
      assert.equal((await browser.get(editPath(id))).status, 404, status);
      const edit = await sendEdit(browser, id, {
        token: '',
        comment: 'Changed meanwhile.',
        author: ADA.author,
        email: ADA.email,
        url: ADA.url,
      });
      assert.equal(edit.status, 404, `${status}: no edit`);
      assert.equal((await sendWithdraw(browser, id)).status, 404, `${status}: no withdrawal`);
    }
    assert.equal((await storedRow(id)).body, 'On an article about to go.');
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ status: 'published' });
    assert.equal((await editForm(browser, id)).comment, 'On an article about to go.');
  });

  it('answers 403 to another browser, and to a forged cookie', async () => {
    const id = await postComment(harness.browser());
    assert.equal((await harness.browser().get(editPath(id))).status, 403);
    for (const cookie of [`broadsheet_pending=${id}`, `broadsheet_pending=${encodeURIComponent(`s:${id}.forged-signature`)}`]) {
      const forged = await request(harness.app).get(editPath(id)).set('Cookie', cookie);
      assert.equal(forged.status, 403, cookie);
    }
    assert.equal((await harness.browser().get('/comments/999999/edit')).status, 403, 'an unknown id says no more than that');
  });

  it('opens with the signed token in another browser, which may then edit and withdraw', async () => {
    const id = await postComment(harness.browser(), { comment: 'Posted on my laptop.' });
    const token = selfServiceToken(TEST_COOKIE_SECRET, id);
    const phone = harness.browser();
    const fields = await editForm(phone, id, token);
    assert.equal(fields.token, token, 'the form carries the token on');
    assert.equal(fields.comment, 'Posted on my laptop.');

    const edit = await sendEdit(phone, id, { ...fields, comment: 'Edited on my phone.' });
    assert.equal(edit.status, 303);
    assert.equal(edit.headers.location, `/comments/${id}/edit?done=saved&token=${encodeURIComponent(token)}`);
    assert.equal((await phone.get(edit.headers.location)).status, 200, 'the page it lands on opens with the token');
    assert.equal((await storedRow(id)).body, 'Edited on my phone.');

    const withdrawn = await sendWithdraw(phone, id, token);
    assert.equal(withdrawn.status, 303);
    assert.equal((await storedRow(id)).status, 'trash');
  });

  it('answers 403 to a forged or borrowed token', async () => {
    const id = await postComment(harness.browser(), { comment: 'Mine.' });
    const other = await postComment(harness.browser(), { comment: 'Someone else’s.', author: 'Bea', email: 'bea@example.org' });
    const real = selfServiceToken(TEST_COOKIE_SECRET, id);
    const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
    const forgedTokens = [
      selfServiceToken(TEST_COOKIE_SECRET, other),
      flipped,
      `${id}.`,
      id,
      selfServiceToken('another-secret-that-is-long-enough-4567', id),
      unsubscribeToken(TEST_COOKIE_SECRET, ADA.email),
    ];
    for (const token of forgedTokens) {
      const stranger = harness.browser();
      assert.equal((await stranger.get(editPath(id, token))).status, 403, `GET with ${token}`);
      assert.equal(
        (await sendEdit(stranger, id, { comment: 'Hijacked.', author: 'X', email: 'x@example.org', url: '', token })).status,
        403,
      );
      assert.equal((await sendWithdraw(stranger, id, token)).status, 403);
    }
    const row = await storedRow(id);
    assert.equal(row.body, 'Mine.');
    assert.equal(row.status, 'pending');
    assert.deepEqual(await logRows(id), []);
  });

  it('answers 403 to the signed token once the 15 minutes are over', async () => {
    const id = await postComment(harness.browser());
    const token = selfServiceToken(TEST_COOKIE_SECRET, id);
    harness.advanceSeconds(16 * 60);
    assert.equal((await harness.browser().get(editPath(id, token))).status, 403);
  });
});

describe('POST /comments/:id/edit runs every rule again', () => {
  it('holds a published comment again when the edit adds 3 links, and it leaves the public page', async () => {
    await makeAdaReturning();
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'A clean first version.' });
    assert.equal((await storedRow(id)).status, 'approved');
    assert.equal((await articlePage(null))(`#comment-${id}`).length, 1, 'public before the edit');

    const fields = await editForm(browser, id);
    const response = await sendEdit(browser, id, { ...fields, comment: THREE_LINKS });
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, `/comments/${id}/edit?done=saved`);

    const row = await storedRow(id);
    assert.equal(row.status, 'pending');
    assert.equal(row.body, THREE_LINKS);
    assert.deepEqual(row.status_reasons, [{ code: 'too_many_links', text: 'held: 3 links, limit 2' }]);

    const stranger = await articlePage(null);
    assert.equal(stranger(`#comment-${id}`).length, 0, 'gone from the public page');
    const own = await articlePage(browser);
    assert.ok(squash(own(`#div-comment-${id}`).text()).includes(PENDING_NOTE), 'its author sees it waiting');

    assert.deepEqual(await logRows(id), [
      {
        comment_id: id,
        actor_id: null,
        actor_name: 'Ada Reader (commenter)',
        action: 'edit',
        from_status: 'approved',
        to_status: 'pending',
      },
    ]);
  });

  it('clears approved_at when an edit or a withdrawal takes a comment out of approved, as moderation does', async () => {
    await makeAdaReturning();
    const browser = harness.browser();
    const edited = await postComment(browser, { comment: 'Clean.' });
    const withdrawn = await postComment(browser, { comment: 'Also clean.' });
    for (const id of [edited, withdrawn]) assert.ok((await storedRow(id)).approved_at instanceof Date);
    await sendEdit(browser, edited, { ...(await editForm(browser, edited)), comment: THREE_LINKS });
    await sendWithdraw(browser, withdrawn);
    assert.equal((await storedRow(edited)).status, 'pending');
    assert.equal((await storedRow(withdrawn)).status, 'trash');
    assert.equal((await storedRow(edited)).approved_at, null, 'the held comment is no longer approved');
    assert.equal((await storedRow(withdrawn)).approved_at, null, 'the withdrawn comment is no longer approved');
  });

  it('keeps a clean edit of a published comment published, showing the new words to everyone', async () => {
    await makeAdaReturning();
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Frist!' });
    assert.equal(squash((await articlePage(null))(`#comment-${id} .comment-content`).first().text()), 'Frist!');

    const fields = await editForm(browser, id);
    const response = await sendEdit(browser, id, { ...fields, comment: 'First!', url: '' });
    assert.equal(response.status, 303);
    const row = await storedRow(id);
    assert.equal(row.status, 'approved');
    assert.deepEqual(row.status_reasons, []);
    assert.equal(row.author_url, '');
    assert.equal(squash((await articlePage(null))(`#comment-${id} .comment-content`).first().text()), 'First!');
    assert.deepEqual(
      (await logRows(id)).map((log) => [log.action, log.from_status, log.to_status]),
      [['edit', 'approved', 'approved']],
    );
  });

  it('applies the moderation and disallowed words as they are set now', async () => {
    await makeAdaReturning();
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Nothing to see.' });
    await changeSettings({ moderationWords: ['Bargain'], disallowedWords: ['casino'] });

    await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'A BARGAIN, really.' });
    let row = await storedRow(id);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [{ code: 'moderation_word', text: 'held: moderation word "Bargain" in text' }]);

    await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'Clean again.', url: 'https://casino.example/' });
    row = await storedRow(id);
    assert.equal(row.status, 'spam');
    assert.deepEqual(row.status_reasons, [{ code: 'disallowed_word', text: 'spam: disallowed word "casino" in website' }]);
    assert.deepEqual(
      (await logRows(id)).map((log) => [log.action, log.from_status, log.to_status]),
      [
        ['edit', 'approved', 'pending'],
        ['edit', 'pending', 'spam'],
      ],
    );
  });

  it('cannot talk a bot trap’s catch out of spam', async () => {
    await makeAdaReturning();
    const bot = harness.browser();
    const id = await postComment(bot, { comment_subject: 'filled by a bot' });
    assert.equal((await storedRow(id)).status, 'spam');
    const response = await sendEdit(bot, id, { ...(await editForm(bot, id)), comment: 'Innocent now.' });
    assert.equal(response.status, 303);
    const row = await storedRow(id);
    assert.equal(row.status, 'spam');
    assert.equal(row.status_reasons[0]?.code, 'honeypot');
    assert.equal((await articlePage(null))(`#comment-${id}`).length, 0);
  });

  it('answers an invalid edit with 422, every value kept, nothing changed', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Original words.' });
    const token = selfServiceToken(TEST_COOKIE_SECRET, id);
    for (const client of [browser, harness.browser()]) {
      const fields = await editForm(client, id, client === browser ? undefined : token);
      const sent: Record<string, string> = {
        ...fields,
        comment: '   ',
        email: 'not-an-email',
        url: 'javascript:alert(1)',
        author: 'Ada Changed',
      };
      const response = await sendEdit(client, id, sent);
      assert.equal(response.status, 422);
      const page = parsePage(response.text);
      const kept = formFields(page, '#edit-form');
      for (const field of ['comment', 'author', 'email', 'url', 'token']) assert.equal(kept[field], sent[field], `${field} kept`);
      assert.match(textAt(page, '#comment-error'), /Type your comment/);
      assert.match(textAt(page, '#email-error'), /correct format/);
      assert.match(textAt(page, '#url-error'), /http/);
      assert.equal(page('.error-summary li').length, 3);
    }
    const row = await storedRow(id);
    assert.equal(row.body, 'Original words.');
    assert.equal(row.author_name, ADA.author);
    assert.equal(row.status, 'pending');
    assert.deepEqual(await logRows(id), []);
  });
});

describe('POST /comments/:id/withdraw', () => {
  for (const returning of [false, true]) {
    it(`moves ${returning ? 'a published' : 'a held'} comment to the trash, out of every page, and logs it`, async () => {
      if (returning) await makeAdaReturning();
      const browser = harness.browser();
      const id = await postComment(browser, { comment: 'I take it back.' });
      const before = (await storedRow(id)).status;
      assert.equal(before, returning ? 'approved' : 'pending');

      const response = await sendWithdraw(browser, id);
      assert.equal(response.status, 303);
      assert.equal(response.headers.location, `/comments/${id}/edit?done=withdrawn`);
      const row = await storedRow(id);
      assert.equal(row.status, 'trash');
      assert.deepEqual(row.status_reasons, [{ code: 'withdrawn', text: 'withdrawn by its author' }]);

      assert.equal((await articlePage(browser))(`#comment-${id}`).length, 0, 'gone for its author');
      assert.equal((await articlePage(null))(`#comment-${id}`).length, 0, 'gone for everyone');
      assert.equal((await browser.get(editPath(id))).status, 410, 'a withdrawn comment cannot be edited; its link says it was withdrawn');
      assert.deepEqual(await logRows(id), [
        { comment_id: id, actor_id: null, actor_name: 'Ada Reader (commenter)', action: 'status', from_status: before, to_status: 'trash' },
      ]);
    });
  }

  it('refuses a withdrawal sent from another site', async () => {
    const browser = harness.browser();
    const id = await postComment(browser);
    const response = await postPairs(browser, {}, { path: `/comments/${id}/withdraw`, origin: 'https://evil.example' });
    assert.equal(response.status, 403);
    assert.equal((await storedRow(id)).status, 'pending');
  });
});

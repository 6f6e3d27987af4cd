import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { PENDING_COOKIE } from '../../src/comments/commenter-cookies.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { signInAdmin } from '../helpers/admin.js';
import { untilListening } from '../helpers/app.js';
import { commentingApp, DEMO_PATH, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { queriesDuring, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * A commenter's own article page (their held comment, their prefilled form)
 * is theirs alone: rendered for each of their requests, never cached, never
 * given to anyone else.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

before(() => untilListening(database.db));
beforeEach(() => {
  harness = commentingApp(database.db);
});

const PENDING_NOTE = 'Your comment is awaiting moderation.';
const OWN_LINK = 'Edit or withdraw your comment';
const ADA = { author: 'Ada Reader', email: 'ada@example.org', url: 'https://ada.example.org/' };

/** Posts a comment from `browser` as a person would (held: Ada is new here) and returns its id. */
async function postComment(browser: Client, overrides: Record<string, string> = {}): Promise<string> {
  await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser);
  harness.advanceSeconds(5);
  const response = await postPairs(browser, typed(fields, { ...ADA, ...overrides }), { ip: `198.51.100.${(ipCounter++ % 250) + 1}` });
  assert.equal(response.status, 303);
  const match = /#comment-(\d+)$/.exec(response.headers.location ?? '');
  assert.ok(match, `Location ${response.headers.location}`);
  return match[1]!;
}

async function view(client: Client | request.Agent, path = DEMO_PATH) {
  const response = await (client as Client).get(path);
  assert.equal(response.status, 200);
  return { response, page: parsePage(response.text), text: response.text };
}

/** The page's text with its per-response values taken out, so two responses can be compared. */
function withoutFormTokens(html: string): string {
  const fields = formFields(parsePage(html));
  return html.replace(fields.submission_id!, '').replace(fields.rendered_at!, '');
}

async function changeSettings(changes: Partial<DiscussionSettings>) {
  const current = await loadDiscussionSettings(database.db);
  await saveDiscussionSettings(database.db, { ...current, ...changes }, null);
}

describe('a commenter’s own page', () => {
  it('shows their held comment and prefilled form, with fresh form values each time, private and uncached', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Held for now.', remember: 'yes' });
    const first = await view(browser);
    assert.ok(squash(first.page(`#div-comment-${id}`).text()).includes(PENDING_NOTE));
    const second = await view(browser);
    assert.equal(withoutFormTokens(second.text), withoutFormTokens(first.text));
    const [a, b] = [formFields(first.page), formFields(second.page)];
    assert.notEqual(a.submission_id, b.submission_id, 'every response carries a fresh submission id');
    assert.equal(b.author, ADA.author, 'prefilled as rendered');
    for (const response of [first.response, second.response]) {
      assert.equal(response.headers['cache-control'], 'private, no-cache');
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['x-page-cache'], undefined);
      assert.equal(response.headers.etag, undefined);
      assert.equal(response.headers['content-encoding'], undefined);
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    }
  });

  it('is prefilled from remembered name and email alone', async () => {
    const cookie = 'comment_author=Grace; comment_author_email=grace%40example.org; comment_author_url=';
    const page = await request(harness.app).get(DEMO_PATH).set('Cookie', cookie).expect(200);
    assert.equal(page.headers['cache-control'], 'private, no-cache');
    assert.equal(formFields(parsePage(page.text)).email, 'grace@example.org');
  });

  it('is never given to another visitor', async () => {
    const ada = harness.browser();
    const held = await postComment(ada, { comment: 'Ada’s held words.' });
    await view(ada);
    const grace = harness.browser();
    const graces = await postComment(grace, { author: 'Grace', email: 'grace@example.org', comment: 'Grace’s held words.' });

    const seenBy = async (client: Client) => (await view(client)).text;
    const gracePage = await seenBy(grace);
    assert.match(gracePage, /Grace’s held words\./);
    assert.doesNotMatch(gracePage, /Ada’s held words\./);
    const adaPage = await seenBy(ada);
    assert.match(adaPage, /Ada’s held words\./);
    assert.doesNotMatch(adaPage, /Grace’s held words\./);

    // Ada's name and email without her signed cookie, or with a forged one.
    const remembered =
      'comment_author=Ada%20Reader; comment_author_email=ada%40example.org; comment_author_url=https%3A%2F%2Fada.example.org%2F';
    for (const cookie of [remembered, `${remembered}; ${PENDING_COOKIE}=${held}`, `${remembered}; ${PENDING_COOKIE}=s%3A${held}.forged`]) {
      const other = await request(harness.app).get(DEMO_PATH).set('Cookie', cookie).expect(200);
      assert.doesNotMatch(other.text, /Ada’s held words\./, cookie);
      assert.doesNotMatch(other.text, /Grace’s held words\./, cookie);
    }
    const anonymous = await request(harness.app).get(DEMO_PATH).expect(200);
    assert.doesNotMatch(anonymous.text, new RegExp(`comment-(${held}|${graces})"`));
  });

  it('shows a reply form for ?replytocom, whatever other query parameters say', async () => {
    const browser = harness.browser();
    const replyTo = await insertComment(database.db, { body: 'Reply to me.' });
    await postComment(browser);
    assert.equal(formFields((await view(browser, `${DEMO_PATH}?utm_source=newsletter`)).page).parent_id, '');
    const replying = await view(browser, `${DEMO_PATH}?replytocom=${replyTo}`);
    assert.equal(formFields(replying.page).parent_id, replyTo);
    const again = await view(browser, `${DEMO_PATH}?replytocom=${replyTo}&fbclid=x`);
    assert.equal(formFields(again.page).parent_id, replyTo);
  });
});

describe('a commenter’s page shows every change on their very next request', () => {
  it('a moderator trashing or approving their held comment', async () => {
    const browser = harness.browser();
    const admin = await signInAdmin(harness.app, database.db);
    const id = await postComment(browser, { comment: 'Moderate me.' });
    const note = async () => squash((await view(browser)).page(`#div-comment-${id}`).text());
    await view(browser);
    assert.ok((await note()).includes(PENDING_NOTE), 'held');

    await admin.post(`/admin/comments/${id}/status`, { status: 'trash' }).expect(303);
    assert.equal(await note(), '', 'trashed: gone');
    await view(browser);

    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
    const approved = await note();
    assert.match(approved, /Moderate me\./);
    assert.ok(!approved.includes(PENDING_NOTE), 'published: no longer awaiting moderation');
  });

  it('their own edit', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'As first written.' });
    await view(browser);
    const edit = await browser.get(`/comments/${id}/edit`).expect(200);
    const fields = formFields(parsePage(edit.text), '#edit-form');
    await postPairs(browser, { ...fields, comment: 'As rewritten by its author.' }, { path: `/comments/${id}/edit` }).expect(303);
    const after = await view(browser);
    assert.match(after.text, /As rewritten by its author\./);
    assert.doesNotMatch(after.text, /As first written\./);
  });

  it('an approval of someone else’s comment', async () => {
    const browser = harness.browser();
    const admin = await signInAdmin(harness.app, database.db);
    await postComment(browser);
    const other = await insertComment(database.db, { status: 'pending', body: 'Someone else, approved later.' });
    assert.doesNotMatch((await view(browser)).text, /Someone else, approved later\./);
    await view(browser);
    await admin.post(`/admin/comments/${other}/status`, { status: 'approved' }).expect(303);
    assert.match((await view(browser)).text, /Someone else, approved later\./);
  });

  it('a settings change', async () => {
    const browser = harness.browser();
    await postComment(browser);
    assert.match((await view(browser)).text, /\/avatars\//);
    await view(browser);
    await changeSettings({ showAvatars: false });
    assert.doesNotMatch((await view(browser)).text, /\/avatars\//);
  });

  it('the end of their edit window takes the edit link away', async () => {
    const browser = harness.browser();
    const id = await postComment(browser);
    const link = async () => squash((await view(browser)).page(`#div-comment-${id} .comment-own-actions`).text());
    assert.equal(await link(), OWN_LINK);
    harness.advanceSeconds(14 * 60);
    assert.equal(await link(), OWN_LINK, 'still within the window');
    harness.advanceSeconds(61);
    assert.equal(await link(), '', 'the window has closed');
  });
});

describe('a long discussion in comment pages', () => {
  it('is cut into pages from an outline: only the comments on the page shown are read in full', async () => {
    await changeSettings({ paginateComments: true, commentsPerPage: 3 });
    const ids: string[] = [];
    for (let index = 0; index < 12; index++) ids.push(await insertComment(database.db, { body: `Thread ${index + 1}.` }));
    let page!: Awaited<ReturnType<typeof view>>;
    const queries = await queriesDuring(database.db, async () => {
      page = await view(request(harness.app), `${DEMO_PATH}/comment-page-2/?fresh=1`);
    });
    assert.deepEqual(
      page
        .page('.comment-list > li')
        .map((_index, item) => page.page(item).attr('id'))
        .get(),
      ids.slice(3, 6).map((id) => `comment-${id}`),
    );
    assert.match(page.text, /Thread 4\.[\s\S]*Thread 6\./);
    const fullReads = queries.filter((sql) => /from "comments"/.test(sql) && /"body"/.test(sql));
    assert.equal(fullReads.length, 1);
    assert.match(fullReads[0]!, /"id" in \(\$2, \$3, \$4\)/, 'the text of three comments only');
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { signInAdmin } from '../helpers/admin.js';
import { commentingApp, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * Issue 15, points 2, 3 and 14 (edits): a commenter's edit never undoes a
 * moderator's decision or words, never unpublishes a clean comment, never
 * lands over a change it did not see; it says what happened, keeps the text
 * when it cannot be saved, and is rate- and size-limited.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

const nextIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;
const ADA = { author: 'Ada Reader', email: 'ada@example.org', url: 'https://ada.example.org/' };
const MODERATED = /A moderator has reviewed this comment/;

interface Row {
  id: string;
  status: string;
  body: string;
  author_name: string;
  version: number;
  status_reasons: Array<{ code: string; text: string }>;
}

const storedRow = async (id: string) => (await database.db('comments').where({ id }).first()) as Row;
const logRows = async (id: string) =>
  (await database.db('moderation_log').where({ comment_id: id }).orderBy('id')).map((row: Record<string, unknown>) => ({
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    action: row.action,
    from_status: row.from_status,
    to_status: row.to_status,
  }));

async function postComment(browser: Client, overrides: Record<string, string> = {}): Promise<string> {
  await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser);
  harness.advanceSeconds(5);
  const response = await postPairs(browser, typed(fields, { ...ADA, ...overrides }), { ip: nextIp() });
  assert.equal(response.status, 303);
  return /#comment-(\d+)$/.exec(response.headers.location ?? '')![1]!;
}

/** Ada with an earlier approved comment, so her next one is published at once. */
async function publishedComment(browser: Client, text = 'A clean first version.') {
  const earlier = await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, body: 'An earlier comment.' });
  const id = await postComment(browser, { comment: text });
  assert.equal((await storedRow(id)).status, 'approved');
  return { id, earlier };
}

async function editForm(client: Client, id: string): Promise<Record<string, string>> {
  const response = await client.get(`/comments/${id}/edit`);
  assert.equal(response.status, 200, `GET edit answered ${response.status}`);
  return formFields(parsePage(response.text), '#edit-form');
}

const sendEdit = (client: Client, id: string, fields: Record<string, string>, ip = nextIp()) =>
  postPairs(client, fields, { path: `/comments/${id}/edit`, ip });

/** The text a page keeps for the commenter, in the form or in the read-only copy. */
const keptText = (page: Page) => page('textarea[name="comment"], textarea#kept-comment').first().text();

async function moderate(id: string, status: string) {
  const admin = await signInAdmin(harness.app, database.db, `mod${ipCounter++}`);
  await admin.post(`/admin/comments/${id}/status`, { status }).expect(303);
}

describe('a commenter’s edit and the comment’s status', () => {
  it('keeps an approved comment approved when its only approved comment is itself (and the name is corrected)', async () => {
    const browser = harness.browser();
    const { id, earlier } = await publishedComment(browser, 'Frist!');
    await database.db('comments').where({ id: earlier }).delete();
    const response = await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'First!', author: 'Ada Reader-Smith' });
    assert.equal(response.status, 303);
    const row = await storedRow(id);
    assert.equal(row.status, 'approved');
    assert.equal(row.body, 'First!');
    assert.deepEqual(row.status_reasons, []);
  });

  it('holds it again only for what the edit newly adds, not for words it already had', async () => {
    const browser = harness.browser();
    const { id } = await publishedComment(browser, 'A bargain at twice the price.');
    await saveDiscussionSettings(
      database.db,
      { ...(await loadDiscussionSettings(database.db)), moderationWords: ['bargain', 'casino'] },
      null,
    );

    await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'A bargain at twice the price, I said.' });
    assert.equal((await storedRow(id)).status, 'approved', 'the word was there when it was published');

    await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'A bargain at the casino.' });
    const row = await storedRow(id);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [{ code: 'moderation_word', text: 'held: moderation word "casino" in text' }]);
    assert.deepEqual(
      (await logRows(id)).map((log) => [log.actor_id, log.actor_name, log.action, log.from_status, log.to_status]),
      [
        [null, 'Ada Reader (commenter)', 'edit', 'approved', 'approved'],
        [null, 'Ada Reader (commenter)', 'edit', 'approved', 'pending'],
      ],
    );
  });

  for (const [moved, status] of [
    ['unapproved', 'pending'],
    ['approved', 'approved'],
    ['marked as spam', 'spam'],
  ] as const) {
    it(`stops once a moderator has ${moved} it: the page says so, and a save changes nothing`, async () => {
      const browser = harness.browser();
      const id = status === 'approved' ? await postComment(browser, { comment: 'Held first.' }) : (await publishedComment(browser)).id;
      const fields = await editForm(browser, id);
      await moderate(id, status);
      const before = await storedRow(id);

      const page = await browser.get(`/comments/${id}/edit`);
      assert.equal(page.status, 403);
      assert.match(textAt(parsePage(page.text), 'main'), MODERATED);
      assert.equal(parsePage(page.text)('#edit-form button[type="submit"]').length, 0, 'no save button');

      const response = await sendEdit(browser, id, { ...fields, comment: 'Republish me, please.' });
      assert.equal(response.status, 409);
      const refused = parsePage(response.text);
      assert.match(textAt(refused, 'main'), MODERATED);
      assert.equal(keptText(refused).trim(), 'Republish me, please.', 'the typed text is kept');
      const after = await storedRow(id);
      assert.equal(after.status, status);
      assert.equal(after.body, before.body);
      assert.equal((await database.db('moderation_log').where({ comment_id: id, action: 'edit' })).length, 0);
    });
  }

  it('never writes over a moderator’s edit of the words', async () => {
    const browser = harness.browser();
    const { id } = await publishedComment(browser, 'My phone number is 555-0100.');
    const fields = await editForm(browser, id);
    const admin = await signInAdmin(harness.app, database.db, 'editor');
    await admin
      .post(`/admin/comments/${id}/edit`, { comment: 'My phone number is [redacted].', author: ADA.author, email: ADA.email, url: ADA.url })
      .expect(303);
    assert.match(textAt(parsePage((await browser.get(`/comments/${id}/edit`)).text), 'main'), MODERATED);
    const response = await sendEdit(browser, id, { ...fields, comment: 'My phone number is 555-0100.' });
    assert.equal(response.status, 409);
    const row = await storedRow(id);
    assert.equal(row.body, 'My phone number is [redacted].');
    assert.equal(row.status, 'approved');
  });

  it('refuses an edit from a form older than the comment’s last change, keeping the text', async () => {
    const browser = harness.browser();
    const { id } = await publishedComment(browser);
    const firstTab = await editForm(browser, id);
    const secondTab = await editForm(browser, id);
    assert.equal((await sendEdit(browser, id, { ...firstTab, comment: 'From the first tab.' })).status, 303);
    const stale = await sendEdit(browser, id, { ...secondTab, comment: 'From the second tab.' });
    assert.equal(stale.status, 409);
    const page = parsePage(stale.text);
    assert.match(textAt(page, 'main'), /changed since you opened it/);
    assert.equal(formFields(page, '#edit-form').comment, 'From the second tab.');
    assert.equal((await storedRow(id)).body, 'From the first tab.');
    // The refused form carries the current version, so saving it again works.
    assert.equal((await sendEdit(browser, id, formFields(page, '#edit-form'))).status, 303);
    assert.equal((await storedRow(id)).body, 'From the second tab.');
  });

  it('refuses an edit when another instance marks it spam between the edit’s read and its write', async () => {
    const browser = harness.browser();
    const { id } = await publishedComment(browser, 'Buy my thing.');
    const fields = await editForm(browser, id);
    const otherInstance = await database.db.transaction();
    try {
      await otherInstance('comments').where({ id }).forUpdate().first();
      const editing = sendEdit(browser, id, { ...fields, comment: 'Totally innocent now.' }).then((response) => response);
      await untilSomeoneWaitsForALock();
      await otherInstance('comments')
        .where({ id })
        .update({ status: 'spam', approved_at: null, moderated_at: new Date(), updated_at: new Date() });
      await otherInstance('moderation_log').insert({
        comment_id: id,
        actor_name: 'other',
        action: 'status',
        from_status: 'approved',
        to_status: 'spam',
      });
      await otherInstance.commit();
      const response = await editing;
      assert.equal(response.status, 409);
      const page = parsePage(response.text);
      assert.match(textAt(page, 'main'), MODERATED);
      assert.equal(keptText(page).trim(), 'Totally innocent now.');
    } finally {
      if (!otherInstance.isCompleted()) await otherInstance.rollback();
    }
    const row = await storedRow(id);
    assert.equal(row.status, 'spam');
    assert.equal(row.body, 'Buy my thing.');
    assert.equal((await database.db('moderation_log').where({ comment_id: id, action: 'edit' })).length, 0);
  });
});

/** Polls (a bounded number of times) until some session of this database is waiting for a row lock. */
async function untilSomeoneWaitsForALock() {
  for (let attempt = 0; attempt < 400; attempt++) {
    const [row] = await database.db
      .raw<{ rows: Array<{ waiting: string }> }>(
        `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      .then((result) => result.rows);
    if (Number(row?.waiting) > 0) return;
    await sleep(10);
  }
  assert.fail('the edit never reached its write');
}

describe('the edit window, saving and withdrawing say what happened', () => {
  it('keeps the text and says why when a save comes after the 15 minutes', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Typed slowly.' });
    const fields = await editForm(browser, id);
    harness.advanceSeconds(16 * 60);
    const response = await sendEdit(browser, id, { ...fields, comment: 'A long, careful rewrite.' });
    assert.equal(response.status, 403);
    const page = parsePage(response.text);
    assert.match(textAt(page, 'main'), /15 minutes/);
    assert.equal(keptText(page).trim(), 'A long, careful rewrite.');
    assert.equal((await storedRow(id)).body, 'Typed slowly.');
  });

  it('lands a saved edit on a page that says it was saved, and where the comment stands', async () => {
    const browser = harness.browser();
    const { id } = await publishedComment(browser);
    const response = await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'Better words.' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, `/comments/${id}/edit?done=saved`);
    const landed = parsePage((await browser.get(response.headers.location)).text);
    assert.match(textAt(landed, '.notice'), /Your changes are saved.*published/);
    assert.equal(landed('.notice a').attr('href'), `/articles/${DEMO_SLUG}#comment-${id}`);

    const three = 'Links: https://a.example/ https://b.example/ https://c.example/';
    const held = await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: three });
    const heldPage = parsePage((await browser.get(held.headers.location!)).text);
    assert.match(textAt(heldPage, '.notice'), /awaiting moderation/);
  });

  it('asks before withdrawing, then says it was withdrawn, also at the old link', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Second thoughts.' });
    const edit = parsePage((await browser.get(`/comments/${id}/edit`)).text);
    const withdrawHref = edit('a.withdraw-link').attr('href');
    assert.equal(withdrawHref, `/comments/${id}/withdraw`);

    const confirm = await browser.get(withdrawHref);
    assert.equal(confirm.status, 200);
    const confirmPage = parsePage(confirm.text);
    assert.match(textAt(confirmPage, 'h1'), /Withdraw your comment\?/);
    assert.equal((await storedRow(id)).status, 'pending', 'asking changes nothing');

    const unconfirmed = await postPairs(browser, {}, { path: `/comments/${id}/withdraw`, ip: nextIp() });
    assert.equal(unconfirmed.status, 200, 'a bare POST only asks');
    assert.equal((await storedRow(id)).status, 'pending');

    const done = await postPairs(browser, formFields(confirmPage, '#withdraw-form'), { path: `/comments/${id}/withdraw`, ip: nextIp() });
    assert.equal(done.status, 303);
    assert.equal(done.headers.location, `/comments/${id}/edit?done=withdrawn`);
    assert.equal((await storedRow(id)).status, 'trash');
    const landed = await browser.get(done.headers.location);
    assert.equal(landed.status, 200);
    assert.equal(textAt(parsePage(landed.text), 'h1'), 'Comment withdrawn');
    assert.match(textAt(parsePage(landed.text), '.notice'), /You withdrew this comment/);

    const oldLink = await browser.get(`/comments/${id}/edit`);
    assert.equal(oldLink.status, 410);
    assert.match(textAt(parsePage(oldLink.text), 'main'), /You withdrew this comment/);
    assert.equal((await harness.browser().get(`/comments/${id}/edit`)).status, 403, 'a stranger learns nothing');
  });
});

describe('edits are rate- and size-limited', () => {
  it('answers the sixth edit of one comment within a minute with 429, Retry-After and the text kept', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Version 0.' });
    for (let n = 1; n <= 5; n++) {
      assert.equal((await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: `Version ${n}.` })).status, 303, `edit ${n}`);
    }
    const sixth = await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'Version 6.' });
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.headers['retry-after']) >= 1);
    assert.equal(formFields(parsePage(sixth.text), '#edit-form').comment, 'Version 6.');
    assert.match(squash(parsePage(sixth.text)('.error-summary').text()), /too quickly/);
    assert.equal((await storedRow(id)).body, 'Version 5.');

    harness.advanceSeconds(61);
    assert.equal((await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: 'Version 6.' })).status, 303);
  });

  it('limits edits from one address across comments', async () => {
    const browser = harness.browser();
    const ids = [];
    for (let n = 0; n < 4; n++) ids.push(await postComment(browser, { comment: `Comment ${n}.` }));
    await database.db('rate_limits').delete();
    const statuses = [];
    for (const [n, id] of [...ids, ...ids, ...ids].entries()) {
      statuses.push((await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: `Edit ${n}.` }, '192.0.2.77')).status);
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(303), 429, 429], 'ten a minute from one address, three per comment');
  });

  it('answers an edit over 65,525 characters with 422 and the text kept, nothing changed', async () => {
    const browser = harness.browser();
    const id = await postComment(browser, { comment: 'Short.' });
    const long = 'İ'.repeat(65526);
    const response = await sendEdit(browser, id, { ...(await editForm(browser, id)), comment: long });
    assert.equal(response.status, 422);
    assert.equal(formFields(parsePage(response.text), '#edit-form').comment, long);
    assert.equal((await storedRow(id)).body, 'Short.');
  });
});

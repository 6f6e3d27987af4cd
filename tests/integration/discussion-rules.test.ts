import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { signValue, stampForm } from '../../src/platform/signed-tokens.js';
import { TEST_COOKIE_SECRET } from '../helpers/app.js';
import { DEMO_PATH, commentingApp, cookiesSet, loadForm, postPairs, typed, type Client, type PostOptions } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { commentCount, insertArticle, insertComment } from '../helpers/rows.js';

/**
 * The discussion rules as a commenter meets them through HTTP: every setting,
 * the bot traps, the flood interval, duplicates and replies, each asserted on
 * the answer and on the stored status and reasons.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

const nextIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;

const PENDING_NOTE = 'Your comment is awaiting moderation.';
const DUPLICATE = 'Duplicate comment detected; it looks as though you’ve already said that!';
const FIRST_TIME = { code: 'first_time_commenter', text: 'held: no earlier approved comment from this name and email' };
const MANUAL = { code: 'manual_approval', text: 'held: manual approval required' };
const STAMP_MISSING = { code: 'too_fast', text: 'held: the form’s time stamp was missing or altered' };
const ADA = { author: 'Ada Reader', email: 'ada@example.org' };

interface Reason {
  code: string;
  text: string;
}

interface StoredRow {
  id: string;
  status: string;
  status_reasons: Reason[];
  approved_at: Date | null;
  author_name: string;
  author_email: string;
  parent_id: string | null;
}

interface SubmitOptions extends PostOptions {
  /** The page the form is loaded from (the demo article unless told). */
  pagePath?: string;
  /** How long the "person" takes to write; 5 s unless told. */
  waitSeconds?: number;
  /** Keep earlier posts' flood records (by default each post starts with none). */
  keepFloodRecords?: boolean;
}

/** Changes some settings, as the settings page would, keeping the rest. */
async function changeSettings(changes: Partial<DiscussionSettings>) {
  const current = await loadDiscussionSettings(database.db);
  await saveDiscussionSettings(database.db, { ...current, ...changes }, null);
}

/** Loads the form in `browser`, waits as a person would, then posts it with `overrides` typed in. */
async function submit(browser: Client, overrides: Record<string, string | undefined> = {}, options: SubmitOptions = {}) {
  const { pagePath, waitSeconds = 5, keepFloodRecords = false, ...postOptions } = options;
  // Most tests are about the rules, not the interval between one commenter's posts.
  if (!keepFloodRecords) await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser, pagePath);
  harness.advanceSeconds(waitSeconds);
  const sent = typed(fields, overrides);
  const response = await postPairs(browser, sent, { ip: nextIp(), ...postOptions });
  return { sent, response };
}

function idFromLocation(location: string | undefined, slug = DEMO_SLUG): string {
  const match = new RegExp(`^/articles/${slug}#comment-(\\d+)$`).exec(location ?? '');
  assert.ok(match, `Location ${location} points at a comment on /articles/${slug}`);
  return match[1]!;
}

async function storedRow(id: string): Promise<StoredRow> {
  const row = await database.db('comments').where({ id }).first<StoredRow | undefined>();
  assert.ok(row, `comment ${id} is stored`);
  return { ...row, id: String(row.id) };
}

/** Posts a comment that must be accepted (303) and returns the stored row. */
async function postAccepted(browser: Client, overrides: Record<string, string | undefined> = {}, options: SubmitOptions = {}) {
  const { response } = await submit(browser, overrides, options);
  assert.equal(response.status, 303, `accepted (got ${response.status})`);
  return storedRow(idFromLocation(response.headers.location));
}

/** An approved comment by Ada already on the site, so she is a returning commenter. */
async function makeAdaReturning() {
  await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, body: 'An earlier, approved comment.' });
}

async function pageFor(browser: Client | null, path = DEMO_PATH): Promise<{ page: Page; html: string }> {
  const response = await (browser ?? request(harness.app)).get(path);
  assert.equal(response.status, 200);
  return { page: parsePage(response.text), html: response.text };
}

const mailCount = async () => Number((await database.db('mail_outbox').count<{ count: string }>({ count: '*' }).first())?.count ?? 0);

describe('discussion rules with the default settings', () => {
  it('holds a first-time commenter, saying why, and shows the comment to them alone', async () => {
    const browser = harness.browser();
    const row = await postAccepted(browser, ADA);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME]);
    assert.equal(row.approved_at, null);

    const own = (await pageFor(browser)).page(`#comment-${row.id}`);
    assert.equal(own.length, 1);
    assert.ok(squash(own.text()).includes(PENDING_NOTE));
    assert.equal((await pageFor(null)).page(`#comment-${row.id}`).length, 0);
  });

  it('publishes at once the next comment of a name and email with an approved comment', async () => {
    const first = await postAccepted(harness.browser(), { ...ADA, comment: 'My first words here.' });
    assert.equal(first.status, 'pending');
    await database.db('comments').where({ id: first.id }).update({ status: 'approved', approved_at: new Date() });

    const before = Date.now();
    const second = await postAccepted(harness.browser(), { author: ADA.author, email: 'ADA@Example.org', comment: 'And my second.' });
    assert.equal(second.status, 'approved');
    assert.deepEqual(second.status_reasons, []);
    assert.ok(second.approved_at instanceof Date, 'approved_at is set');
    assert.ok(Math.abs(second.approved_at.getTime() - before) < 10 * 60 * 1000, `approved_at ${second.approved_at.toISOString()} is now`);

    const { page, html } = await pageFor(null);
    const shown = page(`#comment-${second.id}`);
    assert.equal(shown.length, 1, 'everyone sees it');
    assert.equal(squash(shown.find('.comment-content').text()), 'And my second.');
    assert.ok(!html.includes(PENDING_NOTE));
    assert.equal(await mailCount(), 1, 'only the first (held) comment mailed the moderator');
  });

  it('still holds the same email under another name, and the same name under another email', async () => {
    await makeAdaReturning();
    const otherName = await postAccepted(harness.browser(), { author: 'A. Reader', email: ADA.email, comment: 'Another name.' });
    assert.equal(otherName.status, 'pending');
    assert.deepEqual(otherName.status_reasons, [FIRST_TIME]);
    const otherEmail = await postAccepted(harness.browser(), {
      author: ADA.author,
      email: 'ada@elsewhere.example',
      comment: 'Another email.',
    });
    assert.equal(otherEmail.status, 'pending');
    assert.deepEqual(otherEmail.status_reasons, [FIRST_TIME]);
  });

  it('does not count a spam or trashed comment as an earlier approved one', async () => {
    await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, status: 'spam' });
    await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, status: 'trash', body: 'Binned.' });
    const row = await postAccepted(harness.browser(), ADA);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME]);
  });

  it('publishes a first-time commenter at once when the previously-approved option is off', async () => {
    await changeSettings({ autoApprovePreviouslyApproved: false });
    const row = await postAccepted(harness.browser(), ADA);
    assert.equal(row.status, 'approved');
    assert.deepEqual(row.status_reasons, []);
  });
});

describe('discussion settings take effect on the next request', () => {
  it('holdEveryComment holds even a returning commenter, on every app instance, and lets go when turned off', async () => {
    await makeAdaReturning();
    const other = commentingApp(database.db);
    assert.equal((await postAccepted(harness.browser(), { ...ADA, comment: 'Before.' })).status, 'approved');

    await changeSettings({ holdEveryComment: true });
    const held = await postAccepted(harness.browser(), { ...ADA, comment: 'During.' });
    assert.equal(held.status, 'pending');
    assert.deepEqual(held.status_reasons, [MANUAL]);
    const browser = other.browser();
    const { fields } = await loadForm(browser);
    other.advanceSeconds(5);
    await database.db('rate_limits').delete();
    const onOther = await postPairs(browser, typed(fields, { ...ADA, comment: 'During, elsewhere.' }), { ip: nextIp() });
    assert.equal(onOther.status, 303);
    const otherRow = await storedRow(idFromLocation(onOther.headers.location));
    assert.equal(otherRow.status, 'pending');
    assert.deepEqual(otherRow.status_reasons, [MANUAL]);

    await changeSettings({ holdEveryComment: false });
    assert.equal((await postAccepted(harness.browser(), { ...ADA, comment: 'After.' })).status, 'approved');
  });

  it('holdAtLinkCount holds a comment with that many links or more, and 0 turns the check off', async () => {
    await makeAdaReturning();
    const threeLinks = 'See https://a.example/, http://b.example/ and <a href="//c.example/">this</a>.';
    const held = await postAccepted(harness.browser(), { ...ADA, comment: threeLinks });
    assert.equal(held.status, 'pending');
    assert.deepEqual(held.status_reasons, [{ code: 'too_many_links', text: 'held: 3 links, limit 2' }]);

    const oneLink = await postAccepted(harness.browser(), { ...ADA, comment: 'Only https://a.example/ here.' });
    assert.equal(oneLink.status, 'approved', 'one link is under the limit');

    await changeSettings({ holdAtLinkCount: 4 });
    const underFour = await postAccepted(harness.browser(), { ...ADA, comment: `${threeLinks} Again.` });
    assert.equal(underFour.status, 'approved');

    await changeSettings({ holdAtLinkCount: 3 });
    const atThree = await postAccepted(harness.browser(), { ...ADA, comment: `${threeLinks} Once more.` });
    assert.equal(atThree.status, 'pending');
    assert.deepEqual(atThree.status_reasons, [{ code: 'too_many_links', text: 'held: 3 links, limit 3' }]);

    await changeSettings({ holdAtLinkCount: 0 });
    const many = 'https://a.example/ '.repeat(10);
    assert.equal((await postAccepted(harness.browser(), { ...ADA, comment: many })).status, 'approved');
  });

  const MODERATION_CASES: Array<{
    field: string;
    word: string;
    overrides: Record<string, string>;
    headers?: Record<string, string>;
    ip?: string;
  }> = [
    { field: 'name', word: 'Bargain', overrides: { author: 'Ada BARGAIN Reader' } },
    { field: 'email', word: 'Mailinator', overrides: { email: 'ada@mailinator.com' } },
    { field: 'website', word: 'pills', overrides: { url: 'https://cheap-PILLS.example/' } },
    { field: 'text', word: 'Crypto', overrides: { comment: 'Have you heard about cRyPtO?' } },
    { field: 'IP address', word: '198.51.100.7', overrides: {}, ip: '198.51.100.7' },
    { field: 'user agent', word: 'python-requests', overrides: {}, headers: { 'User-Agent': 'Python-Requests/2.31' } },
  ];

  for (const example of MODERATION_CASES) {
    it(`a moderation word in the ${example.field} holds even a returning commenter, matched case-insensitively`, async () => {
      await makeAdaReturning();
      await changeSettings({ moderationWords: ['nothing-matches-this', example.word] });
      const row = await postAccepted(
        harness.browser(),
        { ...ADA, comment: 'A perfectly ordinary comment.', ...example.overrides },
        { ...(example.ip ? { ip: example.ip } : {}), headers: example.headers },
      );
      assert.equal(row.status, 'pending');
      assert.deepEqual(row.status_reasons, [
        { code: 'moderation_word', text: `held: moderation word "${example.word}" in ${example.field}` },
      ]);
    });
  }

  it('a disallowed word makes even a returning commenter’s comment spam, and mails nobody', async () => {
    await makeAdaReturning();
    await changeSettings({ disallowedWords: ['casino'] });
    const row = await postAccepted(harness.browser(), { ...ADA, url: 'https://best-casino.example/' });
    assert.equal(row.status, 'spam');
    assert.deepEqual(row.status_reasons, [{ code: 'disallowed_word', text: 'spam: disallowed word "casino" in website' }]);
    assert.equal(await mailCount(), 0);

    const inText = await postAccepted(harness.browser(), { ...ADA, comment: 'Visit my CASINO today.' });
    assert.equal(inText.status, 'spam');
    assert.deepEqual(inText.status_reasons, [{ code: 'disallowed_word', text: 'spam: disallowed word "casino" in text' }]);

    await changeSettings({ disallowedWords: [] });
    const cleared = await postAccepted(harness.browser(), { ...ADA, comment: 'Visit my casino again.' });
    assert.equal(cleared.status, 'approved', 'the list is read again on the next request');
  });

  it('records every reason that fired, spam ones first', async () => {
    await makeAdaReturning();
    await changeSettings({ holdEveryComment: true, moderationWords: ['bargain'], disallowedWords: ['casino'] });
    const row = await postAccepted(harness.browser(), {
      ...ADA,
      comment: 'A bargain at https://a.example/, https://b.example/ and https://casino.example/',
    });
    assert.equal(row.status, 'spam');
    assert.deepEqual(row.status_reasons, [
      { code: 'disallowed_word', text: 'spam: disallowed word "casino" in text' },
      MANUAL,
      { code: 'too_many_links', text: 'held: 3 links, limit 2' },
      { code: 'moderation_word', text: 'held: moderation word "bargain" in text' },
    ]);
  });

  it('records a word found in several fields once per field', async () => {
    await makeAdaReturning();
    await changeSettings({ moderationWords: ['example'] });
    const row = await postAccepted(harness.browser(), { ...ADA, url: 'https://ada.example.org/', comment: 'For example.' });
    assert.equal(row.status, 'pending');
    assert.deepEqual(
      row.status_reasons.map((reason) => reason.text),
      ['held: moderation word "example" in email', 'held: moderation word "example" in website', 'held: moderation word "example" in text'],
    );
  });

  it('closeOldArticles refuses comments with 403 on an article older than closeAfterDays', async () => {
    const freshSlug = 'a-fresh-article';
    await insertArticle(database.db, { slug: freshSlug, published_at: new Date(Date.now() - 3 * 24 * 60 * 60 * 1000) });
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    await changeSettings({ closeOldArticles: true, closeAfterDays: 14 });
    harness.advanceSeconds(5);
    const refused = await postPairs(browser, typed(fields), { ip: nextIp() });
    assert.equal(refused.status, 403);
    assert.match(squash(parsePage(refused.text)('#respond').text()), /closed/i);
    assert.equal(await commentCount(database.db), 0);

    const { page } = await pageFor(null);
    assert.equal(page('#commentform').length, 0, 'the old article shows no form');
    assert.match(textAt(page, '#respond .no-comments'), /closed/i);

    const fresh = await submit(harness.browser(), {}, { pagePath: `/articles/${freshSlug}`, path: `/articles/${freshSlug}/comments` });
    assert.equal(fresh.response.status, 303, 'a three-day-old article is still open');
    idFromLocation(fresh.response.headers.location, freshSlug);

    // The same setting, with the clock moved on: the fresh article is now old too.
    const later = harness.browser();
    const { fields: freshFields } = await loadForm(later, `/articles/${freshSlug}`);
    harness.advanceSeconds(12 * 24 * 60 * 60);
    await database.db('rate_limits').delete();
    const tooLate = await postPairs(later, typed(freshFields, { comment: 'Twelve days later.' }), {
      ip: nextIp(),
      path: `/articles/${freshSlug}/comments`,
    });
    assert.equal(tooLate.status, 403);
    assert.equal(await commentCount(database.db), 1);

    await changeSettings({ closeOldArticles: false });
    const reopened = await submit(harness.browser(), { comment: 'Open again.' });
    assert.equal(reopened.response.status, 303);
  });

  it('requireNameAndEmail off accepts an empty name and email, stored as Anonymous', async () => {
    await changeSettings({ requireNameAndEmail: false });
    const browser = harness.browser();
    const { page } = await pageFor(browser);
    assert.equal(squash(page('label[for="author"]').text()), 'Name', 'no required mark on Name');
    assert.equal(squash(page('label[for="email"]').text()), 'Email', 'no required mark on Email');
    const row = await postAccepted(browser, { author: '', email: '', url: '', comment: 'Said without a name.' });
    assert.equal(row.author_name, 'Anonymous');
    assert.equal(row.author_email, '');
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME]);

    await changeSettings({ requireNameAndEmail: true });
    const { response } = await submit(harness.browser(), { author: '', email: '', comment: 'Nameless again.' });
    assert.equal(response.status, 422, 'required again on the next request');
    assert.equal(await commentCount(database.db), 1);
  });

  it('requireNameAndEmail off does not make all anonymous commenters share one flood interval', async () => {
    await changeSettings({ requireNameAndEmail: false });
    const first = await submit(harness.browser(), { author: '', email: '', comment: 'First anonymous reader.' }, { ip: '198.51.100.31' });
    assert.equal(first.response.status, 303);
    const second = await submit(
      harness.browser(),
      { author: '', email: '', comment: 'A different anonymous reader, elsewhere.' },
      { ip: '198.51.100.32', keepFloodRecords: true },
    );
    assert.equal(second.response.status, 303, 'no email is not the same email');
    assert.equal(await commentCount(database.db), 2);
  });

  it('threadDepth changes how replies nest and which comments offer a reply link', async () => {
    const a = await insertComment(database.db, { author_name: 'Level One' });
    const b = await insertComment(database.db, { parent_id: a, author_name: 'Level Two' });
    const c = await insertComment(database.db, { parent_id: b, author_name: 'Level Three' });
    const d = await insertComment(database.db, { parent_id: c, author_name: 'Level Four' });
    const replyLinks = (page: Page) => [a, b, c, d].filter((id) => page(`#div-comment-${id} .comment-reply-link`).length > 0);

    const deep = (await pageFor(null)).page;
    assert.equal(deep(`#comment-${a} > ol.children > #comment-${b} > ol.children > #comment-${c} > ol.children > #comment-${d}`).length, 1);
    assert.deepEqual(replyLinks(deep), [a, b, c, d]);
    assert.equal(deep(`#div-comment-${b} .comment-reply-link`).attr('href'), `${DEMO_PATH}?replytocom=${b}#respond`);

    await changeSettings({ threadDepth: 3 });
    const three = (await pageFor(null)).page;
    assert.equal(
      three(`#comment-${a} > ol.children > #comment-${b} > ol.children > #comment-${d}`).length,
      1,
      'the fourth level joins the third',
    );
    assert.equal(three(`#comment-${c} > ol.children`).length, 0);
    assert.ok(three(`#comment-${d}`).hasClass('depth-3'));
    assert.deepEqual(replyLinks(three), [a, b]);

    await changeSettings({ threadDepth: 2 });
    const two = (await pageFor(null)).page;
    for (const id of [b, c, d])
      assert.equal(two(`#comment-${a} > ol.children > #comment-${id}`).length, 1, `comment ${id} nests under the first`);
    assert.deepEqual(replyLinks(two), [a]);
  });
});

describe('bot traps', () => {
  const setCookieShapes = (response: request.Response) => {
    const header = response.headers['set-cookie'] as unknown as string[] | undefined;
    return (header ?? []).map((line) => line.replace(/=[^;]*/, '=…').replace(/Expires=[^;]*/i, 'Expires=…'));
  };

  it('answers a filled honeypot exactly like an accepted comment, stores it as spam, and mails nobody', async () => {
    const person = await submit(harness.browser(), { ...ADA, remember: 'yes' });
    const bot = harness.browser();
    const trapped = await submit(bot, { author: 'Cheap Pills', email: 'bot@spam.example', remember: 'yes', comment_subject: 'Buy now' });

    assert.equal(trapped.response.status, 303);
    assert.equal(person.response.status, 303);
    const id = idFromLocation(trapped.response.headers.location);
    assert.deepEqual(setCookieShapes(trapped.response), setCookieShapes(person.response));
    assert.deepEqual(cookiesSet(trapped.response), cookiesSet(person.response));
    assert.equal(trapped.response.headers['retry-after'], undefined);

    const row = await storedRow(id);
    assert.equal(row.status, 'spam');
    assert.deepEqual(row.status_reasons[0], { code: 'honeypot', text: 'spam: the hidden trap field was filled in' });
    assert.ok(!row.status_reasons.some((reason) => reason.code === 'too_fast'));

    // Answered alike, but nobody is told "awaiting moderation" about a comment in spam: it is simply not shown.
    const own = await pageFor(bot);
    assert.equal(own.page(`#comment-${id}`).length, 0);
    assert.ok(!squash(own.page('main').text()).includes(PENDING_NOTE));
    const stranger = await pageFor(harness.browser());
    assert.equal(stranger.page(`#comment-${id}`).length, 0);
    assert.ok(!stranger.html.includes('Buy now'));

    const mail = await database.db('mail_outbox').select('body');
    assert.equal(mail.length, 1, 'only the person’s held comment is mailed');
    assert.ok(!String(mail[0]!.body).includes('Cheap Pills'));
  });

  it('holds a form posted 1 s after it was shown for review (too_fast), never as spam', async () => {
    const browser = harness.browser();
    const { response } = await submit(browser, ADA, { waitSeconds: 1 });
    assert.equal(response.status, 303);
    const row = await storedRow(idFromLocation(response.headers.location));
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [
      FIRST_TIME,
      { code: 'too_fast', text: 'held: posted 1.0 s after the form was shown (minimum 3 s)' },
    ]);
    assert.ok(squash((await pageFor(browser)).page(`#comment-${row.id}`).text()).includes(PENDING_NOTE));
    assert.equal(await mailCount(), 1, 'moderators hear of it like any held comment');
  });

  it('lets the ordinary rules decide a form posted 1 s after it was shown by a returning commenter', async () => {
    await makeAdaReturning();
    const row = await postAccepted(harness.browser(), { ...ADA, comment: 'Agreed.' }, { waitSeconds: 1 });
    assert.equal(row.status, 'approved');
    assert.deepEqual(row.status_reasons, []);
  });

  it('does not trap a form posted exactly 3 s after it was shown', async () => {
    await makeAdaReturning();
    const row = await postAccepted(harness.browser(), ADA, { waitSeconds: 3 });
    assert.equal(row.status, 'approved');
    assert.deepEqual(row.status_reasons, []);
  });

  it('does not trap a form kept open for an hour', async () => {
    const row = await postAccepted(harness.browser(), ADA, { waitSeconds: 3600 });
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME]);
  });

  const FORGED_STAMPS: Array<{ name: string; stamp: () => string | undefined }> = [
    { name: 'missing', stamp: () => undefined },
    { name: 'empty', stamp: () => '' },
    { name: 'unsigned', stamp: () => String(Date.now() - 60_000) },
    { name: 'with a made-up signature', stamp: () => `${Date.now() - 60_000}.${'A'.repeat(43)}` },
    { name: 'signed for another purpose', stamp: () => signValue(TEST_COOKIE_SECRET, 'comment-self-service', String(Date.now() - 60_000)) },
    { name: 'signed with another secret', stamp: () => stampForm('some-other-secret-that-is-long-enough', Date.now() - 60_000) },
  ];

  for (const forged of FORGED_STAMPS) {
    it(`holds a form whose rendered_at is ${forged.name} for review, never as spam`, async () => {
      const { response } = await submit(harness.browser(), { ...ADA, rendered_at: forged.stamp() });
      assert.equal(response.status, 303);
      const row = await storedRow(idFromLocation(response.headers.location));
      assert.equal(row.status, 'pending');
      assert.deepEqual(row.status_reasons, [FIRST_TIME, STAMP_MISSING]);
    });
  }

  it('lets the ordinary rules decide a returning commenter’s form whose stamp is missing', async () => {
    await makeAdaReturning();
    const row = await postAccepted(harness.browser(), { ...ADA, rendered_at: undefined });
    assert.equal(row.status, 'approved');
  });
});

describe('flood control', () => {
  /** The rendered form of a refused post, as the commenter would send it again. */
  const keptForm = (response: request.Response) => formFields(parsePage(response.text));

  it('answers a second comment from the same IP within 15 s with 429, Retry-After, nothing stored and the text kept', async () => {
    const first = await submit(harness.browser(), ADA, { ip: '198.51.100.50' });
    assert.equal(first.response.status, 303);
    const { sent, response } = await submit(
      harness.browser(),
      { author: 'Bea Writer', email: 'bea@example.org', url: 'https://bea.example/', comment: 'Same café, same Wi-Fi.' },
      { ip: '198.51.100.50', keepFloodRecords: true },
    );
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15, `Retry-After ${response.headers['retry-after']}`);
    assert.equal(await commentCount(database.db), 1);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#form-notice'), /too quickly/);
    const kept = keptForm(response);
    for (const field of ['comment', 'author', 'email', 'url', 'submission_id']) assert.equal(kept[field], sent[field], `${field} kept`);
  });

  it('answers the same email from another IP within 15 s with 429', async () => {
    assert.equal((await submit(harness.browser(), ADA, { ip: '198.51.100.51' })).response.status, 303);
    const { response } = await submit(
      harness.browser(),
      { author: ADA.author, email: 'Ada@Example.org', comment: 'From my phone now.' },
      { ip: '198.51.100.52', keepFloodRecords: true },
    );
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers['retry-after']) >= 1);
    assert.equal(await commentCount(database.db), 1);
  });

  it('lets different IPs and emails comment within the same 15 s', async () => {
    assert.equal((await submit(harness.browser(), ADA, { ip: '198.51.100.53' })).response.status, 303);
    const other = await submit(
      harness.browser(),
      { author: 'Bea', email: 'bea@example.org', comment: 'Me too.' },
      { ip: '198.51.100.54', keepFloodRecords: true },
    );
    assert.equal(other.response.status, 303);
    assert.equal(await commentCount(database.db), 2);
  });

  it('takes the kept form again once the interval is over, storing it once', async () => {
    assert.equal((await submit(harness.browser(), ADA, { ip: '198.51.100.55' })).response.status, 303);
    const browser = harness.browser();
    const { response } = await submit(browser, { ...ADA, comment: 'Second thoughts.' }, { ip: '198.51.100.55', keepFloodRecords: true });
    assert.equal(response.status, 429);

    await database.db('rate_limits').update({ expire: Date.now() - 1000 });
    harness.advanceSeconds(15);
    const resent = await postPairs(browser, keptForm(response), { ip: '198.51.100.55' });
    assert.equal(resent.status, 303);
    const row = await storedRow(idFromLocation(resent.headers.location));
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME], 'the resent form is not a bot trap');
    assert.equal(await commentCount(database.db), 2);
  });

  it('shares the interval between two app instances on one database', async () => {
    const other = commentingApp(database.db);
    assert.equal((await submit(harness.browser(), ADA, { ip: '198.51.100.56' })).response.status, 303);
    const browser = other.browser();
    const { fields } = await loadForm(browser);
    other.advanceSeconds(5);
    const response = await postPairs(
      browser,
      typed(fields, { author: 'Bea', email: 'bea@example.org', comment: 'Via the other instance.' }),
      {
        ip: '198.51.100.56',
      },
    );
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers['retry-after']) >= 1);
    assert.equal(await commentCount(database.db), 1);
  });
});

describe('duplicates and replies', () => {
  it('answers the same words again with 409 and WordPress’s message, before any flood check', async () => {
    const first = await submit(harness.browser(), { ...ADA, comment: 'I said it once.' }, { ip: '198.51.100.60' });
    assert.equal(first.response.status, 303);
    for (const ip of ['198.51.100.60', '198.51.100.61']) {
      const { response } = await submit(harness.browser(), { ...ADA, comment: 'I said it once.' }, { ip, keepFloodRecords: true });
      assert.equal(response.status, 409, `from ${ip}`);
      assert.equal(response.headers['retry-after'], undefined);
      assert.ok(squash(parsePage(response.text)('#respond').text()).includes(DUPLICATE));
    }
    assert.equal(await commentCount(database.db), 1);
  });

  it('does not call the words of a trashed comment a duplicate', async () => {
    await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, body: 'Worth saying again.', status: 'trash' });
    const row = await postAccepted(harness.browser(), { ...ADA, comment: 'Worth saying again.' });
    assert.equal(row.status, 'pending');
  });

  for (const status of ['pending', 'spam', 'trash'] as const) {
    it(`refuses a reply to a ${status} comment with 422, storing nothing`, async () => {
      const parent = await insertComment(database.db, { status, body: `A ${status} comment.` });
      const { response, sent } = await submit(harness.browser(), { ...ADA, parent_id: parent });
      assert.equal(response.status, 422);
      assert.equal(await commentCount(database.db), 1);
      const page = parsePage(response.text);
      assert.match(squash(page('.error-summary').text()), /You can only reply to a comment that has been published\./);
      assert.equal(formFields(page).comment, sent.comment);
    });
  }

  it('stores a reply to an approved comment under it', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    const row = await postAccepted(harness.browser(), ADA, { pagePath: `${DEMO_PATH}?replytocom=${parent}` });
    assert.equal(row.parent_id === null ? null : String(row.parent_id), parent);
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { wordMatchingWork } from '../../src/comments/discussion-word-lists.js';
import { DEMO_PATH, commentingApp, loadForm, postPairs, typed, type Client, type PostOptions } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt } from '../helpers/html.js';
import { commentCount, insertComment } from '../helpers/rows.js';

/**
 * Issue 15 on the posting path: the time trap holds people rather than
 * calling them spam, a closed article keeps the words sent to it, the word
 * lists cost one pass over a comment and come after the flood check, a day-old
 * form is issued again, and what may go into a name, an email or any field.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

const nextIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;
const PENDING_NOTE = 'Your comment is awaiting moderation.';
const ADA = { author: 'Ada Reader', email: 'ada@example.org' };
const FIRST_TIME = { code: 'first_time_commenter', text: 'held: no earlier approved comment from this name and email' };

interface Reason {
  code: string;
  text: string;
}

interface StoredRow {
  id: string;
  status: string;
  status_reasons: Reason[];
  author_name: string;
  author_email: string;
  body: string;
}

async function changeSettings(changes: Partial<DiscussionSettings>) {
  const current = await loadDiscussionSettings(database.db);
  await saveDiscussionSettings(database.db, { ...current, ...changes }, null);
}

/** Loads the form, waits `waitSeconds` (5 unless told), then posts it with `overrides` typed in. */
interface SubmitOptions extends PostOptions {
  waitSeconds?: number;
  /** Keep earlier posts' flood counters (by default each post starts with none). */
  keepFlood?: boolean;
}

async function submit(browser: Client, overrides: Record<string, string | undefined> = {}, options: SubmitOptions = {}) {
  const { waitSeconds = 5, keepFlood = false, ...postOptions } = options;
  if (!keepFlood) await database.db('rate_limits').delete();
  const { fields } = await loadForm(browser);
  harness.advanceSeconds(waitSeconds);
  const sent = typed(fields, overrides);
  const response = await postPairs(browser, sent, { ip: nextIp(), ...postOptions });
  return { sent, response };
}

async function storedFrom(response: request.Response) {
  assert.equal(response.status, 303, `accepted (got ${response.status})`);
  const id = /#comment-(\d+)$/.exec(String(response.headers.location))?.[1];
  assert.ok(id, `Location ${response.headers.location} names a comment`);
  const row = await database.db('comments').where({ id }).first<StoredRow>();
  assert.ok(row);
  return { ...row, id: String(row.id) };
}

describe('the time trap holds a quick post for review, never calls a person spam', () => {
  it('publishes "Agreed." posted 1.8 s after loading by a commenter with an approved comment', async () => {
    await insertComment(database.db, { author_name: ADA.author, author_email: ADA.email, body: 'An earlier, approved comment.' });
    const row = await storedFrom((await submit(harness.browser(), { ...ADA, comment: 'Agreed.' }, { waitSeconds: 1.8 })).response);
    assert.equal(row.status, 'approved');
    assert.deepEqual(row.status_reasons, []);
    const stranger = parsePage((await request(harness.app).get(DEMO_PATH).expect(200)).text);
    assert.equal(stranger(`#comment-${row.id}`).length, 1);
  });

  it('lets the ordinary rules decide a quick post from a browser that saved these details', async () => {
    const browser = harness.browser();
    await storedFrom((await submit(browser, { ...ADA, remember: 'yes', comment: 'My first words here.' })).response);
    const row = await storedFrom(
      (await submit(browser, { ...ADA, remember: 'yes', comment: 'And a quick second thought.' }, { waitSeconds: 1 })).response,
    );
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [FIRST_TIME], 'held as any first-time commenter is, not for speed');
  });

  it('does not count saved details that name someone else', async () => {
    const browser = harness.browser();
    await storedFrom((await submit(browser, { ...ADA, remember: 'yes', comment: 'Saved as Ada.' })).response);
    const row = await storedFrom(
      (await submit(browser, { author: 'Bea', email: 'bea@example.org', comment: 'Quick, as Bea.' }, { waitSeconds: 1 })).response,
    );
    assert.ok(row.status_reasons.some((reason) => reason.code === 'too_fast'));
  });

  it('holds a quick post from anyone else as pending with the reason, and tells them it awaits moderation', async () => {
    await changeSettings({ autoApprovePreviouslyApproved: false });
    const browser = harness.browser();
    const row = await storedFrom((await submit(browser, ADA, { waitSeconds: 1 })).response);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons, [{ code: 'too_fast', text: 'held: posted 1.0 s after the form was shown (minimum 3 s)' }]);
    const own = parsePage((await browser.get(DEMO_PATH).expect(200)).text);
    assert.ok(squash(own(`#comment-${row.id}`).text()).includes(PENDING_NOTE));
  });

  it('holds a post with no time stamp as pending, never spam', async () => {
    const row = await storedFrom((await submit(harness.browser(), { ...ADA, rendered_at: undefined })).response);
    assert.equal(row.status, 'pending');
    assert.deepEqual(row.status_reasons.at(-1), { code: 'too_fast', text: 'held: the form’s time stamp was missing or altered' });
  });

  it('keeps a filled honeypot spam, and shows the bot no "awaiting moderation" about it', async () => {
    const bot = harness.browser();
    const row = await storedFrom(
      (await submit(bot, { author: 'Cheap Pills', email: 'bot@spam.example', comment_subject: 'Buy now' })).response,
    );
    assert.equal(row.status, 'spam');
    const page = parsePage((await bot.get(DEMO_PATH).expect(200)).text);
    assert.equal(page(`#comment-${row.id}`).length, 0);
    assert.ok(!squash(page('main').text()).includes(PENDING_NOTE));
  });
});

describe('comments closed', () => {
  it('answers a post sent after they closed with 403, the typed text shown to copy, nothing stored', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    harness.advanceSeconds(5);
    const comment = 'A long answer I took an hour over,\nwith <b>markup</b> & “quotes”.';
    for (const overrides of [{ comment }, { comment, author: '' }]) {
      const response = await postPairs(browser, typed(fields, overrides), { ip: nextIp() });
      assert.equal(response.status, 403);
      const page = parsePage(response.text);
      assert.equal(page('#comment-copy').text(), comment, 'the words sent are on the page, as text');
      assert.notEqual(page('#comment-copy').attr('readonly'), undefined);
      assert.equal(squash(page('label[for="comment-copy"]').text()), 'Your comment, not posted');
      assert.match(textAt(page, '#respond [role="alert"]'), /not posted/);
      assert.equal(page('#commentform').length, 0);
    }
    assert.equal(await commentCount(database.db), 0);
  });

  it('shows "Comments are closed." and no Leave a Reply heading on a closed article', async () => {
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    const page = parsePage((await request(harness.app).get(DEMO_PATH).expect(200)).text);
    assert.equal(textAt(page, '#respond .no-comments'), 'Comments are closed.');
    assert.ok(!squash(page('main').text()).includes('Leave a Reply'));
    assert.equal(page('#respond h2').length, 0);
    assert.equal(page('#commentform').length, 0);
  });
});

describe('the word lists: one pass over each field, after the flood check', () => {
  const thousand = (prefix: string) => Array.from({ length: 1000 }, (_, index) => `${prefix}${index}İ`);
  const delta = (before: ReturnType<typeof wordMatchingWork>) => {
    const after = wordMatchingWork();
    return { fieldScans: after.fieldScans - before.fieldScans, unitsScanned: after.unitsScanned - before.unitsScanned };
  };

  it('takes a 65,525-character comment of İ with a thousand words in each list, the matcher handed each field once', async () => {
    await changeSettings({ moderationWords: thousand('held'), disallowedWords: thousand('spam') });
    const body = 'İ'.repeat(65_525);
    const before = wordMatchingWork();
    const { response } = await submit(harness.browser(), { ...ADA, author: 'İ'.repeat(245), comment: body });
    const row = await storedFrom(response);
    assert.equal(row.body, body);
    assert.equal(row.status, 'pending');
    const work = delta(before);
    assert.equal(work.fieldScans, 6, 'name, email, website, text, IP address and user agent, once each');
    // Lower-cased, each İ is two UTF-16 units; the windows overlap by less than a word.
    assert.ok(work.unitsScanned <= 2 * 2 * (65_525 + 245 + 200 + 200 + 40 + 200), `${work.unitsScanned} units scanned`);
  });

  it('refuses a flood with 429 before matching a single word', async () => {
    await changeSettings({ moderationWords: thousand('held'), disallowedWords: thousand('spam') });
    assert.equal((await submit(harness.browser(), ADA, { ip: '198.51.100.70' })).response.status, 303);
    const before = wordMatchingWork();
    const { response } = await submit(
      harness.browser(),
      { author: 'Bea', email: 'bea@example.org', comment: 'İ'.repeat(65_525) },
      { ip: '198.51.100.70', keepFlood: true },
    );
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers['retry-after']) >= 1);
    assert.equal(delta(before).fieldScans, 0);
    assert.equal(await commentCount(database.db), 1);
  });
});

describe('the form’s time stamp has a maximum age', () => {
  it('issues a day-old form again, 422 with a notice, the text kept and a fresh stamp; sent again it is stored', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(25 * 60 * 60);
    const sent = typed(fields, { ...ADA, comment: 'Written yesterday, sent today.' });
    const response = await postPairs(browser, sent, { ip: nextIp() });
    assert.equal(response.status, 422);
    assert.equal(await commentCount(database.db), 0);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#form-notice'), /open for more than a day/);
    const kept = formFields(page);
    for (const field of ['comment', 'author', 'email', 'url']) assert.equal(kept[field], sent[field], `${field} kept`);
    assert.notEqual(kept.rendered_at, sent.rendered_at, 'a fresh stamp');

    harness.advanceSeconds(5);
    const row = await storedFrom(await postPairs(browser, kept, { ip: nextIp() }));
    assert.equal(row.body, 'Written yesterday, sent today.');
    assert.ok(!row.status_reasons.some((reason) => reason.code === 'too_fast'));
  });

  it('still takes a form kept open for 23 hours', async () => {
    const row = await storedFrom((await submit(harness.browser(), ADA, { waitSeconds: 23 * 60 * 60 })).response);
    assert.deepEqual(row.status_reasons, [FIRST_TIME]);
  });
});

describe('what a field may hold', () => {
  it('takes an internationalised email domain, stored as typed', async () => {
    const row = await storedFrom((await submit(harness.browser(), { email: 'info@grå.org' })).response);
    assert.equal(row.author_email, 'info@grå.org');
  });

  it('refuses noncharacters in any field with 422 and never echoes them into the page', async () => {
    for (const [field, value] of [
      ['comment', 'Odd \uFFFF end'],
      ['author', 'Ada\uFDD0'],
      ['url', 'https://example.org/\uFFFE'],
      ['email', 'ada\u{10FFFF}@example.org'],
    ] as const) {
      const { response } = await submit(harness.browser(), { [field]: value });
      assert.equal(response.status, 422, field);
      assert.doesNotMatch(response.text, /[\uFFFE\uFFFF\uFDD0-\uFDEF]|\u{10FFFF}/u, `${field}: no noncharacter in the page`);
      assert.ok(parsePage(response.text)(`#${field}-error`).text().length > 0);
    }
    assert.equal(await commentCount(database.db), 0);
  });

  it('stores a name without its bidirectional controls, and shows a replied-to name isolated', async () => {
    await changeSettings({ autoApprovePreviouslyApproved: false });
    const row = await storedFrom((await submit(harness.browser(), { author: 'Eve \u202Egnp.exe\u202C Reader' })).response);
    assert.equal(row.author_name, 'Eve gnp.exe Reader');
    const page = parsePage((await request(harness.app).get(`${DEMO_PATH}?replytocom=${row.id}`).expect(200)).text);
    assert.equal(page('#reply-title bdi').text(), 'Eve gnp.exe Reader');
  });
});

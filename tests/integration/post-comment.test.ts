import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import {
  APP_ORIGIN,
  COMMENTS_PATH,
  DEMO_PATH,
  TEST_USER_AGENT,
  commentingApp,
  cookieValue,
  cookiesSet,
  loadForm,
  postPairs,
  typed,
  type Client,
  type PostOptions,
} from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, formFields, parsePage, squash, textAt, visibleTextAt, type Page } from '../helpers/html.js';
import { allComments, articleIdOf, commentCount, insertArticle, insertComment } from '../helpers/rows.js';

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let ipCounter = 0;

beforeEach(() => {
  harness = commentingApp(database.db);
});

/** A fresh documentation-range address per post, so no two posts share a client IP by accident. */
const nextIp = () => `203.0.113.${(ipCounter++ % 250) + 1}`;

const PENDING_NOTE = 'Your comment is awaiting moderation.';
const DUPLICATE = 'Duplicate comment detected; it looks as though you’ve already said that!';
const COMMENTER_COOKIES = ['broadsheet_pending', 'comment_author', 'comment_author_email', 'comment_author_url'];
/** Text a person might type, with everything that tends to get mangled on the way back. */
const AWKWARD_COMMENT = "First line & “quotes” with <b>not bold</b>,\n\nthen 'single' quotes, a tab\there and 😀 at the end.";

interface Submission {
  fields: Record<string, string>;
  response: request.Response;
}

/** Loads the form in `browser`, waits as a person would, then posts it with `overrides` typed in. */
async function submit(
  browser: Client,
  overrides: Record<string, string | undefined> = {},
  options: PostOptions & { pagePath?: string } = {},
): Promise<Submission> {
  const { fields } = await loadForm(browser, options.pagePath);
  harness.advanceSeconds(5);
  const response = await postPairs(browser, typed(fields, overrides), { ip: nextIp(), ...options });
  return { fields, response };
}

function idFromLocation(location: string | undefined): string {
  const match = /^\/articles\/xi-ducks-putins-push-for-expanded-military-ties#comment-(\d+)$/.exec(location ?? '');
  assert.ok(match, `Location ${location} points at a comment on the demo article`);
  return match[1]!;
}

async function pageFor(browser: Client | null, path = DEMO_PATH): Promise<{ page: Page; html: string }> {
  const response = await (browser ?? request(harness.app)).get(path);
  assert.equal(response.status, 200);
  return { page: parsePage(response.text), html: response.text };
}

/** The 422/409 page shows the form again with exactly what was typed. */
function assertTypedValuesKept(page: Page, sent: Record<string, string>, skip: string[] = []) {
  const shown = formFields(page);
  for (const field of ['comment', 'author', 'email', 'url']) {
    if (skip.includes(field)) continue;
    assert.equal(shown[field], sent[field], `the ${field} field keeps what was typed`);
  }
}

describe('POST /articles/:slug/comments — accepted', () => {
  it('stores the comment as pending, exactly as typed (trimmed), and redirects 303 to it', async () => {
    const browser = harness.browser();
    const { fields, response } = await submit(
      browser,
      {
        comment: `  ${AWKWARD_COMMENT}  \n`,
        author: '  Zoë O’Brien ',
        email: ' zoe@example.org ',
        url: 'zoe.example.org/blog',
      },
      { ip: '198.51.100.23' },
    );
    assert.equal(response.status, 303);
    const id = idFromLocation(response.headers.location);
    assert.equal(response.headers.location, `/articles/${DEMO_SLUG}#comment-${id}`);

    const rows = await allComments(database.db);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row.id, id);
    assert.equal(row.article_id, await articleIdOf(database.db));
    assert.equal(row.parent_id, null);
    assert.equal(row.status, 'pending');
    assert.equal(row.body, AWKWARD_COMMENT);
    assert.equal(row.author_name, 'Zoë O’Brien');
    assert.equal(row.author_email, 'zoe@example.org');
    assert.equal(row.author_url, 'https://zoe.example.org/blog');
    assert.equal(row.ip, '198.51.100.23');
    assert.equal(row.user_agent, TEST_USER_AGENT);
    assert.equal(row.submission_id, fields.submission_id);
  });

  it('records the connecting address, not X-Forwarded-For, when no proxy is trusted', async () => {
    harness = commentingApp(database.db, { TRUST_PROXY: '' });
    const { response } = await submit(harness.browser(), {}, { ip: '198.51.100.99' });
    assert.equal(response.status, 303);
    const [row] = await allComments(database.db);
    assert.ok(['127.0.0.1', '::ffff:127.0.0.1', '::1'].includes(row!.ip ?? ''), `loopback, got ${row!.ip}`);
  });

  it('accepts a post with no Origin header, and one marked same-origin', async () => {
    const first = await submit(harness.browser(), {}, { origin: null });
    assert.equal(first.response.status, 303);
    const second = await submit(
      harness.browser(),
      { email: 'other@example.org', comment: 'Another.' },
      { headers: { 'Sec-Fetch-Site': 'same-origin' } },
    );
    assert.equal(second.response.status, 303);
    assert.equal(await commentCount(database.db), 2);
  });

  it('stores a reply under its approved parent, and the commenter sees it nested there', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    const browser = harness.browser();
    const { fields, response } = await submit(
      browser,
      { comment: 'Replying to Grace.' },
      { pagePath: `${DEMO_PATH}?replytocom=${parent}` },
    );
    assert.equal(fields.parent_id, parent);
    assert.equal(response.status, 303);
    const id = idFromLocation(response.headers.location);
    const [, row] = await allComments(database.db);
    assert.equal(row!.id, id);
    assert.equal(row!.parent_id, parent);
    const { page } = await pageFor(browser);
    assert.equal(page(`#comment-${parent} > ol.children > #comment-${id}`).length, 1);
  });

  it('takes values at the length limits whole, emoji counted as one character', async () => {
    const limits = {
      author: '😀'.repeat(245),
      email: `${'e'.repeat(88)}@example.com`,
      url: `https://example.com/${'é'.repeat(180)}`,
      comment: '😀'.repeat(65525),
    };
    const { response } = await submit(harness.browser(), limits);
    assert.equal(response.status, 303);
    const [row] = await allComments(database.db);
    assert.equal(row!.author_name, limits.author);
    assert.equal(row!.author_email, limits.email);
    assert.equal(row!.author_url, limits.url);
    assert.equal(row!.body, limits.comment);
  });
});

describe('POST /articles/:slug/comments — the commenter’s own pending comment', () => {
  it('is shown to the commenter, marked as awaiting moderation, and to nobody else', async () => {
    const someoneElses = await insertComment(database.db, { status: 'pending', body: 'Someone else is waiting too.' });
    const browser = harness.browser();
    const { response } = await submit(browser, { comment: 'My words, waiting.' });
    const id = idFromLocation(response.headers.location);

    const own = await pageFor(browser);
    const mine = own.page(`#comment-${id}`);
    assert.equal(mine.length, 1);
    assert.equal(squash(mine.find('.comment-content').text()), 'My words, waiting.');
    assert.match(squash(mine.text()), new RegExp(PENDING_NOTE.replace('.', '\\.')));
    assert.equal(own.page(`#comment-${someoneElses}`).length, 0, 'not another person’s pending comment');
    assert.ok(!own.html.includes('Someone else is waiting too.'));

    const stranger = await pageFor(harness.browser());
    assert.equal(stranger.page(`#comment-${id}`).length, 0);
    assert.ok(!stranger.html.includes('My words, waiting.'));
    assert.ok(!stranger.html.includes(PENDING_NOTE));
  });

  it('is headed as the reader’s own comment, never as “0 Replies”, until others are approved', async () => {
    const browser = harness.browser();
    const { response } = await submit(browser, { comment: 'The first word on this.' });
    const id = idFromLocation(response.headers.location);

    let { page } = await pageFor(browser);
    assert.equal(textAt(page, '#comments-title'), 'Your comment on “Xi Ducks Putin’s Push for Expanded Military Ties”');
    assert.doesNotMatch(squash(page('#comments').text()), /\b0 Replies\b/);
    assert.equal(page('#comments').attr('aria-labelledby'), 'comments-title');
    assert.equal(textAt(page, `#comment-${id} .comment-awaiting-moderation`), PENDING_NOTE);
    assert.equal(textAt(page, '.entry-meta .comments-link'), 'Leave a comment', 'the count at the top is of approved comments');

    await insertComment(database.db, { status: 'approved', body: 'Someone else’s, approved.' });
    ({ page } = await pageFor(browser));
    assert.equal(textAt(page, '#comments-title'), 'One Reply to “Xi Ducks Putin’s Push for Expanded Military Ties”');
    assert.equal(textAt(page, `#comment-${id} .comment-awaiting-moderation`), PENDING_NOTE, 'still shown to its writer');

    const stranger = (await pageFor(null)).page;
    assert.equal(textAt(stranger, '#comments-title'), 'One Reply to “Xi Ducks Putin’s Push for Expanded Military Ties”');
  });

  it('is shown to nobody when the cookie has been tampered with', async () => {
    const other = await insertComment(database.db, { status: 'pending', body: 'Another pending comment.' });
    const browser = harness.browser();
    const { response } = await submit(browser, { comment: 'Only for my eyes.' });
    const id = idFromLocation(response.headers.location);
    const raw = cookieValue(response, 'broadsheet_pending');
    assert.ok(raw, 'the commenter is given a pending-comments cookie');
    const signed = decodeURIComponent(raw);
    assert.match(signed, new RegExp(`^s:${id}\\.`), 'the cookie is signed');
    const signature = signed.slice(signed.indexOf('.') + 1);
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');

    for (const tampered of [
      `s:${other}.${signature}`,
      `s:${id}.${other}.${signature}`,
      `s:${id}.${flipped}`,
      `${id}`,
      `${id}.${other}`,
      `j:[${id}]`,
    ]) {
      const forged = await request(harness.app)
        .get(DEMO_PATH)
        .set('Cookie', `broadsheet_pending=${encodeURIComponent(tampered)}`);
      assert.equal(forged.status, 200);
      const page = parsePage(forged.text);
      assert.equal(page(`#comment-${id}`).length, 0, `own comment hidden with ${tampered}`);
      assert.equal(page(`#comment-${other}`).length, 0, `other comment hidden with ${tampered}`);
      assert.ok(!forged.text.includes(PENDING_NOTE), `nothing pending shown with ${tampered}`);
    }
  });

  it('is no longer shown once a moderator moves it to the trash', async () => {
    const browser = harness.browser();
    const { response } = await submit(browser, { comment: 'Soon to be binned.' });
    const id = idFromLocation(response.headers.location);
    assert.equal((await pageFor(browser)).page(`#comment-${id}`).length, 1);
    await database.db('comments').where({ id }).update({ status: 'trash' });
    const { page, html } = await pageFor(browser);
    assert.equal(page(`#comment-${id}`).length, 0);
    assert.ok(!html.includes('Soon to be binned.'));
  });

  it('gives the commenter only cookies that are HttpOnly, SameSite=Lax and for the whole site', async () => {
    const { response } = await submit(harness.browser(), { remember: 'yes' });
    const lines = response.headers['set-cookie'] as unknown as string[];
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.match(line, /;\s*Path=\/(;|$)/i, line);
      assert.match(line, /;\s*HttpOnly/i, line);
      assert.match(line, /;\s*SameSite=Lax/i, line);
    }
  });
});

describe('POST /articles/:slug/comments — remembering the commenter', () => {
  it('with remember=yes sets the prefill cookies, and the next visit prefills name, email and website', async () => {
    const browser = harness.browser();
    const { response } = await submit(browser, {
      author: 'Zoë O’Brien',
      email: 'zoe@example.org',
      url: 'https://zoe.example.org/',
      remember: 'yes',
    });
    assert.equal(response.status, 303);
    for (const name of ['comment_author', 'comment_author_email', 'comment_author_url']) {
      assert.ok(cookiesSet(response).includes(name), `${name} is set`);
    }
    const { page } = await pageFor(browser);
    const fields = formFields(page);
    assert.equal(fields.author, 'Zoë O’Brien');
    assert.equal(fields.email, 'zoe@example.org');
    assert.equal(fields.url, 'https://zoe.example.org/');
    assert.equal(fields.remember, 'yes', 'the box stays ticked');
    assert.equal(fields.comment, '');

    const stranger = formFields((await pageFor(harness.browser())).page);
    assert.equal(stranger.author, '');
    assert.equal(stranger.email, '');
    assert.equal(stranger.url, '');
  });

  it('without remember sets no prefill cookies and prefills nothing', async () => {
    const browser = harness.browser();
    const { response } = await submit(browser, { remember: undefined });
    assert.equal(response.status, 303);
    const names = cookiesSet(response);
    assert.deepEqual(names, ['broadsheet_pending']);
    const fields = formFields((await pageFor(browser)).page);
    assert.equal(fields.author, '');
    assert.equal(fields.email, '');
    assert.equal(fields.url, '');
    assert.equal(fields.remember, undefined);
  });

  it('forgets a remembered commenter who posts again with the box unticked', async () => {
    const browser = harness.browser();
    await submit(browser, { author: 'Zoë', email: 'zoe@example.org', remember: 'yes' });
    const { response } = await submit(browser, {
      author: 'Zoë',
      email: 'zoe.second@example.org',
      comment: 'A second thought.',
      remember: undefined,
    });
    assert.equal(response.status, 303);
    const fields = formFields((await pageFor(browser)).page);
    assert.equal(fields.author, '');
    assert.equal(fields.email, '');
  });
});

interface InvalidCase {
  name: string;
  overrides: Record<string, string | undefined>;
  /** Fields that must carry a message, each matching its pattern. */
  errors: Partial<Record<'comment' | 'author' | 'email' | 'url', RegExp>>;
  /** Values HTML itself cannot carry back (a NUL becomes U+FFFD in any parser). */
  notRoundTripped?: string[];
}

const INVALID_CASES: InvalidCase[] = [
  { name: 'a missing name', overrides: { author: '' }, errors: { author: /Enter your name/ } },
  { name: 'a name of spaces', overrides: { author: '   ' }, errors: { author: /Enter your name/ } },
  { name: 'a missing email', overrides: { email: '' }, errors: { email: /Enter your email/ } },
  { name: 'a missing comment', overrides: { comment: '' }, errors: { comment: /Type your comment/ } },
  { name: 'a comment of blank lines', overrides: { comment: ' \n \n\t' }, errors: { comment: /Type your comment/ } },
  { name: 'a bad email', overrides: { email: 'ada-at-example.org' }, errors: { email: /correct format/ } },
  { name: 'a javascript: website', overrides: { url: 'javascript:alert(1)' }, errors: { url: /http:\/\/ or https:\/\// } },
  { name: 'a data: website', overrides: { url: 'data:text/html,<script>alert(1)</script>' }, errors: { url: /http:\/\/ or https:\/\// } },
  { name: 'a name one over the limit', overrides: { author: 'n'.repeat(246) }, errors: { author: /245/ } },
  { name: 'an email one over the limit', overrides: { email: `${'e'.repeat(89)}@example.com` }, errors: { email: /100/ } },
  { name: 'a website one over the limit', overrides: { url: `https://example.com/${'p'.repeat(181)}` }, errors: { url: /200/ } },
  { name: 'a comment one over the limit', overrides: { comment: '😀'.repeat(65526) }, errors: { comment: /65,525/ } },
  { name: 'a NUL byte in the comment', overrides: { comment: 'bad\u0000byte' }, errors: { comment: /NUL/ }, notRoundTripped: ['comment'] },
  { name: 'a NUL byte in the name', overrides: { author: 'Ada\u0000' }, errors: { author: /NUL/ }, notRoundTripped: ['author'] },
  {
    name: 'several bad fields at once',
    overrides: { author: '', email: 'nope', url: 'javascript:alert(1)' },
    errors: { author: /name/, email: /correct format/, url: /http/ },
  },
];

describe('POST /articles/:slug/comments — invalid fields give 422 and store nothing', () => {
  for (const testCase of INVALID_CASES) {
    it(`refuses ${testCase.name}, with a message at the field, a summary linking to it and every value kept`, async () => {
      const overrides = { comment: AWKWARD_COMMENT, ...testCase.overrides };
      const browser = harness.browser();
      const { fields } = await loadForm(browser);
      harness.advanceSeconds(5);
      const sent = typed(fields, overrides);
      const response = await postPairs(browser, sent, { ip: nextIp() });

      assert.equal(response.status, 422);
      assert.equal(await commentCount(database.db), 0, 'nothing stored');
      assert.equal(response.headers['set-cookie'], undefined, 'no cookie for a refused comment');
      const page = parsePage(response.text);
      assert.equal(textAt(page, 'h1'), 'Xi Ducks Putin’s Push for Expanded Military Ties', 'the article page again');

      const summaryLinks = page('.error-summary a');
      assert.equal(summaryLinks.length, Object.keys(testCase.errors).length, 'one summary line per bad field');
      for (const [field, pattern] of Object.entries(testCase.errors)) {
        const message = textAt(page, `#${field}-error`);
        assert.match(message, pattern);
        const control = page(`#${field}`);
        assert.equal(control.attr('name'), field, `#${field} is the ${field} field`);
        assert.equal(control.attr('aria-invalid'), 'true');
        assert.ok((control.attr('aria-describedby') ?? '').split(' ').includes(`${field}-error`));
        assert.ok(control.parent().find(`#${field}-error`).length === 1, 'the message sits with its field');
        const link = page(`.error-summary a[href="#${field}"]`);
        assert.equal(link.length, 1, `the summary links to #${field}`);
        assert.match(squash(link.text()), pattern);
      }
      assertTypedValuesKept(page, sent, testCase.notRoundTripped);
    });
  }

  it('keeps a comment that starts with a line break exactly as typed', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    const sent = typed(fields, { author: '', comment: '\nIndented start.\n\nSecond paragraph.' });
    const response = await postPairs(browser, sent, { ip: nextIp() });
    assert.equal(response.status, 422);
    assert.equal(formFields(parsePage(response.text)).comment, '\nIndented start.\n\nSecond paragraph.');
  });

  it('refuses over-long fields rather than storing them cut short', async () => {
    for (const overrides of [
      { author: 'n'.repeat(300) },
      { comment: 'c'.repeat(70000) },
      { url: `https://example.com/${'p'.repeat(300)}` },
    ]) {
      const { response } = await submit(harness.browser(), overrides);
      assert.equal(response.status, 422);
    }
    assert.equal(await commentCount(database.db), 0);
  });

  it('keeps the reply state when a reply is refused', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    const { response } = await submit(harness.browser(), { author: '' }, { pagePath: `${DEMO_PATH}?replytocom=${parent}` });
    assert.equal(response.status, 422);
    const page = parsePage(response.text);
    assert.equal(formFields(page).parent_id, parent);
    assert.match(visibleTextAt(page, '#reply-title'), /^Reply to Grace Hopper/);
    assert.equal(await commentCount(database.db), 1, 'only the parent');
  });
});

describe('POST /articles/:slug/comments — parent_id that cannot be replied to gives 422', () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['an unknown comment', () => Promise.resolve('987654'), /could not be found/],
    ['not a number', () => Promise.resolve('abc'), /could not be found/],
    [
      'a comment on another article',
      async () => insertComment(database.db, { article_id: await insertArticle(database.db, { slug: 'another-article' }) }),
      /could not be found/,
    ],
    ['a pending comment', async () => insertComment(database.db, { status: 'pending' }), /published/],
    ['a spam comment', async () => insertComment(database.db, { status: 'spam' }), /could not be found|published/],
    ['a trashed comment', async () => insertComment(database.db, { status: 'trash' }), /could not be found|published/],
  ];
  for (const [description, parentOf, pattern] of cases) {
    it(`refuses a reply to ${description}`, async () => {
      const parentId = await parentOf();
      const before = await commentCount(database.db);
      const browser = harness.browser();
      const { fields } = await loadForm(browser);
      harness.advanceSeconds(5);
      const sent = typed(fields, { parent_id: parentId, comment: AWKWARD_COMMENT });
      const response = await postPairs(browser, sent, { ip: nextIp() });
      assert.equal(response.status, 422);
      assert.equal(await commentCount(database.db), before, 'nothing stored');
      const page = parsePage(response.text);
      const summary = page('.error-summary');
      assert.equal(summary.length, 1);
      assert.match(squash(summary.text()), pattern);
      const target = summary.find('a').attr('href')!;
      assert.equal(page(target).length, 1, `the summary link ${target} leads somewhere on the page`);
      assertTypedValuesKept(page, sent);
    });
  }
});

describe('POST /articles/:slug/comments — what a browser form never sends gives 422', () => {
  async function postRaw(extra: (fields: Record<string, string>) => Array<[string, string]>) {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(5);
    const sent = typed(fields, { comment: AWKWARD_COMMENT });
    const response = await postPairs(browser, extra(sent), { ip: nextIp() });
    return { sent, response, page: parsePage(response.text) };
  }

  for (const field of ['author', 'email', 'comment', 'url']) {
    it(`refuses a repeated ${field} field`, async () => {
      const { sent, response, page } = await postRaw((sent) => [...Object.entries(sent), [field, sent[field]!]]);
      assert.equal(response.status, 422);
      assert.equal(await commentCount(database.db), 0);
      assert.match(textAt(page, `#${field}-error`), /more than once/);
      assert.equal(page(`.error-summary a[href="#${field}"]`).length, 1);
      assertTypedValuesKept(page, sent, [field]);
    });
  }

  it('refuses a repeated hidden field', async () => {
    const { response } = await postRaw((sent) => [...Object.entries(sent), ['parent_id', '']]);
    assert.equal(response.status, 422);
    assert.equal(await commentCount(database.db), 0);
  });

  for (const [name, value] of [
    ['status', 'approved'],
    ['constructor', 'x'],
    ['__proto__[status]', 'approved'],
    ['author[first]', 'Ada'],
  ]) {
    it(`refuses an unknown key ${name}`, async () => {
      const { sent, response, page } = await postRaw((sent) => [...Object.entries(sent), [name!, value!]]);
      assert.equal(response.status, 422);
      assert.equal(await commentCount(database.db), 0);
      const summary = page('.error-summary');
      assert.equal(summary.length, 1);
      assert.equal(page(summary.find('a').attr('href')).length, 1, 'the summary link leads to the form');
      assertTypedValuesKept(page, sent);
    });
  }
});

describe('POST /articles/:slug/comments — duplicates and repeats', () => {
  it('answers the same name, email and text on the same article with 409 and stores nothing', async () => {
    await insertComment(database.db, {
      status: 'pending',
      author_name: 'Ada Reader',
      author_email: 'Ada@Example.org',
      body: 'I have said this before.',
    });
    const { response, fields } = await submit(harness.browser(), {
      author: 'Ada Reader',
      email: 'ada@example.org',
      comment: '  I have said this before.  ',
    });
    assert.equal(response.status, 409);
    assert.equal(await commentCount(database.db), 1);
    const page = parsePage(response.text);
    assert.ok(squash(page('#respond').text()).includes(DUPLICATE), 'the duplicate message is shown');
    const notice = page('#form-notice');
    assert.equal(notice.attr('role'), 'alert');
    assert.ok(notice.attr('autofocus') !== undefined && notice.attr('tabindex') === '-1', 'the reader is taken to the message');
    assert.equal(formFields(page).comment, '  I have said this before.  ');
    assert.equal(formFields(page).author, 'Ada Reader');
    assert.notEqual(fields.submission_id, '');
  });

  // WordPress (wp_allow_comment) looks for a duplicate before it looks for a
  // flood, so saying the same thing twice in a row is a 409, not a 429.
  it('answers a second POST of the same words with 409', async () => {
    const browser = harness.browser();
    const first = await submit(browser, { comment: 'Said twice.' });
    assert.equal(first.response.status, 303);
    const second = await submit(browser, { comment: 'Said twice.' });
    assert.equal(second.response.status, 409);
    assert.ok(second.response.text.includes(DUPLICATE));
    assert.equal(await commentCount(database.db), 1);
  });

  it('does not call the same words a duplicate under another parent', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    await insertComment(database.db, { author_name: 'Ada Reader', author_email: 'ada@example.org', body: 'Agreed.' });
    const { response } = await submit(
      harness.browser(),
      { author: 'Ada Reader', email: 'ada@example.org', comment: 'Agreed.' },
      { pagePath: `${DEMO_PATH}?replytocom=${parent}` },
    );
    assert.equal(response.status, 303);
    assert.equal(await commentCount(database.db), 3);
  });

  it('stores one comment for one submission_id posted twice, and redirects both to it', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(5);
    const sent = typed(fields, { comment: 'Double-clicked.' });
    const first = await postPairs(browser, sent, { ip: '198.51.100.1' });
    const second = await postPairs(browser, sent, { ip: '198.51.100.1' });
    assert.equal(first.status, 303);
    assert.equal(second.status, 303);
    assert.equal(second.headers.location, first.headers.location);
    assert.equal(await commentCount(database.db), 1);
    const [row] = await allComments(database.db);
    assert.equal(idFromLocation(first.headers.location), row!.id);
  });

  it('says so when the form is resent with other text after its first sending was stored, keeping the new text to save as an edit', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(5);
    const first = await postPairs(browser, typed(fields, { comment: 'The first words.' }), { ip: '198.51.100.3' });
    assert.equal(first.status, 303);
    // As from the 503 page: the same form, its text edited, the first attempt having in fact been stored.
    const resent = await postPairs(browser, typed(fields, { comment: 'The first words, put better.' }), { ip: '198.51.100.3' });
    assert.equal(resent.status, 409);
    const page = parsePage(resent.text);
    assert.match(squash(page('.notice').text()), /already been posted .* the text you sent the second time was not/);
    assert.equal(page('textarea[name="comment"]').text(), 'The first words, put better.');
    const [row] = await allComments(database.db);
    assert.equal(row!.body, 'The first words.');
    assert.equal(await commentCount(database.db), 1);
    // The page's own form saves the new text as an edit of the stored comment.
    const form = page('form[action^="/comments/"]').first();
    const saved = await browser
      .post(form.attr('action')!)
      .set('Origin', APP_ORIGIN)
      .type('form')
      .send(Object.fromEntries(form.serializeArray().map(({ name, value }) => [name, value])));
    assert.equal(saved.status, 303);
    const [edited] = await allComments(database.db);
    assert.equal(edited!.body, 'The first words, put better.');
  });

  it('stores one comment when the same submission arrives twice at once', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(5);
    const sent = typed(fields, { comment: 'Sent by a jittery network.' });
    const [first, second] = await Promise.all([
      postPairs(harness.browser(), sent, { ip: '198.51.100.2' }),
      postPairs(harness.browser(), sent, { ip: '198.51.100.2' }),
    ]);
    assert.equal(first.status, 303);
    assert.equal(second.status, 303);
    assert.equal(first.headers.location, second.headers.location);
    assert.equal(await commentCount(database.db), 1);
  });
});

describe('POST /articles/:slug/comments — refused outright', () => {
  it('answers 403 when comments are closed, storing nothing', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    harness.advanceSeconds(5);
    const response = await postPairs(browser, typed(fields), { ip: nextIp() });
    assert.equal(response.status, 403);
    assert.equal(await commentCount(database.db), 0);
    const page = parsePage(response.text);
    assert.match(squash(page('#respond').text()), /closed/i);
    assert.equal(page('#respond [role="alert"][autofocus]').length, 1, 'the refusal is where the reader is taken');
    const reader = parsePage((await browser.get(DEMO_PATH).expect(200)).text);
    assert.equal(textAt(reader, '#respond .no-comments'), 'Comments are closed.');
    assert.equal(reader('#respond [autofocus]').length, 0, 'a reader who only reads is not moved anywhere');
  });

  it('answers 404 for an unknown article, storing nothing', async () => {
    const { response } = await submit(harness.browser(), {}, { path: '/articles/no-such-article/comments' });
    assert.equal(response.status, 404);
    assert.equal(await commentCount(database.db), 0);
    assert.equal(parsePage(response.text)('.site-header').length, 1);
  });

  it('answers 404 for a draft article, storing nothing', async () => {
    await insertArticle(database.db, { slug: 'a-draft', status: 'draft' });
    const { response } = await submit(harness.browser(), {}, { path: '/articles/a-draft/comments' });
    assert.equal(response.status, 404);
    assert.equal(await commentCount(database.db), 0);
  });

  it('answers 413 for a body over 1 MB, storing nothing', async () => {
    const { response } = await submit(harness.browser(), { comment: 'x'.repeat(1_100_000) });
    assert.equal(response.status, 413);
    assert.equal(await commentCount(database.db), 0);
    assert.equal(parsePage(response.text)('.site-header').length, 1);
  });

  it('answers 403 to a post from another origin, storing nothing', async () => {
    const { response } = await submit(harness.browser(), {}, { origin: 'https://evil.example' });
    assert.equal(response.status, 403);
    assert.equal(await commentCount(database.db), 0);
  });

  it('answers 403 to a post the browser marks cross-site, storing nothing', async () => {
    const { response } = await submit(harness.browser(), {}, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(response.status, 403);
    assert.equal(await commentCount(database.db), 0);
  });

  it('believes a cross-site Sec-Fetch-Site even with a matching Origin', async () => {
    const { response } = await submit(harness.browser(), {}, { origin: APP_ORIGIN, headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(response.status, 403);
    assert.equal(await commentCount(database.db), 0);
  });
});

describe('POST /articles/:slug/comments — what others see', () => {
  const SCRIPT = '<script>alert(1)</script>';
  const BREAKOUT = '"><img src=x onerror=alert(1)>';

  it('shows markup typed into name, website and comment as text once approved', async () => {
    const author = `${SCRIPT}${BREAKOUT}`;
    const url = `https://example.com/${BREAKOUT}`;
    const body = `Hello ${SCRIPT} and ${BREAKOUT} and <a href="javascript:alert(1)">x</a>`;
    const { response } = await submit(harness.browser(), { author, url, comment: body });
    assert.equal(response.status, 303);
    const id = idFromLocation(response.headers.location);
    const [row] = await allComments(database.db);
    assert.equal(row!.author_name, author, 'stored as plain text');
    assert.equal(row!.body, body);
    await database.db('comments').where({ id }).update({ status: 'approved', approved_at: new Date() });

    for (const path of [DEMO_PATH, `${DEMO_PATH}?replytocom=${id}`]) {
      const { page, html } = await pageFor(null, path);
      assert.ok(!html.includes('<script>alert'), `no raw <script>alert in ${path}`);
      assert.ok(!/<img[^>]*onerror/i.test(html), `no raw <img onerror> in ${path}`);
      assertNoInjectedMarkup(page);
      const comment = page(`#comment-${id}`);
      assert.equal(squash(comment.find('.comment-author .fn').text()), author);
      assert.equal(comment.find('.comment-author a').attr('href'), url);
      assert.equal(squash(comment.find('.comment-content').text()), squash(body));
      assert.equal(comment.find('.comment-content a, .comment-content script, .comment-content img').length, 0);
    }
    const reply = (await pageFor(null, `${DEMO_PATH}?replytocom=${id}`)).page;
    assert.match(visibleTextAt(reply, '#reply-title'), new RegExp(`^Reply to ${author.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('shows markup typed into a refused form as text', async () => {
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    const sent = typed(fields, { author: SCRIPT, email: BREAKOUT, url: BREAKOUT, comment: `</textarea>${SCRIPT}` });
    const response = await postPairs(browser, sent, { ip: nextIp() });
    assert.equal(response.status, 422);
    const page = parsePage(response.text);
    assertNoInjectedMarkup(page);
    assert.ok(!response.text.includes('<script>alert'));
    assertTypedValuesKept(page, sent);
  });

  it('never shows the commenter’s email address to another reader', async () => {
    const { response } = await submit(harness.browser(), { email: 'very.private.person@mail.example.net', remember: 'yes' });
    const id = idFromLocation(response.headers.location);
    await database.db('comments').where({ id }).update({ status: 'approved' });
    const { page, html } = await pageFor(harness.browser());
    assert.equal(page(`#comment-${id}`).length, 1, 'the comment itself is public');
    assert.ok(!html.includes('very.private.person'), 'the email is not');
    assert.ok(!html.includes('mail.example.net'));
  });

  it('sets no session cookie on the article page or a comment POST: only the commenter cookies', async () => {
    const read = await request(harness.app).get(DEMO_PATH);
    assert.equal(read.headers['set-cookie'], undefined);
    const { response } = await submit(harness.browser(), { remember: 'yes' });
    assert.equal(response.status, 303);
    const names = cookiesSet(response);
    assert.ok(names.length > 0);
    for (const name of names) assert.ok(COMMENTER_COOKIES.includes(name), `unexpected cookie ${name}`);
    assert.ok(!names.includes('connect.sid'));
    assert.ok(!names.includes('broadsheet_admin'));
    const sessions = await database.db('session').count<{ count: string }>({ count: '*' }).first();
    assert.equal(Number(sessions?.count), 0, 'no session row was made');
  });

  it('shows the comment count on the home page only once approved', async () => {
    const { response } = await submit(harness.browser());
    const id = idFromLocation(response.headers.location);
    const before = parsePage((await request(harness.app).get('/')).text);
    assert.equal(textAt(before, '.post-summary .comments-link'), 'No comments');
    await database.db('comments').where({ id }).update({ status: 'approved' });
    const after = parsePage((await request(harness.app).get('/')).text);
    assert.equal(textAt(after, '.post-summary .comments-link'), '1 comment');
    assert.equal(COMMENTS_PATH, `${DEMO_PATH}/comments`);
  });
});

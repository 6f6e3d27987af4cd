import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import request from 'supertest';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { DEMO_PATH, loadForm } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, parsePage, squash, type Page } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';
import {
  XSS_PAYLOADS,
  acceptedId,
  attackHarness,
  deliverQueuedMail,
  rowCounts,
  storedComment,
  type AttackHarness,
  type DeliveredMail,
} from '../helpers/security.js';

/**
 * Markup typed into the comment form is stored exactly as typed and shown as
 * text wherever it appears: to its author while held, in the form that comes
 * back refused, in the moderation queue, on the public page and in its
 * structured data once approved, in the Atom feed, and in every mail.
 */

const database = useTestDatabase();
let harness: AttackHarness;
let admin: AdminClient;

beforeEach(async () => {
  harness = attackHarness(database.db);
  admin = await signInAdmin(harness.app, database.db);
});

const TITLE = 'Xi Ducks Putin’s Push for Expanded Military Ties';
const FEED_PATH = `${DEMO_PATH}/comments/feed.xml`;

/** The website field only takes http(s) addresses: the payload rides in its path and fragment. */
const websiteCarrying = (payload: string) => `https://attacker.example/${payload}`;

/** Text of a comment's paragraphs as shown, line breaks as newlines (the source's newline after a <br> shows as nothing). */
function shownBody(page: Page, scope: string): string {
  return page(`${scope} p`)
    .map((_index, paragraph) =>
      page(paragraph)
        .html()!
        .split(/<br>\n?/)
        .map((line) => cheerio.load(line).text())
        .join('\n'),
    )
    .get()
    .join('\n\n');
}

/** What the rendered comment text may hold: the Markdown subset, links only to http(s), each nofollow ugc noopener. */
const COMMENT_MARKUP = new Set(['p', 'br', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a']);

function assertOnlyCommentMarkup(page: Page, scope: string) {
  page(`${scope} *`).each((_index, element) => {
    if (!('attribs' in element)) return;
    assert.ok(COMMENT_MARKUP.has(element.tagName), `<${element.tagName}> in the comment text`);
    const attributes = Object.keys(element.attribs).sort();
    if (element.tagName === 'a') {
      assert.deepEqual(attributes, ['href', 'rel']);
      assert.match(element.attribs.href!, /^https?:\/\/[^\s"'<>]+$/);
      assert.equal(element.attribs.rel, 'nofollow ugc noopener');
    } else {
      assert.deepEqual(
        attributes.filter((name) => !(element.tagName === 'ol' && name === 'start')),
        [],
        `attributes on <${element.tagName}>`,
      );
    }
  });
}

/** Markup aimed at the Markdown rendering of comment text: each must stay harmless text or an allowed, safe element. */
const MARKDOWN_PAYLOADS = {
  'Markdown link to javascript:': '[click me](javascript:alert(1))',
  'Markdown image with onerror': '![x" onerror="alert(1)](https://example.org/x.png)',
  'autolink to javascript:': '<javascript:alert(1)>',
  'autolink to data:': '<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>',
  'reference link to vbscript:': '[a]: vbscript:msgbox(1)\n\n[a]',
  'quote breaking out of a linked address': 'https://example.org/"onmouseover="alert(1)" x="',
  'script after a linked address': "https://example.org/'><script>alert(1)</script>",
  'raw HTML inside a code span': '`<img src=x onerror=alert(1)>`',
  'raw HTML inside a code block': '```html\n<script>alert(1)</script>\n```',
  'raw HTML inside a quote and a list': '> <iframe src="javascript:alert(1)">\n\n- <svg onload=alert(1)>',
  'HTML entity spelling javascript:': '[x](&#106;avascript:alert(1)) &#x3C;script&#x3E;',
} as const;

/** The comment's entry in an Atom feed: its `type="html"` title and content as a reader would render them. */
function feedEntry(xml: string, id: string) {
  const feed = cheerio.load(xml, { xml: true });
  assert.equal(feed('script, img, svg, iframe, a[href^="javascript"]').length, 0, 'no markup smuggled into the XML');
  const entry = feed('entry').filter((_index, element) => feed(element).find('id').text().endsWith(`#comment-${id}`));
  assert.equal(entry.length, 1, `one feed entry for comment ${id}`);
  const asRendered = (selector: string) => {
    const html = parsePage(`<div id="x">${entry.find(selector).text()}</div>`);
    assertNoInjectedMarkup(html);
    assert.equal(html('#x *').not('p, br').length, 0, `${selector}: no elements but paragraphs`);
    return html('#x').text();
  };
  return { title: asRendered('title'), content: asRendered('content') };
}

function mailTo(mails: DeliveredMail[], recipient: string): DeliveredMail {
  const found = mails.filter((mail) => mail.headers.get('to') === recipient);
  assert.equal(found.length, 1, `one mail to ${recipient}: ${mails.map((mail) => mail.headers.get('to')).join(', ')}`);
  return found[0]!;
}

/**
 * Plain text only: no HTML part a mail reader could render, and no header
 * beyond what the mailer writes (RFC 8058's unsubscribe pair on mail that has one).
 */
function assertPlainTextMail(mail: DeliveredMail) {
  assert.match(mail.contentType, /^text\/plain; charset=utf-8$/i);
  const names = mail.rawHeaders.map((line) => line.slice(0, line.indexOf(':')).toLowerCase()).sort();
  const unsubscribe = ['list-unsubscribe', 'list-unsubscribe-post'];
  assert.deepEqual(
    names.filter((name) => !unsubscribe.includes(name)),
    ['content-transfer-encoding', 'content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to'],
  );
}

describe('markup in every field is text wherever it is shown', () => {
  for (const [name, payload] of Object.entries(XSS_PAYLOADS)) {
    it(`${name}: held, refused, queued, approved, in the feed and in mail`, async () => {
      const parent = await insertComment(database.db, {
        author_name: 'Ada Reader',
        author_email: 'ada@example.org',
        body: 'Tell me when someone answers.',
      });
      await database.db('comments').where({ id: parent }).update({ notify_on_reply: true });
      const browser = harness.browser();
      const typed = { author: payload, comment: `${payload}\nsecond line`, url: websiteCarrying(payload), email: 'mallory@example.net' };

      // Refused for its email, the form comes back with every value exactly as typed.
      const before = await rowCounts(database.db);
      const refused = await harness.post({ ...typed, email: 'not an email' }, { browser });
      assert.equal(refused.status, 422);
      const refusedPage = parsePage(refused.text);
      assertNoInjectedMarkup(refusedPage);
      assert.equal(refusedPage('#author').attr('value'), payload);
      assert.equal(refusedPage('#url').attr('value'), typed.url);
      assert.equal(refusedPage('#comment').text(), typed.comment);
      assert.deepEqual(await rowCounts(database.db), before, 'nothing stored');

      // Accepted: stored byte for byte.
      const posted = await harness.post(
        { ...typed, parent_id: parent, remember: 'yes', notify_approval: 'yes' },
        { browser, pagePath: `${DEMO_PATH}?replytocom=${parent}` },
      );
      const id = acceptedId(posted);
      const row = await storedComment(database.db, id);
      assert.equal(row.status, 'pending');
      assert.equal(row.author_name, payload);
      assert.equal(row.body, typed.comment);
      assert.equal(row.author_url, typed.url);

      // Its author sees it held, as text, and the remembered form prefilled as text.
      const own = await loadForm(browser);
      assertNoInjectedMarkup(own.page);
      assert.equal(squash(own.page(`#comment-${id} .fn`).text()), squash(payload));
      assert.equal(own.page(`#comment-${id} .fn a.url`).attr('href'), typed.url);
      assert.equal(shownBody(own.page, `#comment-${id} .comment-content`), typed.comment);
      assert.equal(own.page('#author').attr('value'), payload);
      assert.equal(own.page('#url').attr('value'), typed.url);

      // The moderation queue.
      const queue = parsePage((await admin.agent.get('/admin/comments').expect(200)).text);
      assertNoInjectedMarkup(queue);
      assert.equal(queue(`#comment-${id} .author-name strong`).text(), payload);
      assert.equal(shownBody(queue, `#comment-${id} .queue-row__text`), typed.comment);
      assert.equal(queue(`#comment-${id} .author-facts a[rel~="ugc"]`).attr('href'), typed.url);
      assert.equal(queue(`#comment-${id} label[for="select-${id}"]`).text(), `Select the comment by ${payload}`);

      // Approved: the public page, its JSON-LD, and the feed.
      await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
      const publicPage = parsePage((await request(harness.app).get(DEMO_PATH).expect(200)).text);
      assertNoInjectedMarkup(publicPage);
      assert.equal(squash(publicPage(`#comment-${id} .fn`).text()), squash(payload));
      assert.equal(shownBody(publicPage, `#comment-${id} .comment-content`), typed.comment);
      assert.equal(publicPage(`#comment-${id} .comment-reply-link`).attr('data-author'), payload);
      const jsonLd = JSON.parse(publicPage('script[type="application/ld+json"]').text()) as {
        comment?: Array<{ text: string; author: { name: string } }>;
      };
      const described = jsonLd.comment?.find((comment) => comment.text === typed.comment);
      assert.ok(described, 'the comment is in the structured data, as typed');
      assert.equal(described.author.name, payload);

      const feed = await request(harness.app).get(FEED_PATH).expect(200);
      const entry = feedEntry(feed.text, id);
      assert.equal(entry.title, `By: ${payload}`);
      assert.equal(entry.content.trim(), `${payload}\nsecond line`, 'the text as the page shows it, its line break kept');
      // The entry's author name is checked on its own below.

      // Mail: held (to the moderator), published (to the author), reply (to Ada); all plain text, as typed.
      const mails = await deliverQueuedMail(database.db);
      assert.equal(mails.length, 3);
      for (const mail of mails) assertPlainTextMail(mail);
      const held = mailTo(mails, 'moderation@127.0.0.1');
      assert.ok(held.body.startsWith(`${payload} commented on “${TITLE}”.`), held.body);
      assert.ok(held.body.includes(`\n\n${typed.comment}\n\n`), held.body);
      const published = mailTo(mails, 'mallory@example.net');
      assert.ok(published.body.startsWith(`Hello ${payload},\n`), published.body);
      const reply = mailTo(mails, 'ada@example.org');
      assert.equal(reply.headers.get('subject'), `${payload} replied to your comment on “${TITLE}”`);
      assert.ok(reply.body.includes(`\n\n${typed.comment}\n\n`), reply.body);
    });
  }
});

describe('Markdown in comment text renders only the safe subset, on the page its author sees and once approved', () => {
  for (const [name, payload] of Object.entries(MARKDOWN_PAYLOADS)) {
    it(name, async () => {
      const browser = harness.browser();
      const id = acceptedId(await harness.post({ comment: payload }, { browser }));
      assert.equal((await storedComment(database.db, id)).body, payload, 'stored exactly as typed');
      const own = await loadForm(browser);
      assertNoInjectedMarkup(own.page);
      assertOnlyCommentMarkup(own.page, `#comment-${id} .comment-content`);

      await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
      const publicPage = parsePage((await request(harness.app).get(DEMO_PATH).expect(200)).text);
      assertNoInjectedMarkup(publicPage);
      assertOnlyCommentMarkup(publicPage, `#comment-${id} .comment-content`);
      assert.ok(squash(publicPage(`#comment-${id} .comment-content`).text()).length > 0, 'the words are still shown');
    });
  }

  it('a web address becomes a nofollow ugc noopener link; formatting renders', async () => {
    const id = await insertComment(database.db, { body: 'See https://example.org/a?b=1 and *this*.' });
    const page = parsePage((await request(harness.app).get(DEMO_PATH).expect(200)).text);
    const link = page(`#comment-${id} .comment-content a`);
    assert.equal(link.attr('href'), 'https://example.org/a?b=1');
    assert.equal(link.attr('rel'), 'nofollow ugc noopener');
    assert.equal(page(`#comment-${id} .comment-content em`).text(), 'this');
    assertOnlyCommentMarkup(page, `#comment-${id} .comment-content`);
  });
});

describe('markup in the email field', () => {
  for (const email of [
    '"><script>alert(1)</script>@example.com',
    "x' onmouseover='alert(1)@example.com",
    '<img src=x onerror=alert(1)>@example.com',
  ]) {
    it(`${email} is refused (422), shown back as text, nothing stored`, async () => {
      const before = await rowCounts(database.db);
      const response = await harness.post({ email });
      assert.equal(response.status, 422);
      assert.deepEqual(await rowCounts(database.db), before);
      const page = parsePage(response.text);
      assertNoInjectedMarkup(page);
      assert.equal(page('#email').attr('value'), email);
    });
  }

  it('an address with an apostrophe is stored as typed and shown as text in the queue, its mailto link and the remembered form', async () => {
    const email = "o'hara+tag@example.com";
    const browser = harness.browser();
    const id = acceptedId(await harness.post({ email, remember: 'yes' }, { browser }));
    assert.equal((await storedComment(database.db, id)).author_email, email);
    const queue = parsePage((await admin.agent.get('/admin/comments').expect(200)).text);
    assertNoInjectedMarkup(queue);
    assert.equal(queue(`#comment-${id} .author-facts a[href^="mailto:"]`).attr('href'), `mailto:${email}`);
    assert.equal(queue(`#comment-${id} .author-facts a[href^="mailto:"]`).text(), email);
    const own = await loadForm(browser);
    assert.equal(own.page('#email').attr('value'), email);
    assert.ok(own.html.includes('o&#39;hara+tag@example.com'), 'the apostrophe is escaped in the attribute');
  });
});

describe('the feeds’ plain-text names and titles', () => {
  it('are exactly as typed, even text that looks like an XML entity', async () => {
    const names = ['Tom &amp; Jerry', 'AT&amp;T &lt;3', ...Object.values(XSS_PAYLOADS)];
    for (const name of names) await insertComment(database.db, { author_name: name, body: `By ${name}` });
    const feed = cheerio.load((await request(harness.app).get(FEED_PATH).expect(200)).text, { xml: true });
    const shown = feed('entry > author > name')
      .map((_index, element) => feed(element).text())
      .get()
      .reverse();
    assert.deepEqual(shown, names);

    await insertArticle(database.db, { slug: 'entities', title: 'Cats &amp; Dogs & <Mice>', author_name: 'Ann &amp; Bob' });
    const articleFeed = cheerio.load((await request(harness.app).get('/articles/entities/comments/feed.xml').expect(200)).text, {
      xml: true,
    });
    assert.equal(articleFeed('feed > title').text(), 'Comments on: Cats &amp; Dogs & <Mice>');
    const siteFeed = cheerio.load((await request(harness.app).get('/feed.xml').expect(200)).text, { xml: true });
    assert.ok(
      siteFeed('entry > author > name')
        .map((_index, element) => siteFeed(element).text())
        .get()
        .includes('Ann &amp; Bob'),
    );
  });
});

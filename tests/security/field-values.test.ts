import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { COMMENTS_PATH, DEMO_PATH, loadForm } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, squash } from '../helpers/html.js';
import { acceptedId, assertRefused, attackHarness, rowCounts, sendBytes, storedComment, type AttackHarness } from '../helpers/security.js';

/**
 * What one field may hold: websites that are not web addresses, lengths one
 * over the contract's limits, NUL and bytes that are not UTF-8, line breaks
 * where a mail header could be made of them, emoji and bidi controls that
 * must survive byte for byte, and SQL that must stay text.
 */

const database = useTestDatabase();
let harness: AttackHarness;

beforeEach(() => {
  harness = attackHarness(database.db);
});

/** Posts the typed fields and checks the refusal: status, message at `field`, nothing stored, the page free of injected markup. */
async function expectRefused(overrides: Record<string, string>, field: string, status = 422) {
  const before = await rowCounts(database.db);
  const page = await assertRefused(database.db, before, await harness.post(overrides), status, field);
  assertNoInjectedMarkup(page);
  return page;
}

/** The stored text's UTF-8 bytes, as PostgreSQL holds them. */
async function storedBytes(id: string, column: string): Promise<Buffer> {
  const row = await database
    .db('comments')
    .select(database.db.raw(`convert_to(??, 'UTF8') AS bytes`, [column]))
    .where({ id })
    .first<{ bytes: Buffer }>();
  return row.bytes;
}

describe('websites that are not web addresses are refused (422, nothing stored)', () => {
  const schemes = {
    'javascript:': 'javascript:alert(document.cookie)',
    'javascript: in mixed case with leading spaces': '  JaVaScRiPt:alert(1)',
    'javascript: with a tab inside the scheme': 'java\tscript:alert(1)',
    'javascript: dressed as a URL': 'javascript://example.com/%0Aalert(1)',
    'data:': 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:': 'vbscript:msgbox("x")',
    'file:': 'file:///etc/passwd',
    'an entity-encoded javascript:': '&#106;avascript:alert(1)',
  };
  for (const [name, url] of Object.entries(schemes)) {
    it(name, async () => {
      const page = await expectRefused({ url }, 'url');
      assert.match(squash(page('#url-error').text()), /http:\/\/ or https:\/\//);
      assert.equal(page('#url').attr('value'), url, 'typed value kept, as text');
    });
  }

  it('a bare domain is taken as https, and nothing else is rewritten', async () => {
    const id = acceptedId(await harness.post({ url: '//ada.example.org/a?b=<c>' }));
    assert.equal((await storedComment(database.db, id)).author_url, 'https://ada.example.org/a?b=<c>');
  });
});

describe('each field one over its limit is refused; at the limit it is stored', () => {
  const limits = {
    author: { limit: 245, make: (length: number) => '名'.repeat(length) },
    email: { limit: 100, make: (length: number) => `${'e'.repeat(length - 12)}@example.org` },
    url: { limit: 200, make: (length: number) => `https://example.org/${'p'.repeat(length - 20)}` },
    comment: { limit: 65525, make: (length: number) => '😀'.repeat(length) },
  } as const;
  const columns = { author: 'author_name', email: 'author_email', url: 'author_url', comment: 'body' } as const;
  for (const [field, { limit, make }] of Object.entries(limits)) {
    it(`${field}: ${limit + 1} characters refused, ${limit} stored exactly`, async () => {
      const page = await expectRefused({ [field]: make(limit + 1) }, field);
      assert.match(squash(page(`#${field}-error`).text()), new RegExp(limit.toLocaleString('en-US')));
      const id = acceptedId(await harness.post({ [field]: make(limit) }));
      const stored = (await storedComment(database.db, id))[columns[field as keyof typeof columns]];
      assert.equal(Array.from(stored).length, limit);
      assert.equal(stored, make(limit));
    });
  }
});

describe('NUL bytes and bytes that are not UTF-8 never cause a 500', () => {
  for (const field of ['comment', 'author', 'email', 'url']) {
    it(`a NUL byte in ${field} is refused with a message at the field`, async () => {
      const value = { comment: 'one\u0000two', author: 'Ada\u0000', email: 'ada\u0000@example.org', url: 'https://example.org/\u0000' }[
        field
      ]!;
      const page = await expectRefused({ [field]: value }, field);
      assert.match(squash(page(`#${field}-error`).text()), /NUL/);
    });
  }

  /** The hidden fields of a freshly rendered form, url-encoded. */
  async function hiddenFields(): Promise<string> {
    const { fields } = await loadForm(harness.browser());
    harness.advanceSeconds(5);
    await database.db('rate_limits').delete();
    return new URLSearchParams({ submission_id: fields.submission_id!, rendered_at: fields.rendered_at! }).toString();
  }

  for (const bytes of ['%E9t%E9', '%C3%28', '%ED%A0%80', '%C0%AF', '%F8%88%80%80%80', '%FF%FE']) {
    it(`percent-encoded ${bytes} (not UTF-8) is kept as the literal text sent, never decoded into garbage`, async () => {
      const body = `${await hiddenFields()}&comment=caf${bytes}&author=Ada&email=ada%40example.org&url=`;
      const row = await storedComment(database.db, acceptedId(await request(harness.app).post(COMMENTS_PATH).type('form').send(body)));
      assert.equal(row.body, `caf${bytes}`);
    });
  }

  it('raw bytes that are not UTF-8 become U+FFFD, never a 500', async () => {
    const body = Buffer.concat([
      Buffer.from(`${await hiddenFields()}&comment=caf`),
      Buffer.from([0xe9, 0xff, 0xc0, 0xaf]),
      Buffer.from('&author=Ada&email=ada%40example.org&url='),
    ]);
    const response = await sendBytes(harness.app, {
      path: COMMENTS_PATH,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) },
      body,
    });
    assert.equal(response.status, 303);
    const id = /#comment-(\d+)$/.exec(String(response.headers.location))?.[1];
    assert.equal((await storedComment(database.db, id!)).body, 'caf\uFFFD\uFFFD\uFFFD\uFFFD');
  });

  it('a URL path or query that is not UTF-8 is a 400 or 404, never a 500', async () => {
    for (const path of [
      `/articles/%FF`,
      `/articles/%C0%AF/comments/feed.xml`,
      `/comments/%E9/edit`,
      `/avatars/%FF.svg`,
      `${DEMO_PATH}?replytocom=%FF`,
    ]) {
      const response = await request(harness.app).get(path);
      assert.ok([200, 400, 404].includes(response.status), `${path}: ${response.status}`);
      assert.doesNotMatch(response.text, /URIError|at decode|node_modules/, `${path}: no stack trace`);
    }
    const posted = await request(harness.app).post('/articles/%FF/comments').type('form').send('comment=x');
    assert.ok([400, 404].includes(posted.status), `POST: ${posted.status}`);
  });
});

describe('emoji and bidi controls round-trip byte for byte in a comment; a name loses its bidi controls', () => {
  const NAMES = {
    'emoji with skin tone and ZWJ': { author: 'Ada 👩🏽‍💻 Reader 🇺🇦', stored: 'Ada 👩🏽‍💻 Reader 🇺🇦' },
    'a right-to-left override': { author: 'Eve \u202Egnp.exe\u202C Reader', stored: 'Eve gnp.exe Reader' },
    'Arabic with isolates and combining marks': { author: '\u2067عائشة\u2069 é\u0301 \u200D', stored: 'عائشة é\u0301 \u200D' },
  };
  for (const [name, { author, stored }] of Object.entries(NAMES)) {
    it(name, async () => {
      const browser = harness.browser();
      const comment = `${author}\nsays hello`;
      const id = acceptedId(await harness.post({ author, comment }, { browser }));
      assert.deepEqual(await storedBytes(id, 'author_name'), Buffer.from(stored, 'utf8'));
      assert.deepEqual(await storedBytes(id, 'body'), Buffer.from(comment, 'utf8'));
      const { page, html } = await loadForm(browser);
      assert.equal(page(`#comment-${id} .fn`).text().trim(), stored);
      assert.ok(html.includes(stored), 'sent as the same characters, not entities or replacements');
    });
  }
});

describe('line breaks in one-line fields are refused, so no mail header or mail line can be made of them', () => {
  const values = {
    'email with CR LF and a Bcc header': { email: 'ada@example.org\r\nBcc: victim@example.com' },
    'email with a bare LF': { email: 'ada@example.org\nCc: victim@example.com' },
    'email with an encoded-word': { email: '=?utf-8?q?ada=0D=0ABcc:victim@example.com?=@example.org' },
    'email with two addresses': { email: 'ada@example.org, victim@example.com' },
    'name with CR LF and a header': { author: 'Ada\r\nBcc: victim@example.com' },
    'name with a line separator': { author: 'Ada\u2028Subject: free money' },
    'website with CR LF': { url: 'https://example.org/\r\nSet-Cookie: x=y' },
  };
  for (const [name, overrides] of Object.entries(values)) {
    it(name, async () => {
      await expectRefused(overrides, Object.keys(overrides)[0]!);
    });
  }
});

describe('SQL metacharacters are stored as the text typed', () => {
  const texts = {
    'a classic injection': "Robert'); DROP TABLE comments; --",
    'a tautology': "' OR '1'='1' --",
    'LIKE wildcards and escapes': '100% _sure_ \\ %%',
    'dollar quoting and placeholders': '$$; SELECT pg_sleep(10); $$ $1 ? :name',
    'a stacked query with a comment': "x'; UPDATE articles SET title = 'owned'; /*",
  };
  for (const [name, text] of Object.entries(texts)) {
    it(name, async () => {
      const startedAt = performance.now();
      const id = acceptedId(await harness.post({ author: text.slice(0, 245), comment: text }));
      assert.ok(performance.now() - startedAt < 5000, 'no injected pg_sleep ran');
      const row = await storedComment(database.db, id);
      assert.equal(row.body, text);
      assert.equal(row.author_name, text.slice(0, 245).trim());
      const article = await database.db('articles').first<{ title: string }>('title');
      assert.equal(article.title, 'Xi Ducks Putin’s Push for Expanded Military Ties');
      assert.equal((await rowCounts(database.db)).comments, 1);
    });
  }
});

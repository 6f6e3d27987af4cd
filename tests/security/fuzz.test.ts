import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { ADMIN_PASSWORD } from '../helpers/admin.js';
import { APP_ORIGIN, COMMENTS_PATH, loadForm } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { attackHarness, keepAliveClient, rowCounts, type PlainResponse } from '../helpers/security.js';

/**
 * Property-based fuzzing of the two public form endpoints: random bodies
 * (valid forms perturbed, random keys, repeated keys, prototype names,
 * unicode, control characters, raw bytes, JSON), random content types,
 * charsets and encodings, random headers and cookies, and bodies whose
 * Content-Length does not match. Whatever is sent: never a 5xx, and a row
 * only for an accepted request (a 303 to `#comment-<id>`, or a signed-in
 * session for a 303 from the sign-in form).
 *
 * 2,200 requests in all: 1,500 comment posts, 500 sign-in posts and 200
 * length mismatches; about 15 s on an idle 2-core machine, under a minute on
 * a busy one. FUZZ_RUNS scales them (FUZZ_RUNS=10 for a long hunt).
 */

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (count: number) => Math.max(1, Math.round(count * SCALE));

const database = useTestDatabase();
let harness: ReturnType<typeof attackHarness>;
let client: Awaited<ReturnType<typeof keepAliveClient>>;
let stamp: string;

before(async () => {
  harness = attackHarness(database.db);
  stamp = (await loadForm(harness.browser())).fields.rendered_at!;
  harness.advanceSeconds(5);
  client = await keepAliveClient(harness.app);
});

after(async () => {
  await client.close();
});

// ---- values, keys and headers ---------------------------------------------------------------

const NASTY = [
  '',
  ' ',
  '\u0000',
  '\r\n',
  '\t',
  '%',
  '%FF',
  '%00',
  '%C0%AF',
  '+',
  '&',
  '=',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE comments; --",
  '__proto__',
  'javascript:alert(1)',
  'data:text/html,x',
  '\u202E',
  '👩🏽‍💻',
  '\uFEFF',
  '\uD800',
  'a'.repeat(300),
  '0',
  '-1',
  '1e3',
  '99999999999999999999',
  'yes',
  'on',
  'true',
];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', '\r', '\n', 'a'),
      maxLength: 12,
    }),
  },
);

const FORM_KEYS = [
  'comment',
  'author',
  'email',
  'url',
  'remember',
  'parent_id',
  'submission_id',
  'rendered_at',
  'notify_replies',
  'notify_approval',
  'comment_subject',
];
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'comment[]',
  'author[0]',
  'a[b][c]',
  '',
];

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FORM_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Header values Node will send: printable ASCII and Latin-1, no line breaks. */
const headerText = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((code) => code !== 0x7f)
    .map((code) => String.fromCharCode(code)),
  maxLength: 40,
});

const FORM_TYPE = 'application/x-www-form-urlencoded';
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant(FORM_TYPE) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `${FORM_TYPE}; charset=utf-8`,
      `${FORM_TYPE}; charset=iso-8859-1`,
      `${FORM_TYPE}; charset=utf-16`,
      `${FORM_TYPE}; charset="`,
      `${FORM_TYPE};;;`,
      'APPLICATION/X-WWW-FORM-URLENCODED',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      '',
    ),
  },
  { weight: 1, arbitrary: headerText },
);

const headers = fc.record(
  {
    'Content-Type': contentType,
    'Content-Encoding': fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip'),
    Origin: fc.oneof(
      fc.constant(APP_ORIGIN),
      fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1:3000.evil.example'),
      headerText,
    ),
    'Sec-Fetch-Site': fc.constantFrom('same-origin', 'none', 'same-site', 'cross-site', 'garbage'),
    'X-Forwarded-For': fc.oneof(fc.ipV4(), fc.ipV6(), headerText),
    'User-Agent': headerText,
    Cookie: fc.oneof(
      fc.constantFrom(
        'broadsheet_pending=s%3A1.2.3.AAAA',
        'comment_author=j%3A%7B%22__proto__%22%3A1%7D',
        'broadsheet_admin=s%3Ax.y',
        'broadsheet_admin=j%3A%7B%7D',
        'comment_author=%FF',
      ),
      headerText.map((value) => `comment_author=${value}`),
    ),
    'X-HTTP-Method-Override': fc.constantFrom('DELETE', 'GET', 'PUT'),
    Accept: fc.constantFrom('text/html', 'application/json', '*/*'),
  },
  { requiredKeys: ['Content-Type'] },
);

/** Pairs url-encoded as a browser does (a lone surrogate becomes U+FFFD), the first value sometimes ending in a stray escape that is not UTF-8. */
const encodePairs = (pairs: Array<[string, string]>, stray: string | null) =>
  new URLSearchParams(pairs).toString().replace(/^[^&]*/, (first) => first + (stray ?? ''));

// ---- the comment endpoint ---------------------------------------------------------------------

/** A form as the page renders it, typed in at random: often valid, so storing is exercised too. */
const renderedForm = fc.record({
  comment: fc.oneof(fc.lorem({ maxCount: 12 }), text),
  author: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), text),
  email: fc.oneof({ weight: 3, arbitrary: fc.emailAddress() }, { weight: 1, arbitrary: text }),
  url: fc.oneof(fc.constant(''), fc.webUrl(), text),
  submission_id: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: text }),
  rendered_at: fc.oneof({ weight: 4, arbitrary: fc.constant('STAMP') }, { weight: 1, arbitrary: text }),
  parent_id: fc.oneof(fc.constant(''), text),
  remember: fc.constantFrom('yes', 'no', ''),
});

/** A form a person could have sent: every field valid or near it, nothing dropped or added. */
const plausibleForm = fc
  .record({
    comment: fc.lorem({ maxCount: 12 }),
    author: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    // fc.emailAddress() is RFC 5322 at its widest, which the form (like WordPress) does not take.
    email: fc
      .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/))
      .map(([local, host]) => `${local}@${host}.example`),
    url: fc.oneof(fc.constant(''), fc.webUrl()),
    submission_id: fc.uuid(),
  })
  .map((form) => Buffer.from(new URLSearchParams({ ...form, rendered_at: stamp }).toString()));

const anyBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        form: renderedForm,
        drop: fc.subarray(FORM_KEYS),
        extra: fc.array(fc.tuple(key, text), { maxLength: 4 }),
        stray: fc.option(fc.constantFrom('%', '%FF', '%E9', '%C3%28', '%zz', '%00'), { freq: 4 }),
      })
      .map(({ form, drop, extra, stray }) => {
        const pairs = Object.entries(form)
          .filter(([name]) => !drop.includes(name))
          .map(([name, value]): [string, string] => [name, value === 'STAMP' ? stamp : value]);
        return Buffer.from(encodePairs([...pairs, ...extra], stray));
      }),
  },
  { weight: 2, arbitrary: fc.array(fc.tuple(key, text), { maxLength: 8 }).map((pairs) => Buffer.from(encodePairs(pairs, null))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((value) => Buffer.from(value)) },
);

/** What a browser on this site sends along, from a random address. */
const browserHeaders = fc.record({
  'Content-Type': fc.constant(FORM_TYPE),
  Origin: fc.constant(APP_ORIGIN),
  'X-Forwarded-For': fc.ipV4(),
  'User-Agent': headerText,
});

/** One request in four is a plausible form from a browser, so storing is exercised; the rest is anything at all. */
const commentRequest = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(plausibleForm, browserHeaders, fc.constant(true)) },
  { weight: 3, arbitrary: fc.tuple(anyBody, headers, fc.constant(false)) },
);

type Counts = Awaited<ReturnType<typeof rowCounts>>;

/** Requests go one at a time, so the counts after one are the counts before the next (shrinking replays included). */
let counts: Counts;

/** Checks an answer against the rows it left: an id only on a 303, and only the comment that id names. */
async function assertOnlyAcceptedStored(response: PlainResponse, what: string) {
  const previous = counts;
  counts = await rowCounts(database.db);
  assert.ok(response.status < 500, `${what}: ${response.status} ${response.text.slice(0, 200)}`);
  const id = response.status === 303 ? /#comment-(\d+)$/.exec(String(response.headers.location))?.[1] : undefined;
  if (!id) {
    assert.deepEqual(counts, previous, `${what}: ${response.status} stored something`);
    return;
  }
  assert.ok(counts.comments - previous.comments <= 1, `${what}: one comment at most`);
  assert.ok(await database.db('comments').where({ id }).first(), `${what}: the comment in Location exists`);
}

describe('fuzzing POST /articles/:slug/comments', () => {
  it('never answers 5xx, and stores a comment only when it answers 303 with its id', async () => {
    let accepted = 0;
    counts = await rowCounts(database.db);
    await fc.assert(
      fc.asyncProperty(commentRequest, async ([body, sent, plausible]) => {
        // Small random addresses repeat: a plausible form is not to be stopped by the flood limit.
        if (plausible) await database.db('rate_limits').delete();
        const response = await client.send({ path: COMMENTS_PATH, headers: { ...sent, 'Content-Length': String(body.length) }, body });
        await assertOnlyAcceptedStored(response, `body ${JSON.stringify(body.toString('latin1').slice(0, 120))}`);
        if (response.status === 303) accepted += 1;
      }),
      { numRuns: runs(1500), includeErrorInReport: true },
    );
    assert.ok(accepted > 0, 'some random forms were valid and stored (the control case)');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

// ---- the sign-in form ---------------------------------------------------------------------------

const LOGIN_KEYS = ['username', 'password', 'next', '_csrf'];

const loginBody = fc.oneof(
  // The right credentials (any case of the name), with a random next: accepted, and sent somewhere on this site.
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.mixedCase(fc.constant('moderator')), text)
      .map(([username, next]): { pairs: Array<[string, string]>; right: boolean } => ({
        pairs: [
          ['username', username],
          ['password', ADMIN_PASSWORD],
          ['next', next],
        ],
        right: true,
      })),
  },
  // Well-formed but wrong: these reach the password check (slow on purpose), so they are few.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('moderator', 'admin', 'root'), text).map(([username, password]) => ({
      pairs: [
        ['username', username],
        ['password', password],
      ] as Array<[string, string]>,
      right: false,
    })),
  },
  {
    weight: 58,
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...LOGIN_KEYS), key), text), { maxLength: 6 })
      .map((pairs) => ({ pairs, right: false })),
  },
);

describe('fuzzing POST /admin/login', () => {
  it('never answers 5xx, signs in only with the right password, and only to a same-site path', async () => {
    await createAdmin(database.db, 'moderator', ADMIN_PASSWORD);
    counts = await rowCounts(database.db);
    await fc.assert(
      fc.asyncProperty(
        loginBody,
        headers,
        fc.option(fc.constantFrom('%', '%FF', '%00'), { freq: 5 }),
        async ({ pairs, right }, sent, stray) => {
          const body = Buffer.from(encodePairs(pairs, stray));
          const response = await client.send({ path: '/admin/login', headers: { ...sent, 'Content-Length': String(body.length) }, body });
          const what = `login ${JSON.stringify(body.toString().slice(0, 120))}`;
          const previous = counts;
          const now = (counts = await rowCounts(database.db));
          assert.ok(response.status < 500, `${what}: ${response.status}`);
          assert.equal(now.users, previous.users);
          assert.equal(now.comments, previous.comments);
          if (response.status === 303) {
            assert.ok(right && stray === null, `${what}: signed in without the password`);
            const location = String(response.headers.location);
            assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `${what}: to ${location}`);
            assert.equal(new URL(location, APP_ORIGIN).origin, APP_ORIGIN);
            assert.equal(now.signedIn, previous.signedIn + 1);
          } else {
            assert.equal(now.signedIn, previous.signedIn, `${what}: ${response.status} left a signed-in session`);
          }
        },
      ),
      { numRuns: runs(500), includeErrorInReport: true },
    );
  });
});

// ---- bodies that do not match their Content-Length ------------------------------------------

/**
 * Sends a head declaring `declared` bytes and a body of another length. A
 * shorter body is followed by the end of the connection; of a longer one the
 * excess goes only once the answer has come, since Node answers excess bytes
 * it cannot parse with its own 400 and drops the connection, which would
 * race the app's answer to the request itself. Resolves to the app's status,
 * or null when the connection closed without one.
 */
function mismatched(port: number, declared: number, body: Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within 10 s (declared ${declared}, sent ${body.length})`));
    }, 10_000);
    socket.on('data', (data) => {
      received += data.toString('latin1');
      if (body.length > declared && received.includes('\r\n\r\n') && socket.writable) socket.end(body.subarray(declared));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      resolve(status ? Number(status) : null);
    });
    socket.on('connect', () => {
      socket.write(
        `POST ${COMMENTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${APP_ORIGIN}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body.subarray(0, declared));
      if (body.length < declared) socket.end();
    });
  });
}

describe('fuzzing Content-Length mismatches', () => {
  it('a body shorter or longer than declared is never a 5xx, and stores nothing unless accepted', async () => {
    counts = await rowCounts(database.db);
    await fc.assert(
      fc.asyncProperty(renderedForm, fc.integer({ min: -40, max: 40 }), async (form, difference) => {
        const body = Buffer.from(new URLSearchParams({ ...form, rendered_at: stamp }).toString());
        const declared = Math.max(0, body.length + difference);
        const status = await mismatched(client.port, declared, body);
        const previous = counts;
        counts = await rowCounts(database.db);
        assert.ok(status === null || status < 500, `declared ${declared} of ${body.length}: ${status}`);
        if (status !== 303) assert.deepEqual(counts, previous, `declared ${declared} of ${body.length}: ${status} stored`);
      }),
      { numRuns: runs(200), includeErrorInReport: true },
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { APP_ORIGIN, COMMENTS_PATH, loadForm } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';
import {
  acceptedId,
  assertRefused,
  attackHarness,
  listening,
  rawExchange,
  rowCounts,
  storedComment,
  type AttackHarness,
} from '../helpers/security.js';

/**
 * The shape of a posted form rather than its values: repeated and bracketed
 * fields, keys that name Object.prototype, other content types and
 * encodings, and bodies larger than the site reads.
 */

const database = useTestDatabase();
let harness: AttackHarness;

beforeEach(() => {
  harness = attackHarness(database.db);
});

const GOOD: Array<[string, string]> = [
  ['comment', 'A thoughtful reply.'],
  ['author', 'Ada Reader'],
  ['email', 'ada@example.org'],
  ['url', ''],
];

/** Nothing anywhere picked up a key from a posted body. */
function assertPrototypesClean() {
  for (const probe of [{}, [], Object.create(Object.prototype)] as Array<Record<string, unknown>>) {
    assert.equal(probe.polluted, undefined, 'Object.prototype.polluted');
    assert.equal(probe.isAdmin, undefined, 'Object.prototype.isAdmin');
  }
  assert.equal(Object.keys(Object.prototype).length, 0);
}

describe('repeated, bracketed and prototype-named fields: 422 or ignored, never a 500 or pollution', () => {
  const refusedShapes: Record<string, Array<[string, string]>> = {
    'a repeated comment field': [...GOOD, ['comment', 'A second body']],
    'a repeated email field': [...GOOD, ['email', 'victim@example.com']],
    'a repeated hidden field': [...GOOD, ['parent_id', '1'], ['parent_id', '2']],
    'an array-style field': [...GOOD.filter(([name]) => name !== 'author'), ['author[]', 'Ada'], ['author[]', 'Eve']],
    'an object-style field': [...GOOD, ['author[name]', 'Eve']],
    'a constructor key': [...GOOD, ['constructor', 'x']],
    'a constructor.prototype key': [...GOOD, ['constructor[prototype][polluted]', 'yes']],
    'a __proto__[…] key': [...GOOD, ['__proto__[polluted]', 'yes'], ['__proto__[isAdmin]', 'true']],
    'a toString key': [...GOOD, ['toString', 'x']],
    'a hasOwnProperty key': [...GOOD, ['hasOwnProperty', 'x']],
    'a status field asking to be approved': [...GOOD, ['status', 'approved']],
  };
  for (const [name, pairs] of Object.entries(refusedShapes)) {
    it(`${name} is refused with 422`, async () => {
      const before = await rowCounts(database.db);
      const page = await assertRefused(database.db, before, await harness.postPairs(pairs), 422);
      assert.ok(page('.error-summary li').length > 0, 'the form says what is wrong');
      assertPrototypesClean();
    });
  }

  it('a bare __proto__ key is dropped by the parser; the comment is stored as typed and nothing is polluted', async () => {
    const response = await harness.postPairs([...GOOD, ['__proto__', 'polluted'], ['__proto__', '{"isAdmin":true}']]);
    const row = await storedComment(database.db, acceptedId(response));
    assert.equal(row.body, 'A thoughtful reply.');
    assert.equal(row.status, 'pending');
    assertPrototypesClean();
  });

  it('a JSON body (no parser on this route) with __proto__ is refused, not parsed', async () => {
    const before = await rowCounts(database.db);
    const response = await request(harness.app)
      .post(COMMENTS_PATH)
      .set('Content-Type', 'application/json')
      .send(
        '{"comment":"x","author":"Eve","email":"eve@example.net","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"isAdmin":true}}}',
      );
    await assertRefused(database.db, before, response, 422);
    assertPrototypesClean();
  });

  it('51 fields, over the parameter limit, are refused with 413', async () => {
    const before = await rowCounts(database.db);
    const extra = Array.from({ length: 47 }, (_value, index): [string, string] => [`x${index}`, 'y']);
    await assertRefused(database.db, before, await harness.postPairs([...GOOD, ...extra]), 413);
  });
});

describe('content types and encodings', () => {
  const cases: Record<string, { type: string; status: number; encoding?: string }> = {
    'text/plain': { type: 'text/plain', status: 422 },
    'multipart/form-data': { type: 'multipart/form-data; boundary=x', status: 422 },
    'a charset the site does not read': { type: 'application/x-www-form-urlencoded; charset=utf-7', status: 415 },
    'a content encoding the site does not read': { type: 'application/x-www-form-urlencoded', encoding: 'compress', status: 415 },
    'a gzip encoding that is not gzip': { type: 'application/x-www-form-urlencoded', encoding: 'gzip', status: 400 },
  };
  for (const [name, { type, status, encoding }] of Object.entries(cases)) {
    it(`${name}: ${status}, nothing stored`, async () => {
      const before = await rowCounts(database.db);
      let post = request(harness.app).post(COMMENTS_PATH).set('Content-Type', type);
      if (encoding) post = post.set('Content-Encoding', encoding);
      const response = await post.send('comment=Hello&author=Ada&email=ada%40example.org&url=');
      await assertRefused(database.db, before, response, status);
    });
  }

  it('latin-1 declared as latin-1 is read as latin-1 and stored as the same characters', async () => {
    const { fields } = await loadForm(harness.browser());
    harness.advanceSeconds(5);
    const hidden = new URLSearchParams({ submission_id: fields.submission_id!, rendered_at: fields.rendered_at! }).toString();
    const response = await request(harness.app)
      .post(COMMENTS_PATH)
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=iso-8859-1')
      .send(`${hidden}&comment=Caf%E9+cr%E8me&author=Ren%E9e&email=renee%40example.org&url=`);
    const row = await storedComment(database.db, acceptedId(response));
    assert.equal(row.body, 'Café crème');
    assert.equal(row.author_name, 'Renée');
  });
});

describe('bodies over the size limit', () => {
  it('a 2 MB form is refused with 413, with its typed page, and nothing stored', async () => {
    const before = await rowCounts(database.db);
    const response = await harness.postPairs([...GOOD.filter(([name]) => name !== 'comment'), ['comment', 'x'.repeat(2 * 1024 * 1024)]]);
    const page = await assertRefused(database.db, before, response, 413);
    assert.equal(page('h1').text(), 'That was too large to send');
  });

  describe('over a socket', () => {
    let server: Awaited<ReturnType<typeof listening>>;
    before(async () => {
      server = await listening(attackHarness(database.db).app);
    });
    after(() => server.close());

    const head = (length: number) =>
      [
        `POST ${COMMENTS_PATH} HTTP/1.1`,
        'Host: 127.0.0.1:3000',
        `Origin: ${APP_ORIGIN}`,
        'Content-Type: application/x-www-form-urlencoded',
        `Content-Length: ${length}`,
        '',
        '',
      ].join('\r\n');

    it('a declared 50 MB body gets 413 before it is sent, quickly, and the connection is not kept to read it', async () => {
      const declared = 50 * 1024 * 1024;
      // 64 KiB every 20 ms: the whole body would take over 15 s to send.
      const response = await rawExchange(server.port, head(declared), { chunk: Buffer.alloc(64 * 1024, 'a'), count: 800, intervalMs: 20 });
      assert.equal(response.status, 413);
      assert.ok(response.bodyBytesWritten < declared / 10, `answered after ${response.bodyBytesWritten} of ${declared} bytes`);
      // The bound is generous on a shared machine; the point is "before the body", which the bytes show.
      assert.ok(response.elapsedMs < 1000, `answered in ${Math.round(response.elapsedMs)} ms`);
      assert.match(response.head, /\r\nConnection: close\r\n/i);
      assert.match(response.head, /\r\nContent-Security-Policy: /i);
    });

    it('a body shorter than its Content-Length is not stored; the request times out or is refused, never a 500', async () => {
      const before = await rowCounts(database.db);
      const body = 'comment=Hello&author=Ada&email=ada%40example.org&url=';
      const response = await rawExchange(
        server.port,
        head(body.length + 100),
        { chunk: Buffer.from(body), count: 1, intervalMs: 0 },
        1500,
      ).catch((error: Error) => error);
      if (!(response instanceof Error)) assert.ok(response.status < 500, `status ${response.status}`);
      assert.deepEqual(await rowCounts(database.db), before);
    });
  });
});

describe('the refused page keeps what was typed', () => {
  it('a 422 for a repeated field still shows the first values typed', async () => {
    const response = await harness.postPairs([...GOOD, ['author', 'Eve']]);
    assert.equal(response.status, 422);
    const page = parsePage(response.text);
    assert.equal(page('#comment').text(), 'A thoughtful reply.');
    assert.match(page('#author-error').text(), /more than once/);
  });
});

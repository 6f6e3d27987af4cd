import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import {
  articleTag,
  HOME_TAG,
  PageCache,
  SETTINGS_TAG,
  type CachedPage,
  type PageSource,
  type PrivatePage,
  type Ticket,
} from '../../src/platform/page-cache/page-cache.js';
import { crc32, gzipPieces, identityPieces, preparePage, preparePrivatePage } from '../../src/platform/page-cache/page-encoding.js';
import { applyPageChange } from '../../src/platform/page-cache/page-change-listener.js';

const FORM = '<form><input name="submission_id" value="ID-1"><input name="rendered_at" value="STAMP-1"></form>';
const ticketAt = (at = 0): Ticket => ({ seq: 0, at });

function source(html: string, overrides: Partial<PageSource> = {}): PageSource {
  return {
    html,
    perResponse: [
      { kind: 'submission-id', rendered: 'ID-1' },
      { kind: 'form-stamp', rendered: 'STAMP-1' },
    ],
    tags: [articleTag('1'), SETTINGS_TAG],
    version: 'v1',
    expiresAt: Infinity,
    ...overrides,
  };
}

const staticSource = (html: string, overrides: Partial<PageSource> = {}) => source(html, { perResponse: [], tags: [HOME_TAG], ...overrides });

async function prepared(page: PageSource, ticket: Ticket = ticketAt()): Promise<CachedPage> {
  const result = await preparePage(page, ticket);
  assert.ok(result, 'expected the page to be cacheable');
  return result;
}

const bytes = (pieces: Buffer[]) => Buffer.concat(pieces);
const values = (...texts: string[]) => texts.map((text) => Buffer.from(text));

/** A fake clock for the cache, in ms. */
function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('preparing a page for the cache', () => {
  it('fills fresh per-response values in, in the order the page has them', async () => {
    const page = await prepared(source(FORM));
    assert.deepEqual(page.gaps, ['submission-id', 'form-stamp']);
    const filled = bytes(identityPieces(page, values('ID-2', 'STAMP-2'))).toString();
    assert.equal(filled, FORM.replace('ID-1', 'ID-2').replace('STAMP-1', 'STAMP-2'));
  });

  it('keeps multi-byte text intact around the values', async () => {
    const html = '<h1>Putin’s “push” — 😀</h1><input value="ID-1">ü<input value="STAMP-1">…';
    const page = await prepared(source(html));
    assert.equal(bytes(identityPieces(page, values('X', 'Y'))).toString(), html.replace('ID-1', 'X').replace('STAMP-1', 'Y'));
  });

  it('refuses a page where a per-response value is missing or repeated', async () => {
    assert.equal(await preparePage(source(FORM.replace('STAMP-1', 'STAMP-X')), ticketAt()), null);
    assert.equal(await preparePage(source(FORM + 'ID-1'), ticketAt()), null);
  });

  it('precomputes a gzip form that decompresses to the very page, whatever the values', async () => {
    const html = `<main>${'<p>Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.</p>'.repeat(400)}</main>${FORM}<footer>…</footer>`;
    const page = await prepared(source(html));
    for (const [id, stamp] of [['ID-2', 'STAMP-2'], ['a'.repeat(36), '1764379200000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG']]) {
      const gzip = bytes(gzipPieces(page, values(id!, stamp!)));
      assert.equal(gzip.subarray(0, 2).toString('hex'), '1f8b', 'a gzip member');
      assert.equal(zlib.gunzipSync(gzip).toString(), html.replace('ID-1', id!).replace('STAMP-1', stamp!));
      assert.ok(gzip.length < Buffer.byteLength(html) / 5, 'the fixed text is compressed');
    }
  });

  it('copes with values side by side, at the very ends of the page, empty or long', async () => {
    const html = 'ID-1STAMP-1';
    const page = await prepared(source(html));
    for (const [first, second] of [['a', 'b'], ['', 'b'], ['x'.repeat(70_000), 'y'.repeat(65_535)]]) {
      assert.equal(zlib.gunzipSync(bytes(gzipPieces(page, values(first!, second!)))).toString(), first! + second!);
      assert.equal(bytes(identityPieces(page, values(first!, second!))).toString(), first! + second!);
    }
  });

  it('checksums alike with or without zlib’s own CRC-32 (Node before 20.15 has none)', () => {
    const data = Buffer.from('Xi Ducks Putin’s Push for Expanded Military Ties 😀'.repeat(50));
    const head = data.subarray(0, 100);
    const tail = data.subarray(100);
    const expected = zlib.crc32(data);
    assert.equal(crc32(tail, crc32(head, 0, undefined), undefined), expected);
    assert.equal(crc32(tail, crc32(head, 0)), expected);
    assert.equal(crc32(Buffer.from(''), 12345, undefined), 12345);
    assert.equal(crc32(Buffer.from(''), 12345), 12345);
  });

  it('precomputes brotli only for a page with no per-response values', async () => {
    const html = `<ol>${'<li>Xi Ducks Putin’s Push</li>'.repeat(200)}</ol>`;
    const still = await prepared(staticSource(html));
    assert.ok(still.brotli);
    assert.equal(zlib.brotliDecompressSync(still.brotli).toString(), html);
    assert.equal(zlib.gunzipSync(bytes(gzipPieces(still, []))).toString(), html);
    assert.equal((await prepared(source(FORM))).brotli, null, 'brotli output cannot be spliced');
  });

  it('gives the same weak ETag to the same page with other values, another to other text', async () => {
    const first = await prepared(source(FORM));
    const again = await prepared(source(FORM.replace('ID-1', 'ID-9').replace('STAMP-1', 'STAMP-9'), {
      perResponse: [
        { kind: 'submission-id', rendered: 'ID-9' },
        { kind: 'form-stamp', rendered: 'STAMP-9' },
      ],
    }));
    const other = await prepared(source(FORM.replace('<form>', '<form class="x">')));
    assert.match(first.etag, /^W\/"[\w-]{27}"$/);
    assert.equal(again.etag, first.etag);
    assert.notEqual(other.etag, first.etag);
  });

  it('says Last-Modified to the second the page was read, rounded down', async () => {
    const page = await prepared(source(FORM), ticketAt(Date.UTC(2026, 10, 29, 8, 30, 15, 999)));
    assert.equal(page.lastModified, 'Sun, 29 Nov 2026 08:30:15 GMT');
  });
});

describe('the page cache', () => {
  it('keeps pages by key until a change to one of their tags', async () => {
    const cache = new PageCache();
    cache.listening = true;
    assert.ok(cache.store('article:a', await prepared(source(FORM, { tags: [articleTag('1'), SETTINGS_TAG] }), cache.ticket())));
    assert.ok(cache.store('article:b', await prepared(source(FORM, { tags: [articleTag('2'), SETTINGS_TAG] }), cache.ticket())));
    assert.ok(cache.store('home:1', await prepared(staticSource('<ol></ol>'), cache.ticket())));
    cache.invalidate(articleTag('1'));
    assert.equal(cache.peek('article:a'), null);
    assert.ok(cache.peek('article:b'));
    cache.invalidate(SETTINGS_TAG);
    assert.equal(cache.peek('article:b'), null);
    assert.ok(cache.peek('home:1'), 'the article list does not show discussion settings');
    cache.invalidate(HOME_TAG);
    assert.equal(cache.size, 0);
  });

  it('refuses a page read before a change whose notification came before it was stored', async () => {
    const cache = new PageCache();
    cache.listening = true;
    const ticket = cache.ticket();
    const page = await prepared(source(FORM), ticket);
    cache.invalidate(articleTag('1'));
    assert.equal(cache.store('article:a', page), false);
    assert.equal(cache.peek('article:a'), null);
    assert.ok(cache.store('article:a', await prepared(source(FORM), cache.ticket())), 'a page read after the change is kept');
  });

  it('is not put off by changes to other pages', async () => {
    const cache = new PageCache();
    const ticket = cache.ticket();
    cache.invalidate(articleTag('2'));
    cache.invalidate(HOME_TAG);
    assert.ok(cache.store('article:a', await prepared(source(FORM), ticket)));
  });

  it('refuses every page read before a clear, such as a lost connection', async () => {
    const cache = new PageCache();
    const ticket = cache.ticket();
    cache.clear();
    assert.equal(cache.store('article:a', await prepared(source(FORM), ticket)), false);
  });

  it('starts empty whenever it starts or stops listening', async () => {
    const cache = new PageCache();
    const ticket = cache.ticket();
    const page = await prepared(source(FORM), ticket);
    assert.ok(cache.store('article:a', page));
    cache.listening = false;
    assert.equal(cache.size, 1, 'another failed attempt to listen changes nothing');
    cache.listening = true;
    assert.equal(cache.size, 0, 'what was kept unheard is not trusted');
    assert.equal(cache.store('article:a', page), false, 'nor what was read before');
    assert.ok(cache.store('article:a', await prepared(source(FORM), cache.ticket())));
    cache.listening = false;
    assert.equal(cache.size, 0);
  });

  it('lets a page go when its time comes, with no write at all', async () => {
    const time = clock();
    const cache = new PageCache({ now: time.now });
    assert.ok(cache.store('home:1', await prepared(staticSource('<ol></ol>', { expiresAt: time.now() + 1000 }), cache.ticket())));
    time.advance(999);
    assert.ok(cache.peek('home:1'));
    time.advance(1);
    assert.equal(cache.peek('home:1'), null);
    assert.equal(cache.store('home:1', await prepared(staticSource('<ol></ol>', { expiresAt: time.now() }), cache.ticket())), false);
  });

  it('stays within its memory, forgetting the least recently used page first', async () => {
    const page = await prepared(staticSource('<p>x</p>'.repeat(100)));
    const cache = new PageCache({ maxBytes: page.bytes * 2 });
    const store = async (key: string) => cache.store(key, await prepared(staticSource('<p>x</p>'.repeat(100)), cache.ticket()));
    await store('a');
    await store('b');
    assert.ok(cache.peek('a'), 'a is now more recent than b');
    await store('c');
    assert.equal(cache.size, 2);
    assert.ok(cache.storedBytes <= page.bytes * 2);
    assert.equal(cache.peek('b'), null);
    assert.ok(cache.peek('a'));
    assert.ok(cache.peek('c'));
  });

  it('honours If-Modified-Since only for a page read in a later second than the last change to it', async () => {
    const time = clock(Date.UTC(2026, 10, 29, 8, 0, 0, 100));
    const cache = new PageCache({ now: time.now });
    cache.listening = true;
    time.advance(1000);
    cache.invalidate(articleTag('1'));
    const sameSecond = await prepared(source(FORM), cache.ticket());
    assert.ok(cache.store('article:a', sameSecond));
    assert.equal(sameSecond.honoursIfModifiedSince, false, 'a copy from earlier in this second would carry the same date');
    time.advance(1000);
    const later = await prepared(source(FORM), cache.ticket());
    assert.ok(cache.store('article:a', later));
    assert.equal(later.honoursIfModifiedSince, true);
    cache.listening = false;
    const unheard = await prepared(source(FORM), cache.ticket());
    time.advance(2000);
    cache.store('article:a', unheard);
    assert.equal(unheard.honoursIfModifiedSince, false, 'without a listener no change time is known');
  });

  it('lets concurrent misses wait for the render under way', async () => {
    const cache = new PageCache();
    assert.equal(cache.renderUnderWay('article:a'), null);
    const finish = cache.startRender('article:a');
    const second = cache.startRender('article:a');
    const underWay = cache.renderUnderWay('article:a');
    assert.ok(underWay);
    second();
    assert.equal(cache.renderUnderWay('article:a'), underWay, 'only the first render is waited for');
    finish();
    assert.equal(await underWay, null, 'a render that kept nothing hands nothing over');
    assert.equal(cache.renderUnderWay('article:a'), null);
  });

  it('hands a page too large to keep to those who waited, while nothing it shows has changed', async () => {
    const time = clock();
    const cache = new PageCache({ maxBytes: 100, now: time.now });
    const finish = cache.startRender('article:a');
    const underWay = cache.renderUnderWay('article:a')!;
    const page = await prepared(staticSource(`<p>${'words '.repeat(200)}</p>`, { tags: [articleTag('1'), SETTINGS_TAG] }), cache.ticket());
    assert.equal(cache.store('article:a', page), false, 'larger than the whole cache');
    finish(page);
    const handed = await underWay;
    assert.equal(handed, page);
    assert.equal(cache.isCurrent(handed), true);
    cache.invalidate(articleTag('2'));
    assert.equal(cache.isCurrent(handed), true, 'another article changed');
    cache.invalidate(articleTag('1'));
    assert.equal(cache.isCurrent(handed), false, 'its article changed after its ticket');
    const expiring = await prepared(source(FORM, { expiresAt: time.now() + 1000 }), cache.ticket());
    assert.equal(cache.isCurrent(expiring), true);
    time.advance(1000);
    assert.equal(cache.isCurrent(expiring), false, 'expired');
  });
});

describe('pages kept for one reader', () => {
  const privatePage = (ticket: Ticket, overrides: Partial<PageSource> = {}): PrivatePage => {
    const page = preparePrivatePage({ ...source(`<p>Yours</p>${FORM}`, overrides), ownComments: '7:pending:' }, ticket);
    assert.ok(page, 'expected the page to be cacheable');
    return page;
  };

  it('fill fresh per-response values in, and are refused when a value is missing', () => {
    const page = privatePage(ticketAt());
    assert.equal(bytes(identityPieces(page, values('ID-2', 'STAMP-2'))).toString(), `<p>Yours</p>${FORM}`.replace('ID-1', 'ID-2').replace('STAMP-1', 'STAMP-2'));
    assert.equal(preparePrivatePage({ ...source('<p>no form</p>'), ownComments: '' }, ticketAt()), null);
  });

  it('live on their own shelf, dropped with their tags and refused after a change since their ticket', () => {
    const cache = new PageCache();
    cache.listening = true;
    assert.ok(cache.storePrivate('private:a', privatePage(cache.ticket())));
    assert.equal(cache.size, 0, 'not among the pages every reader gets');
    assert.equal(cache.peek('private:a'), null);
    assert.ok(cache.peekPrivate('private:a'));
    cache.invalidate(SETTINGS_TAG);
    assert.equal(cache.peekPrivate('private:a'), null);
    const ticket = cache.ticket();
    cache.invalidate(articleTag('1'));
    assert.equal(cache.storePrivate('private:a', privatePage(ticket)), false);
    assert.ok(cache.storePrivate('private:a', privatePage(cache.ticket())));
    cache.clear();
    assert.equal(cache.privateSize, 0);
  });

  it('stay within their own count and memory, never pushing out a page for every reader', async () => {
    const one = privatePage(ticketAt());
    const cache = new PageCache({ privatePages: { maxBytes: one.bytes * 3, maxPages: 2 } });
    assert.ok(cache.store('home:1', await prepared(staticSource('<ol></ol>'), cache.ticket())));
    for (const key of ['private:a', 'private:b', 'private:c']) assert.ok(cache.storePrivate(key, privatePage(cache.ticket())));
    assert.equal(cache.privateSize, 2);
    assert.equal(cache.peekPrivate('private:a'), null, 'the least recently used goes first');
    assert.ok(cache.peek('home:1'));
    const large = privatePage(cache.ticket(), { html: `<p>${'x'.repeat(one.bytes * 3)}</p>${FORM}` });
    assert.equal(cache.storePrivate('private:d', large), false, 'a page larger than the shelf is not kept');
  });

  it('expire when their time comes', () => {
    const time = clock();
    const cache = new PageCache({ now: time.now });
    assert.ok(cache.storePrivate('private:a', privatePage(cache.ticket(), { expiresAt: time.now() + 1000 })));
    time.advance(1000);
    assert.equal(cache.peekPrivate('private:a'), null);
  });
});

describe('change notifications', () => {
  it('drop the pages named by their payload, and everything for anything else', async () => {
    const cache = new PageCache();
    const fill = async () => {
      cache.clear();
      cache.store('article:a', await prepared(source(FORM, { tags: [articleTag('7'), SETTINGS_TAG] }), cache.ticket()));
      cache.store('home:1', await prepared(staticSource('<ol></ol>'), cache.ticket()));
    };
    await fill();
    applyPageChange(cache, 'article:8');
    assert.equal(cache.size, 2);
    applyPageChange(cache, 'article:7');
    assert.deepEqual([cache.peek('article:a'), !!cache.peek('home:1')], [null, true]);
    await fill();
    applyPageChange(cache, 'home');
    assert.deepEqual([!!cache.peek('article:a'), cache.peek('home:1')], [true, null]);
    await fill();
    applyPageChange(cache, 'settings');
    assert.deepEqual([cache.peek('article:a'), !!cache.peek('home:1')], [null, true]);
    for (const payload of ['all', 'article:', 'something new', '']) {
      await fill();
      applyPageChange(cache, payload);
      assert.equal(cache.size, 0, `payload ${JSON.stringify(payload)}`);
    }
  });
});

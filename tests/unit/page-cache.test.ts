import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import {
  articleTag,
  HOME_TAG,
  PageCache,
  SETTINGS_TAG,
  type CachedPage,
  type PageCacheOptions,
  type ReadStart,
  type RenderedPage,
} from '../../src/platform/page-cache/page-cache.js';
import { crc32, gzipPieces, identityPieces, preparePage } from '../../src/platform/page-cache/page-encoding.js';
import { applyPageChange } from '../../src/platform/page-cache/page-change-listener.js';
import { parseAcceptEncoding } from '../../src/platform/page-cache/send-page.js';

const FORM = '<form><input name="submission_id" value="ID-1"><input name="rendered_at" value="STAMP-1"></form>';
const readAt = (at = 0): ReadStart => ({ seq: 0, at });

function source(html: string, overrides: Partial<RenderedPage> = {}): RenderedPage {
  return {
    html,
    formValues: { submissionId: 'ID-1', stamp: 'STAMP-1' },
    tags: [articleTag('1'), SETTINGS_TAG],
    expiresAt: Infinity,
    ...overrides,
  };
}

const staticSource = (html: string, overrides: Partial<RenderedPage> = {}) =>
  source(html, { formValues: null, tags: [HOME_TAG], ...overrides });

async function prepared(page: RenderedPage, readStart: ReadStart = readAt()): Promise<CachedPage> {
  const result = await preparePage(page, readStart);
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

/** A cache fed by a listener: only then does it keep pages. */
function listeningCache(options: PageCacheOptions = {}): PageCache {
  const cache = new PageCache(options);
  cache.listening = true;
  return cache;
}

describe('preparing a page for the cache', () => {
  it('fills fresh form values in, in the order the page has them', async () => {
    const page = await prepared(source(FORM));
    assert.deepEqual(page.slots, ['submission-id', 'form-stamp']);
    const filled = bytes(identityPieces(page, values('ID-2', 'STAMP-2'))).toString();
    assert.equal(filled, FORM.replace('ID-1', 'ID-2').replace('STAMP-1', 'STAMP-2'));
  });

  it('keeps multi-byte text intact around the values', async () => {
    const html = '<h1>Putin’s “push” — 😀</h1><input value="ID-1">ü<input value="STAMP-1">…';
    const page = await prepared(source(html));
    assert.equal(bytes(identityPieces(page, values('X', 'Y'))).toString(), html.replace('ID-1', 'X').replace('STAMP-1', 'Y'));
  });

  it('refuses a page where a form value is missing or repeated', async () => {
    assert.equal(await preparePage(source(FORM.replace('STAMP-1', 'STAMP-X')), readAt()), null);
    assert.equal(await preparePage(source(FORM + 'ID-1'), readAt()), null);
  });

  it('precomputes a gzip form that decompresses to the very page, whatever the values', async () => {
    const html = `<main>${'<p>Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.</p>'.repeat(400)}</main>${FORM}<footer>…</footer>`;
    const page = await prepared(source(html));
    for (const [id, stamp] of [
      ['ID-2', 'STAMP-2'],
      ['a'.repeat(36), '1764379200000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'],
    ]) {
      const gzip = bytes(gzipPieces(page, values(id!, stamp!)));
      assert.equal(gzip.subarray(0, 2).toString('hex'), '1f8b', 'a gzip member');
      assert.equal(zlib.gunzipSync(gzip).toString(), html.replace('ID-1', id!).replace('STAMP-1', stamp!));
      assert.ok(gzip.length < Buffer.byteLength(html) / 5, 'the fixed text is compressed');
    }
  });

  it('copes with values side by side, at the very ends of the page, empty or long', async () => {
    const html = 'ID-1STAMP-1';
    const page = await prepared(source(html));
    for (const [first, second] of [
      ['a', 'b'],
      ['', 'b'],
      ['x'.repeat(70_000), 'y'.repeat(65_535)],
    ]) {
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

  it('precomputes brotli only for a page with no form values', async () => {
    const html = `<ol>${'<li>Xi Ducks Putin’s Push</li>'.repeat(200)}</ol>`;
    const still = await prepared(staticSource(html));
    assert.ok(still.brotli);
    assert.equal(zlib.brotliDecompressSync(still.brotli).toString(), html);
    assert.equal(zlib.gunzipSync(bytes(gzipPieces(still, []))).toString(), html);
    assert.equal((await prepared(source(FORM))).brotli, null, 'brotli output cannot be spliced');
  });

  it('gives the same weak ETag to the same page with other values, another to other text', async () => {
    const first = await prepared(source(FORM));
    const again = await prepared(
      source(FORM.replace('ID-1', 'ID-9').replace('STAMP-1', 'STAMP-9'), {
        formValues: { submissionId: 'ID-9', stamp: 'STAMP-9' },
      }),
    );
    const other = await prepared(source(FORM.replace('<form>', '<form class="x">')));
    assert.match(first.etag, /^W\/"[\w-]{27}"$/);
    assert.equal(again.etag, first.etag);
    assert.notEqual(other.etag, first.etag);
  });

  it('says Last-Modified to the second the page was read, rounded down', async () => {
    const page = await prepared(source(FORM), readAt(Date.UTC(2026, 10, 29, 8, 30, 15, 999)));
    assert.equal(page.lastModified, 'Sun, 29 Nov 2026 08:30:15 GMT');
  });
});

describe('the page cache', () => {
  it('keeps pages by key until a change to one of their tags', async () => {
    const cache = listeningCache();
    assert.ok(cache.store('article:a', await prepared(source(FORM, { tags: [articleTag('1'), SETTINGS_TAG] }), cache.readStart())));
    assert.ok(cache.store('article:b', await prepared(source(FORM, { tags: [articleTag('2'), SETTINGS_TAG] }), cache.readStart())));
    assert.ok(cache.store('home:1', await prepared(staticSource('<ol></ol>'), cache.readStart())));
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
    const cache = listeningCache();
    const ticket = cache.readStart();
    const page = await prepared(source(FORM), ticket);
    cache.invalidate(articleTag('1'));
    assert.equal(cache.store('article:a', page), false);
    assert.equal(cache.peek('article:a'), null);
    assert.ok(cache.store('article:a', await prepared(source(FORM), cache.readStart())), 'a page read after the change is kept');
  });

  it('is not put off by changes to other pages', async () => {
    const cache = listeningCache();
    const ticket = cache.readStart();
    cache.invalidate(articleTag('2'));
    cache.invalidate(HOME_TAG);
    assert.ok(cache.store('article:a', await prepared(source(FORM), ticket)));
  });

  it('refuses every page read before a clear, such as a lost connection', async () => {
    const cache = listeningCache();
    const ticket = cache.readStart();
    cache.clear();
    assert.equal(cache.store('article:a', await prepared(source(FORM), ticket)), false);
  });

  it('keeps nothing while not listening, and starts empty whenever it starts or stops listening', async () => {
    const cache = new PageCache();
    const page = await prepared(source(FORM), cache.readStart());
    assert.equal(cache.store('article:a', page), false, 'nobody would tell it of a change');
    cache.listening = true;
    assert.equal(cache.store('article:a', page), false, 'nor what was read before it listened');
    assert.ok(cache.store('article:a', await prepared(source(FORM), cache.readStart())));
    cache.listening = false;
    assert.equal(cache.size, 0);
  });

  it('lets a page go when its time comes, with no write at all', async () => {
    const time = clock();
    const cache = listeningCache({ now: time.now });
    assert.ok(cache.store('home:1', await prepared(staticSource('<ol></ol>', { expiresAt: time.now() + 1000 }), cache.readStart())));
    time.advance(999);
    assert.ok(cache.peek('home:1'));
    time.advance(1);
    assert.equal(cache.peek('home:1'), null);
    assert.equal(cache.store('home:1', await prepared(staticSource('<ol></ol>', { expiresAt: time.now() }), cache.readStart())), false);
  });

  it('stays within its memory, forgetting the least recently used page first', async () => {
    const page = await prepared(staticSource('<p>x</p>'.repeat(100)));
    const cache = listeningCache({ maxBytes: page.bytes * 2 });
    const store = async (key: string) => cache.store(key, await prepared(staticSource('<p>x</p>'.repeat(100)), cache.readStart()));
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
    const cache = listeningCache({ now: time.now });
    time.advance(1000);
    cache.invalidate(articleTag('1'));
    const sameSecond = await prepared(source(FORM), cache.readStart());
    assert.ok(cache.store('article:a', sameSecond));
    assert.equal(sameSecond.honoursIfModifiedSince, false, 'a copy from earlier in this second would carry the same date');
    time.advance(1000);
    const later = await prepared(source(FORM), cache.readStart());
    assert.ok(cache.store('article:a', later));
    assert.equal(later.honoursIfModifiedSince, true);
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
    const cache = listeningCache({ maxBytes: 100, now: time.now });
    const finish = cache.startRender('article:a');
    const underWay = cache.renderUnderWay('article:a')!;
    const page = await prepared(
      staticSource(`<p>${'words '.repeat(200)}</p>`, { tags: [articleTag('1'), SETTINGS_TAG] }),
      cache.readStart(),
    );
    assert.equal(cache.store('article:a', page), false, 'larger than the whole cache');
    finish(page);
    const handed = await underWay;
    assert.equal(handed, page);
    assert.equal(cache.isCurrent(handed), true);
    cache.invalidate(articleTag('2'));
    assert.equal(cache.isCurrent(handed), true, 'another article changed');
    cache.invalidate(articleTag('1'));
    assert.equal(cache.isCurrent(handed), false, 'its article changed after its read start');
    const expiring = await prepared(source(FORM, { expiresAt: time.now() + 1000 }), cache.readStart());
    assert.equal(cache.isCurrent(expiring), true);
    time.advance(1000);
    assert.equal(cache.isCurrent(expiring), false, 'expired');
    cache.listening = false;
    assert.equal(cache.isCurrent(handed), false, 'nothing is current without a listener');
  });

  it('remembers which page a request was given, URL and cookies alike, while the page is kept', async () => {
    const cache = listeningCache();
    assert.ok(cache.store('article:a', await prepared(source(FORM), cache.readStart())));
    cache.rememberRequest('/articles/a?utm_source=x', undefined, 'article:a');
    cache.rememberRequest('/articles/a', '_ga=1', 'article:a');
    assert.ok(cache.pageForRequest('/articles/a?utm_source=x', undefined));
    assert.ok(cache.pageForRequest('/articles/a', '_ga=1'));
    assert.equal(cache.pageForRequest('/articles/a', undefined), null, 'a request never answered');
    assert.equal(cache.pageForRequest('/articles/a', 'comment_author=Ada'), null, 'other cookies: the handler decides');
    cache.rememberRequest(`/articles/a?${'x'.repeat(3000)}`, undefined, 'article:a');
    assert.equal(cache.pageForRequest(`/articles/a?${'x'.repeat(3000)}`, undefined), null, 'too long to remember');
    cache.invalidate(articleTag('1'));
    assert.equal(cache.pageForRequest('/articles/a?utm_source=x', undefined), null, 'the page is gone');
  });
});

describe('change notifications', () => {
  it('drop the pages named by their payload, and everything for anything else', async () => {
    const cache = listeningCache();
    const fill = async () => {
      cache.clear();
      cache.store('article:a', await prepared(source(FORM, { tags: [articleTag('7'), SETTINGS_TAG] }), cache.readStart()));
      cache.store('home:1', await prepared(staticSource('<ol></ol>'), cache.readStart()));
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

describe('Accept-Encoding', () => {
  it('reads q-values, the wildcard and x-gzip', () => {
    assert.deepEqual(parseAcceptEncoding('gzip, deflate, br, zstd'), { br: 1, gzip: 1 });
    assert.deepEqual(parseAcceptEncoding('gzip;q=0.8, br;q=0.9'), { br: 0.9, gzip: 0.8 });
    assert.deepEqual(parseAcceptEncoding('br;q=0, *'), { br: 0, gzip: 1 });
    assert.deepEqual(parseAcceptEncoding('identity'), { br: 0, gzip: 0 });
    assert.deepEqual(parseAcceptEncoding('X-GZIP'), { br: 0, gzip: 1 });
    assert.deepEqual(parseAcceptEncoding('gzip;q=banana'), { br: 0, gzip: 0 });
    assert.deepEqual(parseAcceptEncoding(' , ;q=1'), { br: 0, gzip: 0 });
  });
});

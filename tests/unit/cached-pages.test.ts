import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHmac } from 'node:crypto';
import { addressOf, parseAcceptEncoding } from '../../src/platform/page-cache/cached-pages.js';
import { commenterKey, isKnownCommenterByHeader } from '../../src/comments/commenter-cookies.js';

const SLUG = 'xi-ducks-putins-push-for-expanded-military-ties';
const SECRET = 'a-cookie-secret-for-these-tests-only-123';
const REMEMBERED = 'comment_author=Ada; comment_author_email=ada%40example.org; comment_author_url=';

/** A cookie value signed as cookie-parser signs it (`s:` + value + `.` + HMAC), URL-encoded as a browser sends it. */
function signed(value: string, secret = SECRET): string {
  const mac = createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${value}.${mac}`);
}

const address = (url: string, cookie?: string) => addressOf(url, cookie, SECRET);

describe('which requests the cached-page fast path answers', () => {
  it('takes the home page, by page number, ignoring query parameters it does not declare', () => {
    assert.equal(address('/')?.key, 'home:1');
    assert.equal(address('/?page=1')?.key, 'home:1');
    assert.equal(address('/?page=12', REMEMBERED)?.key, 'home:12', 'the list is the same for commenters');
    assert.equal(address('/?page=1&utm_source=x')?.key, 'home:1');
    assert.equal(address('/?utm_source=x&fbclid=abc&page=3')?.key, 'home:3');
    assert.equal(address('/?')?.key, 'home:1');
    assert.equal(address('/?nocache=12345')?.key, 'home:1');
    for (const url of ['/?page=0', '/?page=x', '/?page=1&page=2', '/index.html']) assert.equal(address(url), null, url);
  });

  it('takes article pages and comment pages, with or without a trailing slash, whatever else the query says', () => {
    assert.deepEqual(address(`/articles/${SLUG}`), { key: `article:${SLUG}`, kind: 'article', slug: SLUG, replyTo: null });
    assert.equal(address(`/articles/${SLUG}/`)?.key, `article:${SLUG}`);
    assert.equal(address(`/articles/${SLUG}/comment-page-3/`)?.key, `article:${SLUG}:page:3`);
    assert.equal(address(`/articles/${SLUG}/comment-page-3`)?.key, `article:${SLUG}:page:3`);
    for (const query of ['?', '?utm_source=x', '?x=1&y=2', '?replytocom=abc', '?replytocom=1&replytocom=2', '?replytocom=']) {
      assert.equal(address(`/articles/${SLUG}${query}`)?.key, `article:${SLUG}`, query);
    }
  });

  it('keys an article page by the parameters its route declares: replytocom', () => {
    assert.deepEqual(address(`/articles/${SLUG}?replytocom=4&utm_source=x`), {
      key: `article:${SLUG}:replytocom:4`,
      kind: 'article',
      slug: SLUG,
      replyTo: '4',
    });
    assert.equal(address(`/articles/${SLUG}/comment-page-2/?replytocom=4`)?.key, `article:${SLUG}:page:2:replytocom:4`);
  });

  it('leaves to the router odd spellings and other paths', () => {
    for (const url of [
      `/articles/XI-DUCKS`,
      `/articles/%78i-ducks`,
      `/articles/${SLUG}/comments`,
      `/articles/${SLUG}/comments/feed.xml`,
      `/articles/${SLUG}/comment-page-0/`,
      '/articles/',
      '/feed.xml',
      '/admin/comments',
    ]) {
      assert.equal(address(url), null, url);
    }
  });

  it('leaves a commenter’s article page to the router: it is their own', () => {
    assert.equal(address(`/articles/${SLUG}`, `broadsheet_pending=${signed('12')}`), null);
    assert.equal(address(`/articles/${SLUG}`, `theme=dark; ${REMEMBERED}`), null);
    assert.ok(address(`/articles/${SLUG}`, 'theme=dark; connect.sid=s%3Aabc'), 'other cookies do not matter');
  });

  it('serves the anonymous page to junk commenter cookies', () => {
    for (const cookie of [
      'broadsheet_pending=s%3A12.forged',
      `broadsheet_pending=${signed('12', 'another-secret-entirely-0000000000')}`,
      'broadsheet_pending=12',
      `broadsheet_pending=${signed('junk')}`,
      'comment_author=Ada',
      'comment_author_email=ada%40example.org',
      'comment_author=Ada; comment_author_email=not-an-email; comment_author_url=',
      'comment_author=Ada; comment_author_email=ada%40example.org; comment_author_url=javascript%3Aalert(1)',
      `comment_author=${'x'.repeat(300)}; comment_author_email=ada%40example.org; comment_author_url=`,
      'comment_author=; comment_author_email=; comment_author_url=',
      'comment_author=j%3A%7B%22a%22%3A1%7D; comment_author_email=ada%40example.org; comment_author_url=',
    ]) {
      assert.equal(address(`/articles/${SLUG}`, cookie)?.key, `article:${SLUG}`, cookie);
    }
  });
});

describe('commenter cookies', () => {
  it('are recognised wherever they stand in the header, when signed or shaped as this site writes them', () => {
    assert.equal(isKnownCommenterByHeader(undefined, SECRET), false);
    assert.equal(isKnownCommenterByHeader('', SECRET), false);
    assert.equal(isKnownCommenterByHeader(REMEMBERED, SECRET), true);
    assert.equal(isKnownCommenterByHeader(`a=1;  broadsheet_pending=${signed('3.12')}`, SECRET), true);
    assert.equal(isKnownCommenterByHeader('a=1;comment_author=Ada;comment_author_email=;comment_author_url=https%3A%2F%2Fada.example%2F', SECRET), true);
    assert.equal(isKnownCommenterByHeader('comment_author_x=1; xcomment_author=2', SECRET), false);
    assert.equal(isKnownCommenterByHeader('comment_author', SECRET), false, 'a name without a value is no cookie');
  });
});

describe('a commenter’s private cache key', () => {
  const ada = { author: 'Ada', email: 'ada@example.org', url: '' };

  it('names their own comments whatever their order, and what their form is prefilled with', () => {
    assert.equal(commenterKey(['12', '3', '12'], ada), commenterKey(['3', '12'], ada));
    assert.notEqual(commenterKey(['3'], ada), commenterKey(['3', '12'], ada));
    assert.notEqual(commenterKey(['3'], ada), commenterKey(['3'], { ...ada, url: 'https://ada.example/' }));
    assert.notEqual(commenterKey(['3'], ada), commenterKey(['3'], null));
    assert.notEqual(commenterKey([], { author: 'a|b', email: '', url: '' }), commenterKey([], { author: 'a', email: 'b', url: '' }));
  });

  it('holds no email or name in the clear', () => {
    assert.doesNotMatch(commenterKey(['3'], ada), /ada/i);
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

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressOf, hasCommenterCookie, parseAcceptEncoding } from '../../src/middleware/cached-pages.js';
import { commenterKey } from '../../src/services/commenter-cookies.js';

const SLUG = 'xi-ducks-putins-push-for-expanded-military-ties';

describe('which requests the cached-page fast path answers', () => {
  it('takes the home page, by page number', () => {
    assert.equal(addressOf('/', undefined)?.key, 'home:1');
    assert.equal(addressOf('/?page=1', undefined)?.key, 'home:1');
    assert.equal(addressOf('/?page=12', 'comment_author=Ada')?.key, 'home:12', 'the list is the same for commenters');
    for (const url of ['/?page=0', '/?page=x', '/?page=1&utm=a', '/?', '/index.html']) assert.equal(addressOf(url, undefined), null, url);
  });

  it('takes article pages and comment pages, with or without a trailing slash', () => {
    assert.deepEqual(addressOf(`/articles/${SLUG}`, undefined), { key: `article:${SLUG}`, kind: 'article', slug: SLUG });
    assert.equal(addressOf(`/articles/${SLUG}/`, undefined)?.key, `article:${SLUG}`);
    assert.equal(addressOf(`/articles/${SLUG}/comment-page-3/`, undefined)?.key, `article:${SLUG}:page:3`);
    assert.equal(addressOf(`/articles/${SLUG}/comment-page-3`, undefined)?.key, `article:${SLUG}:page:3`);
  });

  it('leaves to the router anything else: queries, odd spellings, other paths', () => {
    for (const url of [
      `/articles/${SLUG}?replytocom=4`,
      `/articles/${SLUG}?`,
      `/articles/XI-DUCKS`,
      `/articles/%78i-ducks`,
      `/articles/${SLUG}/comments`,
      `/articles/${SLUG}/comments/feed.xml`,
      `/articles/${SLUG}/comment-page-0/`,
      '/articles/',
      '/feed.xml',
      '/admin/comments',
    ]) {
      assert.equal(addressOf(url, undefined), null, url);
    }
  });

  it('leaves a commenter’s article page to the router: it is their own', () => {
    assert.equal(addressOf(`/articles/${SLUG}`, 'broadsheet_pending=s%3A12.abc'), null);
    assert.equal(addressOf(`/articles/${SLUG}`, 'theme=dark; comment_author_email=ada%40example.org'), null);
    assert.ok(addressOf(`/articles/${SLUG}`, 'theme=dark; connect.sid=s%3Aabc'), 'other cookies do not matter');
  });
});

describe('commenter cookies', () => {
  it('are recognised by name wherever they stand in the header', () => {
    assert.equal(hasCommenterCookie(undefined), false);
    assert.equal(hasCommenterCookie(''), false);
    assert.equal(hasCommenterCookie('comment_author=Ada'), true);
    assert.equal(hasCommenterCookie('a=1;comment_author_url=x'), true);
    assert.equal(hasCommenterCookie('a=1;  broadsheet_pending=s%3A1.sig'), true);
    assert.equal(hasCommenterCookie('comment_author_x=1; xcomment_author=2'), false);
    assert.equal(hasCommenterCookie('comment_author'), false, 'a name without a value is no cookie');
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

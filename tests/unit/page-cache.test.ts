import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillPage, PageCache } from '../../src/services/page-cache.js';

describe('page cache', () => {
  const html = '<form><input name="submission_id" value="ID-1"><input name="rendered_at" value="STAMP-1"></form>';

  it('serves a page only for the version it was stored with', () => {
    const cache = new PageCache();
    assert.equal(cache.set('article:a', 'v1', html, ['ID-1', 'STAMP-1']), true);
    assert.ok(cache.get('article:a', 'v1'));
    assert.equal(cache.get('article:a', 'v2'), null);
    assert.equal(cache.get('article:b', 'v1'), null);
  });

  it('fills fresh per-response values in, whatever order they were given in', () => {
    const cache = new PageCache();
    cache.set('article:a', 'v1', html, ['STAMP-1', 'ID-1']);
    const page = fillPage(cache.get('article:a', 'v1')!, ['STAMP-2', 'ID-2']).toString();
    assert.equal(page, html.replace('ID-1', 'ID-2').replace('STAMP-1', 'STAMP-2'));
  });

  it('keeps multi-byte text intact around the values', () => {
    const cache = new PageCache();
    const text = '<h1>Putin’s “push” — 😀</h1><input value="ID-1">';
    cache.set('k', 'v', text, ['ID-1']);
    assert.equal(fillPage(cache.get('k', 'v')!, ['ID-2']).toString(), text.replace('ID-1', 'ID-2'));
  });

  it('refuses to cache a page where a per-response value is missing or repeated', () => {
    const cache = new PageCache();
    assert.equal(cache.set('k', 'v', html, ['ID-1', 'NOT-THERE']), false);
    assert.equal(cache.set('k', 'v', html + 'ID-1', ['ID-1']), false);
    assert.equal(cache.get('k', 'v'), null);
  });

  it('forgets the oldest page when full', () => {
    const cache = new PageCache(2);
    for (const key of ['a', 'b', 'c']) cache.set(key, 'v', `<p>${key}</p>`, []);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 'v'), null);
    assert.ok(cache.get('c', 'v'));
  });
});

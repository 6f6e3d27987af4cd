import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressSlug,
  formatTagNames,
  parseTagNames,
  TAG_NAME_MAX,
  TAGS_PER_ARTICLE_MAX,
  type TagParse,
} from '../../src/articles/tag-names.js';

function tags(parse: TagParse) {
  assert.ok(parse.ok, parse.ok ? '' : `refused: ${parse.message}`);
  return parse.tags;
}

function refusal(parse: TagParse) {
  assert.ok(!parse.ok, 'expected the tags to be refused');
  return parse.message;
}

describe('reading the tags field', () => {
  it('splits on commas, trims, collapses inner spaces and drops blanks', () => {
    assert.deepEqual(tags(parseTagNames(' Foreign   policy, Asia ,, ,')), [
      { name: 'Foreign policy', slug: 'foreign-policy' },
      { name: 'Asia', slug: 'asia' },
    ]);
    assert.deepEqual(tags(parseTagNames('')), []);
    assert.deepEqual(tags(parseTagNames(' , ')), []);
  });

  it('keeps one tag per slug, as first typed, so case and punctuation make no second tag', () => {
    assert.deepEqual(tags(parseTagNames('Politics, politics, POLITICS!, Asia')), [
      { name: 'Politics', slug: 'politics' },
      { name: 'Asia', slug: 'asia' },
    ]);
  });

  it('makes ASCII slugs: accents dropped, apostrophes removed, other characters hyphens', () => {
    assert.deepEqual(tags(parseTagNames('Café Society, Xi’s Visit, C++ & Rust')), [
      { name: 'Café Society', slug: 'cafe-society' },
      { name: 'Xi’s Visit', slug: 'xis-visit' },
      { name: 'C++ & Rust', slug: 'c-rust' },
    ]);
  });

  it('refuses a name with nothing to make an address from', () => {
    assert.match(refusal(parseTagNames('fine, 東京')), /“東京” needs at least one letter from a to z or a digit/);
    assert.match(refusal(parseTagNames('***')), /needs at least one letter/);
  });

  it('refuses a name over the length limit and too many tags', () => {
    assert.ok(tags(parseTagNames('x'.repeat(TAG_NAME_MAX))).length === 1);
    assert.match(refusal(parseTagNames('x'.repeat(TAG_NAME_MAX + 1))), /100 characters or fewer/);
    const many = Array.from({ length: TAGS_PER_ARTICLE_MAX + 1 }, (_, n) => `tag ${n}`).join(', ');
    assert.match(refusal(parseTagNames(many)), /at most 30 tags/);
  });
});

describe('addresses and the field shown', () => {
  it('addressSlug leaves only a–z, 0–9 and single inner hyphens', () => {
    assert.equal(addressSlug('  Hello,   World!  '), 'hello-world');
    assert.equal(addressSlug('Ελληνικά'), '');
    assert.equal(addressSlug('2026: a year'), '2026-a-year');
  });

  it('formatTagNames joins names as the field takes them back', () => {
    const shown = formatTagNames(['Asia', 'Foreign policy']);
    assert.equal(shown, 'Asia, Foreign policy');
    assert.deepEqual(
      tags(parseTagNames(shown)).map((tag) => tag.name),
      ['Asia', 'Foreign policy'],
    );
  });
});

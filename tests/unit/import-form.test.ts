import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImportForm } from '../../src/moving/import-form.js';

const accounts = new Set(['editor', 'chief']);
const exists = (username: string) => Promise.resolve(accounts.has(username));
const parse = (body: Record<string, unknown>) => parseImportForm({ _csrf: 'token', ...body }, exists);

describe('the import form', () => {
  it('reads a WordPress import with its options and author mapping (blank lines and spaces ignored)', async () => {
    const parsed = await parse({
      source: 'wordpress',
      dry_run: '1',
      with_pingbacks: '1',
      map_author: 'admin = chief\r\n\r\nguest-writer=editor\n',
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request, {
      source: 'wordpress',
      options: { dryRun: true, skipPages: false, withPingbacks: true, mapAuthor: { admin: 'chief', 'guest-writer': 'editor' } },
    });
  });

  it('reads a Disqus import with its domain mapping, ignoring the WordPress options', async () => {
    const parsed = await parse({
      source: 'disqus',
      skip_pages: '1',
      map_author: 'x=nobody',
      map_domain: 'old.example.com=blog.example.org:8080',
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request, {
      source: 'disqus',
      options: { dryRun: false, mapDomain: { 'old.example.com': 'blog.example.org:8080' } },
    });
  });

  const refusals: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an unknown source', { source: 'blogger' }, 'source', /Choose what the file is/],
    ['a line without =', { source: 'wordpress', map_author: 'admin' }, 'map_author', /^Line 1: write it as old=new\.$/],
    ['an account that does not exist', { source: 'wordpress', map_author: 'admin=nobody' }, 'map_author', /no account named “nobody”/],
    ['a login mapped twice', { source: 'wordpress', map_author: 'a=chief\na=editor' }, 'map_author', /^Line 2: “a” is mapped twice\.$/],
    [
      'a domain with a path',
      { source: 'disqus', map_domain: 'old.example.com/blog=new.example.com' },
      'map_domain',
      /is not a domain name/,
    ],
    ['a field sent twice', { source: ['wordpress', 'disqus'] }, 'source', /could not be read/],
    ['an unknown field', { source: 'wordpress', extra: '1' }, 'source', /could not be read/],
  ];
  for (const [name, body, field, message] of refusals) {
    it(`refuses ${name}, keeping what was typed`, async () => {
      const parsed = await parse(body);
      assert.equal(parsed.ok, false);
      assert.ok(!parsed.ok);
      assert.match(parsed.errors[field as keyof typeof parsed.errors] ?? '', message);
      if (typeof body.map_author === 'string') assert.equal(parsed.values.map_author, body.map_author);
    });
  }
});

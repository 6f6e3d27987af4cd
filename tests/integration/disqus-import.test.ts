import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { importDisqus } from '../../src/moving/disqus-import.js';
import { ImportRefused } from '../../src/moving/import-summary.js';
import { insertArticle } from '../helpers/articles.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();
const FIXTURE = path.join(projectRoot, 'tests/fixtures/disqus/export.xml');
const BASE_URL = 'https://blog.example.org';
const MOVED = { 'oldblog.example.com': 'blog.example.org' };
let folder: string;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-disqus-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

const articles = { hello: '', renamed: '', numbered: '' };

beforeEach(async () => {
  // The three places a Disqus thread can point: an old WordPress path, a former slug, and /?p=ID.
  const hello = await insertArticle(testDb.db, { slug: 'hello-world', title: 'Hello world!' });
  await testDb.db('article_legacy_paths').insert({ path: '/2013/01/10/hello-world/', article_id: hello.id });
  const renamed = await insertArticle(testDb.db, { slug: 'renamed-now', title: 'Renamed' });
  await testDb.db('article_former_slugs').insert({ slug: 'renamed-long-ago', article_id: renamed.id });
  const numbered = await insertArticle(testDb.db, { slug: 'known-by-number', title: 'Numbered' });
  await testDb
    .db('articles')
    .where({ id: numbered.id })
    .update({ source_site: 'https://oldblog.example.com', source_id: '77', source_kind: 'post' });
  Object.assign(articles, { hello: hello.id, renamed: renamed.id, numbered: numbered.id });
});

const run = (file = FIXTURE, options: { dryRun?: boolean; mapDomain?: Record<string, string> } = {}) =>
  importDisqus(testDb.db, file, { dryRun: options.dryRun ?? false, mapDomain: options.mapDomain ?? MOVED, baseUrl: BASE_URL });

const imported = () =>
  testDb
    .db('comments')
    .whereNotNull('source_id')
    .select(
      'id',
      'source_site',
      'source_id',
      'article_id',
      'parent_id',
      'status',
      'author_name',
      'author_email',
      'author_url',
      'body',
      'created_at',
      'imported_from',
      testDb.db.raw('host(ip) AS ip'),
    )
    .orderBy('source_id');

async function fixtureFile(name: string, text: string): Promise<string> {
  const file = path.join(folder, name);
  await writeFile(file, text);
  return file;
}

describe('importing a Disqus export', () => {
  it('puts each thread’s comments on the article its link names, with threads and statuses', async () => {
    const summary = await run();
    assert.deepEqual(summary.lines.slice(0, 4), [
      '9 comments: 6 approved, 1 pending, 1 spam, 1 in the trash',
      '2 replies in threads',
      '3 threads matched to articles',
      '1 thread not matched (listed below)',
    ]);
    assert.ok(summary.lines.includes('2 comments skipped'));
    assert.deepEqual(
      summary.skipped.map((skipped) => skipped.item.split(' ').slice(0, 2).join(' ')),
      ['thread 1209743004', 'post 2005'],
    );
    assert.match(summary.skipped[0]!.reason, /no article here has the address \/never-moved-here\//);
    assert.match(summary.skipped[1]!.reason, /deleted, with no text left/);
    assert.deepEqual(summary.problems, ['comment 2012: its parent 1999 is not among the comments imported, so it is top-level']);

    const rows = await imported();
    const bySource = new Map(rows.map((row) => [row.source_id, row]));
    assert.deepEqual([...bySource.keys()], ['2001', '2002', '2003', '2004', '2007', '2008', '2010', '2011', '2012']);
    for (const row of rows) {
      assert.equal(row.source_site, 'disqus:oldblog');
      assert.equal(row.imported_from, 'disqus');
      assert.equal(row.author_url, '');
    }
    const first = bySource.get('2001')!;
    assert.equal(String(first.article_id), articles.hello);
    assert.equal(first.status, 'approved');
    assert.equal(first.author_name, 'Jane Reader');
    assert.equal(first.author_email, '');
    assert.equal(first.ip, '203.0.113.9');
    assert.equal(first.body, 'Lovely first post.\n\nSee this duck (https://example.net/ducks) & more.');
    assert.equal(first.created_at.toISOString(), '2013-01-10T11:02:03.000Z');
    const reply = bySource.get('2002')!;
    assert.equal(String(reply.parent_id), String(first.id));
    assert.equal(reply.author_name, 'Guest');
    assert.equal(reply.body, 'Agreed, with ]]> in it.');
    assert.equal(reply.ip, '2001:db8::2');
    assert.equal(bySource.get('2003')!.status, 'spam');
    assert.equal(bySource.get('2004')!.status, 'trash');
    // A reply listed before its parent is joined to it all the same.
    assert.equal(String(bySource.get('2007')!.parent_id), String(bySource.get('2008')!.id));
    assert.equal(String(bySource.get('2007')!.article_id), articles.renamed);
    assert.equal(bySource.get('2010')!.status, 'pending');
    assert.equal(String(bySource.get('2010')!.article_id), articles.numbered);
    assert.equal(bySource.get('2011')!.author_email, 'old.timer@example.net');
    assert.equal(bySource.get('2012')!.parent_id, null);
  });

  it('matches nothing on another domain unless told the site moved', async () => {
    const summary = await run(FIXTURE, { mapDomain: {} });
    assert.equal(summary.lines[0], '0 comments');
    assert.equal(summary.counts['threads not matched'], 4);
    assert.match(
      summary.skipped[0]!.reason,
      /on oldblog\.example\.com, not on this site \(blog\.example\.org\): add --map-domain oldblog\.example\.com=blog\.example\.org/,
    );
    assert.equal((await imported()).length, 0);
  });

  it('adds nothing the second time', async () => {
    await run();
    const before = await imported();
    const again = await run();
    assert.equal(again.counts.comments ?? 0, 0);
    assert.equal(again.counts['comments already imported'], 9);
    assert.ok(again.lines.includes('9 comments already imported'));
    assert.deepEqual(await imported(), before);
  });

  it('changes nothing on a dry run, and says what it would do', async () => {
    const summary = await run(FIXTURE, { dryRun: true });
    assert.equal(summary.lines[0], '9 comments would be imported: 6 approved, 1 pending, 1 spam, 1 in the trash');
    assert.equal((await imported()).length, 0);
  });

  it('refuses a file that is not a Disqus export, is cut short, or declares entities, importing nothing', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['wxr.xml', '<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', /not a Disqus export: it starts with <rss>/],
      ['cut.xml', (await import('node:fs')).readFileSync(FIXTURE, 'utf8').slice(0, 3000), /ends before the export does \(line \d+\)/],
      [
        'entities.xml',
        '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><disqus xmlns="http://disqus.com">&xxe;</disqus>',
        /declares entities/,
      ],
      ['broken.xml', '<disqus xmlns="http://disqus.com"><post></thread></disqus>', /not well-formed XML at line 1/],
      ['empty.xml', '', /not a Disqus export/],
    ];
    for (const [name, text, message] of cases) {
      await assert.rejects(run(await fixtureFile(name, text)), (error: unknown) => {
        assert.ok(error instanceof ImportRefused, name);
        assert.match(error.message, /^Nothing imported: /);
        assert.match(error.message, message);
        return true;
      });
    }
    assert.equal((await imported()).length, 0);
  });
});

describe('an imported Disqus comment and "previously approved"', () => {
  it('never lets a commenter skip moderation', async () => {
    await run();
    const site = commentingApp(testDb.db);
    const post = async (author: string, email: string) => {
      const client = site.browser();
      const form = await loadForm(client);
      site.advanceSeconds(20);
      await postPairs(client, typed(form.fields, { author, email, comment: `A new comment from ${author}.` })).expect(303);
      return testDb.db('comments').where({ author_name: author }).whereNull('source_id').first();
    };
    // The Disqus comment carries this very name and address, approved: still held.
    const held = await post('Old Timer', 'old.timer@example.net');
    assert.equal(held.status, 'pending');
    assert.match(JSON.stringify(held.status_reasons), /first_time_commenter/);
    // The same rule lets through someone whose earlier approved comment was made here.
    await insertComment(testDb.db, { author_name: 'Regular', author_email: 'regular@example.net', status: 'approved' });
    assert.equal((await post('Regular', 'regular@example.net')).status, 'approved');
  });
});

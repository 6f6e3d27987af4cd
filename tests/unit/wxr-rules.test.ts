import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commentHtmlText } from '../../src/moving/comment-html-text.js';
import { remoteImageCount, wordpressBodySource } from '../../src/moving/post-body.js';
import { planItem, type PlanContext } from '../../src/moving/post-plan.js';
import { legacyPathsOf, normaliseSlug, siteKeyOf, wordpressDate } from '../../src/moving/wordpress-values.js';
import type { WxrComment, WxrItem } from '../../src/moving/wxr-items.js';

const context = (overrides: Partial<PlanContext> = {}): PlanContext => ({
  siteTimeZone: 'Europe/London',
  withPingbacks: false,
  skipPages: false,
  authors: new Map([['ada', { id: '7', login: 'ada', displayName: 'Ada Lovelace' }]]),
  authorsById: new Map([['7', { id: '7', login: 'ada', displayName: 'Ada Lovelace' }]]),
  accounts: new Map(),
  sitePath: '',
  ...overrides,
});

const item = (fields: Partial<WxrItem> = {}): WxrItem => ({
  title: 'Hello',
  link: 'https://old.example/2013/01/10/hello-world/',
  creator: 'ada',
  content: 'Text.',
  excerpt: '',
  postId: '5',
  postDate: '2013-01-10 12:00:00',
  postDateGmt: '2013-01-10 12:00:00',
  commentStatus: 'open',
  postName: 'hello-world',
  status: 'publish',
  postParent: '0',
  postType: 'post',
  postPassword: '',
  terms: [],
  comments: [],
  meta: {},
  ...fields,
});

const comment = (fields: Partial<WxrComment> = {}): WxrComment => ({
  id: '1',
  author: 'Grace',
  authorEmail: 'grace@example.org',
  authorUrl: '',
  authorIp: '192.0.2.1',
  date: '2013-01-11 10:00:00',
  dateGmt: '2013-01-11 10:00:00',
  content: 'Hi.',
  approved: '1',
  type: '',
  parent: '0',
  userId: '0',
  ...fields,
});

function planned(fields: Partial<WxrItem>, overrides: Partial<PlanContext> = {}) {
  const result = planItem(item(fields), context(overrides));
  assert.equal(result.kind, 'post');
  return result.plan;
}

describe('WordPress import rules: site, slugs and paths', () => {
  it('keys a site by its lower-case scheme and host, without a trailing slash', () => {
    assert.equal(siteKeyOf('HTTPS://Blog.Example.COM/'), 'https://blog.example.com');
    assert.equal(siteKeyOf('http://example.com/blog/'), 'http://example.com/blog');
    assert.equal(siteKeyOf('ftp://example.com'), null);
    assert.equal(siteKeyOf('not a url'), null);
  });

  it('normalises slugs to the article rule: decoded, transliterated, from the title when empty', () => {
    assert.equal(normaliseSlug('caf%c3%a9-notes', 'x'), 'cafe-notes');
    assert.equal(normaliseSlug('%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2', 'x'), 'epipedo-2');
    assert.equal(normaliseSlug('', 'Édition: “Spécial”!'), 'edition-special');
    assert.equal(normaliseSlug('', ''), 'article');
    assert.equal(normaliseSlug('%zz-bad', ''), 'zz-bad');
    assert.match(normaliseSlug('a'.repeat(500), ''), /^a{194}$/);
  });

  it('keeps the old paths: the link, the date shapes and /slug/, decoded', () => {
    assert.deepEqual(legacyPathsOf(item({ postName: 'caf%c3%a9', link: 'https://old.example/?p=5' }), 'post', '').sort(), [
      '/2013/01/10/café/',
      '/2013/01/café/',
      '/café/',
    ]);
    assert.deepEqual(legacyPathsOf(item({ postName: 'child', link: 'https://old.example/parent/child/' }), 'page', '').sort(), [
      '/child/',
      '/parent/child/',
    ]);
  });
});

describe('WordPress import rules: dates and statuses', () => {
  it('takes post_date_gmt, else post_date in the site time zone', () => {
    assert.equal(wordpressDate('2014-03-09 09:00:05', '', 'UTC')?.toISOString(), '2014-03-09T09:00:05.000Z');
    assert.equal(wordpressDate('0000-00-00 00:00:00', '2014-07-01 10:30:00', 'Europe/London')?.toISOString(), '2014-07-01T09:30:00.000Z');
    assert.equal(wordpressDate('0000-00-00 00:00:00', '0000-00-00 00:00:00', 'UTC'), null);
    assert.equal(wordpressDate('2014-02-30 00:00:00', '', 'UTC'), null);
  });

  it('maps statuses; password-protected and private posts become drafts, said so', () => {
    assert.equal(planned({ status: 'publish' }).status, 'published');
    assert.equal(planned({ status: 'future', postDateGmt: '2099-01-01 00:00:00' }).status, 'scheduled');
    assert.equal(planned({ status: 'pending' }).status, 'draft');
    const secret = planned({ status: 'publish', postPassword: 'enter' });
    assert.deepEqual([secret.status, secret.hidden], ['draft', 'password']);
    const own = planned({ status: 'private' });
    assert.deepEqual([own.status, own.hidden], ['draft', 'private']);
    const odd = planItem(item({ status: 'sideways' }), context());
    assert.deepEqual(odd.kind === 'skip' && odd.reason, 'unknown status “sideways”');
  });

  it('skips attachments, menu items and, with --skip-pages, pages; counted apart', () => {
    const counted = (fields: Partial<WxrItem>, overrides: Partial<PlanContext> = {}) => {
      const result = planItem(item(fields), context(overrides));
      return result.kind === 'skip' ? result.counted : 'imported';
    };
    assert.equal(counted({ postType: 'attachment' }), 'attachments skipped');
    assert.equal(counted({ postType: 'nav_menu_item' }), 'menu items skipped');
    assert.equal(counted({ postType: 'page' }), 'imported');
    assert.equal(counted({ postType: 'page' }, { skipPages: true }), 'pages skipped');
    assert.equal(counted({ postType: 'wp_block' }), 'other items skipped');
  });

  it('credits the author by display name, or the mapped account', () => {
    assert.deepEqual([planned({}).authorName, planned({}).authorId], ['Ada Lovelace', null]);
    const mapped = planned({}, { accounts: new Map([['ada', { id: '3', displayName: 'Ada L.' }]]) });
    assert.deepEqual([mapped.authorName, mapped.authorId], ['Ada L.', '3']);
  });

  it('makes tags of categories and tags, once each, without "Uncategorized"', () => {
    const tags = planned({
      terms: [
        { domain: 'category', nicename: 'uncategorized', name: 'Uncategorized' },
        { domain: 'category', nicename: 'news', name: 'News' },
        { domain: 'post_tag', nicename: 'news', name: 'news' },
        { domain: 'post_format', nicename: 'post-format-aside', name: 'Aside' },
      ],
    }).tags;
    assert.deepEqual(tags, [{ name: 'News', slug: 'news' }]);
  });
});

describe('WordPress import rules: comments', () => {
  it('maps statuses, skips pingbacks unless asked, and marks the site’s own replies', () => {
    const plan = planned({
      comments: [
        comment({ id: '1', approved: '1' }),
        comment({ id: '2', approved: '0', parent: '1', userId: '7' }),
        comment({ id: '3', approved: 'spam' }),
        comment({ id: '4', approved: 'trash' }),
        comment({ id: '5', type: 'pingback' }),
        comment({ id: '6', approved: 'maybe' }),
      ],
    });
    assert.deepEqual(
      plan.comments.map((c) => [c.sourceId, c.status, c.parentSourceId, c.isSiteReply]),
      [
        ['1', 'approved', null, false],
        ['2', 'pending', '1', true],
        ['3', 'spam', null, false],
        ['4', 'trash', null, false],
      ],
    );
    assert.deepEqual(
      plan.skippedComments.map((skipped) => skipped.reason),
      ['pingback (use --with-pingbacks to import)', 'unknown comment status “maybe”'],
    );
    const withPingbacks = planned({ comments: [comment({ id: '5', type: 'trackback' })] }, { withPingbacks: true });
    assert.equal(withPingbacks.comments[0]?.kind, 'pingback');
  });

  it('makes a reply whose parent is missing top-level, and says so', () => {
    const plan = planned({ comments: [comment({ id: '9', parent: '77' })] });
    assert.equal(plan.comments[0]?.parentSourceId, null);
    assert.match(plan.notes.join('\n'), /comment 9: its parent 77 is not in the export/);
  });

  it('keeps fields within the columns: a bad e-mail, address or IP is left out, a long name cut', () => {
    const [only] = planned({
      comments: [comment({ author: 'N'.repeat(300), authorEmail: 'nope', authorUrl: 'javascript:alert(1)', authorIp: '999.0.0.1' })],
    }).comments;
    assert.deepEqual([only?.authorName.length, only?.authorEmail, only?.authorUrl, only?.ip], [245, '', '', null]);
  });

  it('turns comment HTML into the text a reader saw', () => {
    assert.equal(
      commentHtmlText(
        '<p>Lovely &amp; clear.</p><p>See <a href="https://x.example/post">my post</a> and <a href="https://x.example">https://x.example</a>.</p>',
      ),
      'Lovely & clear.\n\nSee my post (https://x.example/post) and https://x.example.',
    );
    assert.equal(commentHtmlText('One\nline<br />two\n\nnext <script>alert(1)</script><b>bold</b>'), 'One\nline\ntwo\n\nnext bold');
    assert.equal(commentHtmlText('[&#8230;] a mention &lt;3'), '[…] a mention <3');
  });
});

describe('WordPress import rules: post bodies', () => {
  it('strips block comments from block content and adds paragraphs to classic content', () => {
    assert.equal(wordpressBodySource('<!-- wp:paragraph -->\n<p>Block.</p>\n<!-- /wp:paragraph -->'), '<p>Block.</p>');
    assert.equal(wordpressBodySource('One.\n\nTwo\nlines.').trim(), '<p>One.</p>\n<p>Two<br />\nlines.</p>');
  });

  it('takes the Markdown source and figure back from a Broadsheet export', () => {
    const plan = planned({
      content: '<p>Rendered</p>',
      meta: { _broadsheet_format: 'markdown', _broadsheet_markdown: 'Some *Markdown*.', _broadsheet_figure_caption: 'A caption' },
    });
    assert.deepEqual([plan.body, plan.bodyFormat, plan.figure?.caption], ['Some *Markdown*.', 'markdown', 'A caption']);
    assert.equal(planned({ content: 'Plain.' }).bodyFormat, 'html');
  });

  it('counts images still loaded from other sites', () => {
    assert.equal(remoteImageCount('<img src="https://a.example/x.jpg"><img src=\'//b.example/y.png\'><img src="/media/z.jpg">'), 2);
  });
});

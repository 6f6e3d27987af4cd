import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import request from 'supertest';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { buildTestApp } from '../helpers/app.js';
import { APP_ORIGIN, DEMO_PATH } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { parsePage } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';

const database = useTestDatabase();
const app = () => buildTestApp(database.db);
const ATOM = 'application/atom+xml; charset=utf-8';
const COMMENT_FEED = `${DEMO_PATH}/comments/feed.xml`;

async function getFeed(path: string) {
  const response = await request(app()).get(path);
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  assert.equal(response.headers['content-type'], ATOM);
  return { xml: response.text, feed: cheerio.load(response.text, { xml: true }) };
}

const entries = (feed: cheerio.CheerioAPI) =>
  feed('feed > entry')
    .map((_index, entry) => ({
      id: feed(entry).children('id').text(),
      link: feed(entry).children('link').attr('href'),
      title: feed(entry).children('title').text(),
      author: feed(entry).find('author > name').text(),
      content: feed(entry).children('content').text(),
      published: feed(entry).children('published').text(),
      updated: feed(entry).children('updated').text(),
    }))
    .get();

describe('GET /feed.xml — the articles', () => {
  it('is an Atom feed of published articles, newest first, with absolute links', async () => {
    await insertArticle(database.db, { slug: 'a-draft', title: 'A draft', status: 'draft' });
    await insertArticle(database.db, { slug: 'the-future', title: 'Tomorrow', published_at: new Date(Date.now() + 86_400_000) });
    await insertArticle(database.db, { slug: 'newer-piece', title: 'Fish & <chips>', published_at: new Date('2023-03-01T00:00:00Z') });
    const { feed } = await getFeed('/feed.xml');
    assert.equal(feed('feed').attr('xmlns'), 'http://www.w3.org/2005/Atom');
    assert.equal(feed('feed > title').text(), 'Broadsheet');
    assert.equal(feed('feed > link[rel="self"]').attr('href'), `${APP_ORIGIN}/feed.xml`);
    assert.equal(feed('feed > link[rel="alternate"]').attr('href'), `${APP_ORIGIN}/`);
    const items = entries(feed);
    assert.deepEqual(
      items.map((item) => item.link),
      [`${APP_ORIGIN}/articles/newer-piece`, `${APP_ORIGIN}${DEMO_PATH}`],
    );
    assert.equal(items[0]!.title, 'Fish &#38; &#60;chips&#62;', 'titles are escaped HTML, as type="html" wants');
    assert.equal(items[1]!.author, 'Kareem Salem');
    assert.equal(items[1]!.published, '2023-01-02T09:00:00.000Z');
    assert.match(items[1]!.content, /^<p>China’s President Xi Jiinping met/);
  });

  it('is linked from every page', async () => {
    for (const path of ['/', DEMO_PATH, '/no-such-page']) {
      const page = parsePage((await request(app()).get(path)).text);
      const link = page('head link[rel="alternate"][type="application/atom+xml"]').first();
      assert.equal(link.attr('href'), `${APP_ORIGIN}/feed.xml`, `the site feed is linked from ${path}`);
    }
  });
});

describe('GET /articles/:slug/comments/feed.xml — an article’s comments', () => {
  it('has the approved comments only, newest first, each linking to the comment, and no email', async () => {
    const older = await insertComment(database.db, { body: 'The older one.', author_email: 'older@example.net' });
    const newer = await insertComment(database.db, {
      body: 'The <b>newer</b> one.',
      author_name: 'Ada <Lovelace>',
      author_email: 'newer@example.net',
    });
    const reply = await insertComment(database.db, { parent_id: older, body: 'A reply.' });
    for (const status of ['pending', 'spam', 'trash'] as const) {
      await insertComment(database.db, { status, body: `Hidden ${status}.`, author_email: `${status}@example.net` });
    }
    const { xml, feed } = await getFeed(COMMENT_FEED);
    assert.equal(feed('feed > title').text(), 'Comments on: Xi Ducks Putin’s Push for Expanded Military Ties');
    assert.equal(feed('feed > link[rel="alternate"]').attr('href'), `${APP_ORIGIN}${DEMO_PATH}`);
    const items = entries(feed);
    assert.deepEqual(
      items.map((item) => item.link),
      [reply, newer, older].map((id) => `${APP_ORIGIN}${DEMO_PATH}#comment-${id}`),
    );
    assert.equal(items[1]!.author, 'Ada <Lovelace>');
    assert.equal(items[1]!.title, 'By: Ada &#60;Lovelace&#62;');
    assert.equal(items[1]!.content?.trim(), '<p>The &lt;b&gt;newer&lt;/b&gt; one.</p>', 'typed markup stays text, as on the page');
    assert.doesNotMatch(xml, /Hidden/);
    assert.doesNotMatch(xml, /@example\.net/, 'no commenter email in the feed');
  });

  it('is linked from the article page, and is 404 for an unknown or unpublished article', async () => {
    const page = parsePage((await request(app()).get(DEMO_PATH)).text);
    const hrefs = page('head link[rel="alternate"][type="application/atom+xml"]')
      .map((_i, link) => page(link).attr('href'))
      .get();
    assert.ok(hrefs.includes(`${APP_ORIGIN}${COMMENT_FEED}`), 'the article links its comments feed');
    const home = parsePage((await request(app()).get('/')).text);
    assert.equal(home('head link[rel="alternate"]').length, 1, 'the home page links the site feed only');

    await request(app()).get('/articles/no-such-article/comments/feed.xml').expect(404);
    await insertArticle(database.db, { slug: 'a-draft', status: 'draft' });
    await request(app()).get('/articles/a-draft/comments/feed.xml').expect(404);
  });

  it('is empty but valid when nobody has commented', async () => {
    const { feed } = await getFeed(COMMENT_FEED);
    assert.equal(feed('feed > entry').length, 0);
    assert.equal(feed('feed > updated').text(), '2023-01-02T09:00:00.000Z');
  });

  it('links each comment to the comment page holding it when comments are paginated', async () => {
    await saveDiscussionSettings(database.db, { ...DEFAULT_DISCUSSION_SETTINGS, paginateComments: true, commentsPerPage: 1 }, null);
    const first = await insertComment(database.db, { body: 'First.' });
    const second = await insertComment(database.db, { body: 'Second.' });
    const { feed } = await getFeed(COMMENT_FEED);
    const items = entries(feed);
    assert.deepEqual(
      items.map((item) => item.link),
      [`${APP_ORIGIN}${DEMO_PATH}#comment-${second}`, `${APP_ORIGIN}${DEMO_PATH}/comment-page-1/#comment-${first}`],
    );
    assert.equal(items[1]!.id, `${APP_ORIGIN}/articles/${DEMO_SLUG}#comment-${first}`, 'an entry id does not move with pages');
  });

  it('moves an entry’s updated when a moderator edits the comment, and the feed’s when an older comment is approved late', async () => {
    const older = await insertComment(database.db, { status: 'pending', body: 'Held a while.' });
    const newer = await insertComment(database.db, { body: 'Approved at once.' });
    let { feed } = await getFeed(COMMENT_FEED);
    const newerCreated = entries(feed).find((item) => item.id.endsWith(`#comment-${newer}`))!.published;
    assert.equal(feed('feed > updated').text(), newerCreated, 'the newest change is the newest comment');

    // A moderator approves the older comment months later (as the queue does: approved_at and updated_at).
    const approvedAt = new Date('2024-06-01T12:00:00Z');
    await database
      .db('comments')
      .where({ id: older })
      .update({ status: 'approved', approved_at: approvedAt, updated_at: approvedAt, moderated_at: approvedAt });
    ({ feed } = await getFeed(COMMENT_FEED));
    assert.equal(feed('feed > updated').text(), approvedAt.toISOString());
    const olderEntry = entries(feed).find((item) => item.id.endsWith(`#comment-${older}`))!;
    assert.equal(olderEntry.updated, approvedAt.toISOString());
    assert.notEqual(olderEntry.published, approvedAt.toISOString(), 'published stays when it was written');

    // Then edits the newer one (as the edit page does: the text and updated_at).
    const editedAt = new Date('2024-07-01T08:30:00Z');
    await database
      .db('comments')
      .where({ id: newer })
      .update({ body: 'Approved at once (edited).', updated_at: editedAt, moderated_at: editedAt });
    ({ feed } = await getFeed(COMMENT_FEED));
    const newerEntry = entries(feed).find((item) => item.id.endsWith(`#comment-${newer}`))!;
    assert.equal(newerEntry.updated, editedAt.toISOString());
    assert.equal(newerEntry.published, newerCreated);
    assert.match(newerEntry.content, /\(edited\)/);
    assert.equal(feed('feed > updated').text(), editedAt.toISOString());
  });
});

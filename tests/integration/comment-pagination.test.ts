import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import request from 'supertest';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { DEFAULT_DISCUSSION_SETTINGS, type DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { buildTestApp } from '../helpers/app.js';
import { adminApp } from '../helpers/admin.js';
import { APP_ORIGIN, DEMO_PATH, commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertArticle, insertComment } from '../helpers/rows.js';

const database = useTestDatabase();
const app = () => buildTestApp(database.db);
const pagePath = (page: number) => `${DEMO_PATH}/comment-page-${page}/`;

async function paginate(settings: Partial<DiscussionSettings> = {}) {
  await saveDiscussionSettings(
    database.db,
    { ...DEFAULT_DISCUSSION_SETTINGS, paginateComments: true, commentsPerPage: 2, ...settings },
    null,
  );
}

/** Five top-level comments, oldest first; the first has a reply and the reply a reply. */
async function fiveThreads() {
  const t1 = await insertComment(database.db, { body: 'Thread one.' });
  const r1 = await insertComment(database.db, { parent_id: t1, body: 'Reply to one.' });
  const t2 = await insertComment(database.db, { body: 'Thread two.' });
  const t3 = await insertComment(database.db, { body: 'Thread three.' });
  const r11 = await insertComment(database.db, { parent_id: r1, body: 'A late reply deep in thread one.' });
  const t4 = await insertComment(database.db, { body: 'Thread four.' });
  const t5 = await insertComment(database.db, { body: 'Thread five.' });
  return { t1, r1, r11, t2, t3, t4, t5 };
}

async function getPage(path: string): Promise<{ page: Page; cache: unknown }> {
  const response = await request(app()).get(path);
  assert.equal(response.status, 200, `GET ${path} answered ${response.status}`);
  return { page: parsePage(response.text), cache: response.headers['x-page-cache'] };
}

/** Ids of the comments on the page, top-level and replies, in document order. */
const shownIds = (page: Page) =>
  page('.comment-list li.comment')
    .map((_index, element) => page(element).attr('id')!.replace('comment-', ''))
    .get();

const navLink = (page: Page, text: string) =>
  page('nav.comment-navigation a').filter((_index, element) => squash(page(element).text()) === text);

describe('comment pages', () => {
  let ids: Awaited<ReturnType<typeof fiveThreads>>;
  beforeEach(async () => {
    ids = await fiveThreads();
  });

  it('shows every comment on the article page while pagination is off', async () => {
    const { page } = await getPage(DEMO_PATH);
    assert.equal(shownIds(page).length, 7);
    assert.equal(page('nav.comment-navigation').length, 0);
  });

  it('lands on the newest page by default, with a link to older comments', async () => {
    await paginate();
    const { page } = await getPage(DEMO_PATH);
    assert.deepEqual(shownIds(page), [ids.t5]);
    assert.equal(
      textAt(page, '#comments-title'),
      '7 Replies to “Xi Ducks Putin’s Push for Expanded Military Ties”',
      'the heading counts every page',
    );
    assert.equal(navLink(page, 'Older comments').attr('href'), `${pagePath(2)}#comments`);
    assert.equal(navLink(page, 'Newer comments').length, 0);
    assert.equal(page('link[rel="canonical"]').attr('href'), `${APP_ORIGIN}${DEMO_PATH}`);
    assert.equal(page(`#comment-${ids.t5} .comment-metadata a`).attr('href'), `${DEMO_PATH}#comment-${ids.t5}`);
  });

  it('serves older pages at /comment-page-N/, each thread whole', async () => {
    await paginate();
    const first = (await getPage(pagePath(1))).page;
    assert.deepEqual(shownIds(first), [ids.t1, ids.r1, ids.r11, ids.t2]);
    assert.equal(first(`#comment-${ids.r1} > ol.children > li`).attr('id'), `comment-${ids.r11}`);
    assert.equal(navLink(first, 'Newer comments').attr('href'), `${pagePath(2)}#comments`);
    assert.equal(navLink(first, 'Older comments').length, 0);
    assert.equal(first('link[rel="canonical"]').attr('href'), `${APP_ORIGIN}${pagePath(1)}`);
    assert.equal(first(`#comment-${ids.r1} .comment-metadata a`).attr('href'), `${pagePath(1)}#comment-${ids.r1}`);
    const reply = new URL(first(`#comment-${ids.t2} .comment-reply-link`).attr('href')!, APP_ORIGIN);
    assert.equal(reply.pathname, pagePath(1), 'replying stays on this page');

    const second = (await getPage(`${DEMO_PATH}/comment-page-2`)).page;
    assert.deepEqual(shownIds(second), [ids.t3, ids.t4]);
    assert.equal(navLink(second, 'Older comments').attr('href'), `${pagePath(1)}#comments`);
    assert.equal(navLink(second, 'Newer comments').attr('href'), `${DEMO_PATH}#comments`, 'the newest page is the article itself');
  });

  it('answers 404 for a page that does not exist', async () => {
    await paginate();
    for (const path of [
      pagePath(4),
      pagePath(0),
      `${DEMO_PATH}/comment-page-x/`,
      `${DEMO_PATH}/comment-page-01/`,
      '/articles/nope/comment-page-1/',
    ]) {
      await request(app()).get(path).expect(404);
    }
  });

  it('starts from the oldest page and orders newest first within a page, by setting', async () => {
    await paginate({ firstPageShown: 'oldest', orderWithinPage: 'desc' });
    const { page } = await getPage(DEMO_PATH);
    assert.deepEqual(shownIds(page), [ids.t2, ids.t1, ids.r1, ids.r11], 'threads reversed, replies kept in order');
    assert.equal(navLink(page, 'Newer comments').attr('href'), `${pagePath(2)}#comments`);
    const last = (await getPage(pagePath(3))).page;
    assert.deepEqual(shownIds(last), [ids.t5]);
    assert.equal(navLink(last, 'Older comments').attr('href'), `${pagePath(2)}#comments`);
  });

  it('sends an old comment-page link to the article once pagination is off', async () => {
    await paginate({ paginateComments: false });
    await request(app()).get(pagePath(2)).expect(301).expect('Location', DEMO_PATH);
  });

  it('caches each comment page for anonymous readers under its own key', async () => {
    await paginate();
    const server = app();
    const first = await request(server).get(pagePath(1)).expect(200);
    const again = await request(server).get(pagePath(1)).expect(200);
    const home = await request(server).get(DEMO_PATH).expect(200);
    assert.deepEqual([first.headers['x-page-cache'], again.headers['x-page-cache'], home.headers['x-page-cache']], ['miss', 'hit', 'miss']);
    assert.deepEqual(shownIds(parsePage(again.text)), [ids.t1, ids.r1, ids.r11, ids.t2]);
    assert.deepEqual(shownIds(parsePage(home.text)), [ids.t5]);

    const late = await insertComment(database.db, { parent_id: ids.t2, body: 'Approved later.' });
    const after = await request(server).get(pagePath(1)).expect(200);
    assert.equal(after.headers['x-page-cache'], 'miss');
    assert.ok(shownIds(parsePage(after.text)).includes(late));
  });
});

describe('GET /comments/:id — a comment’s permalink', () => {
  it('redirects to the page holding the comment', async () => {
    const ids = await fiveThreads();
    await paginate();
    await request(app())
      .get(`/comments/${ids.r11}`)
      .expect(302)
      .expect('Location', `${pagePath(1)}#comment-${ids.r11}`);
    await request(app())
      .get(`/comments/${ids.t4}`)
      .expect(302)
      .expect('Location', `${pagePath(2)}#comment-${ids.t4}`);
    await request(app()).get(`/comments/${ids.t5}`).expect(302).expect('Location', `${DEMO_PATH}#comment-${ids.t5}`);
  });

  it('redirects to the article when comments are on one page', async () => {
    const id = await insertComment(database.db);
    await request(app()).get(`/comments/${id}`).expect(302).expect('Location', `${DEMO_PATH}#comment-${id}`);
  });

  it('answers 404 for a comment nobody may see, or no comment at all', async () => {
    await paginate();
    const hidden: string[] = [];
    for (const status of ['pending', 'spam', 'trash'] as const) hidden.push(await insertComment(database.db, { status }));
    const draftId = await insertArticle(database.db, { slug: 'a-draft', status: 'draft' });
    hidden.push(await insertComment(database.db, { article_id: draftId }));
    for (const id of [...hidden, '999999', 'abc', '0', '1e3']) {
      await request(app()).get(`/comments/${id}`).expect(404);
    }
  });
});

describe('POST /articles/:slug/comments with comment pages — the commenter lands on their comment', () => {
  let ipCounter = 0;

  /** Loads the form at `path` in a browser of its own, waits as a person would, and posts a comment. */
  async function postFrom(path: string, comment: string) {
    const site = commentingApp(database.db);
    const browser = site.browser();
    const { fields } = await loadForm(browser, path);
    site.advanceSeconds(5);
    ipCounter += 1;
    const response = await postPairs(browser, typed(fields, { comment, email: `writer${ipCounter}@example.org` }), {
      ip: `203.0.113.${ipCounter}`,
    });
    assert.equal(response.status, 303, `the comment was accepted (${response.status})`);
    const location = response.headers.location ?? '';
    const id = /#comment-(\d+)$/.exec(location)?.[1];
    assert.ok(id, `Location ${location} names the comment`);
    return { browser, location, id };
  }

  /** Follows the redirect as the commenter’s browser does and finds the comment there. */
  async function landOn(browser: ReturnType<ReturnType<typeof commentingApp>['browser']>, location: string, id: string) {
    const response = await browser.get(location.split('#')[0]!).expect(200);
    const page = parsePage(response.text);
    assert.equal(page(`#comment-${id}`).length, 1, `comment ${id} is on ${location}`);
    assert.equal(textAt(page, `#comment-${id} .comment-awaiting-moderation`), 'Your comment is awaiting moderation.');
  }

  it('sends a reply in an older thread to the older page that holds that thread', async () => {
    const ids = await fiveThreads();
    await paginate();
    const { browser, location, id } = await postFrom(`${pagePath(1)}?replytocom=${ids.t2}`, 'A reply on the first page.');
    assert.equal(location, `${pagePath(1)}#comment-${id}`);
    await landOn(browser, location, id);
  });

  it('sends a new thread to the newest page, which is the article itself by default', async () => {
    await fiveThreads();
    await paginate();
    const { browser, location, id } = await postFrom(DEMO_PATH, 'A new thread.');
    assert.equal(location, `${DEMO_PATH}#comment-${id}`);
    await landOn(browser, location, id);
  });

  it('sends a new thread to the last page when readers land on the oldest', async () => {
    await fiveThreads();
    await paginate({ firstPageShown: 'oldest' });
    const { browser, location, id } = await postFrom(DEMO_PATH, 'A new thread, on the last page.');
    assert.equal(location, `${pagePath(3)}#comment-${id}`);
    await landOn(browser, location, id);
  });

  it('counts an approved new thread that opens a new page, and sends its writer there', async () => {
    const ids = await fiveThreads();
    await paginate({ firstPageShown: 'oldest', commentsPerPage: 5 });
    // A returning commenter is approved at once: the sixth thread starts page 2.
    await insertComment(database.db, {
      status: 'approved',
      author_name: 'Ada Reader',
      author_email: 'writer-regular@example.org',
      parent_id: ids.t5,
    });
    const site = commentingApp(database.db);
    const browser = site.browser();
    const { fields } = await loadForm(browser, DEMO_PATH);
    site.advanceSeconds(5);
    const response = await postPairs(browser, typed(fields, { comment: 'Back again.', email: 'writer-regular@example.org' }), {
      ip: '203.0.113.200',
    });
    assert.equal(response.status, 303);
    const id = /#comment-(\d+)$/.exec(response.headers.location ?? '')![1]!;
    assert.equal((await database.db('comments').where({ id }).first()).status, 'approved');
    assert.equal(response.headers.location, `${pagePath(2)}#comment-${id}`);
  });

  it('sends the commenter to the article when comments are on one page', async () => {
    await fiveThreads();
    const { location, id } = await postFrom(DEMO_PATH, 'No pages here.');
    assert.equal(location, `${DEMO_PATH}#comment-${id}`);
  });
});

describe('the moderation queue links a comment to its public place', () => {
  it('by its permalink when approved, which finds its comment page; by its anchor on the article while it is held', async () => {
    const ids = await fiveThreads();
    const pending = await insertComment(database.db, { status: 'pending', body: 'Held.' });
    await paginate();
    const { app: site, admin } = await adminApp(database.db);
    const queue = parsePage((await admin.agent.get('/admin/comments?status=all').expect(200)).text);
    const linkOf = (id: string) => queue(`#comment-${id} .queue-row__meta a`).first().attr('href');
    assert.equal(linkOf(ids.r11), `/comments/${ids.r11}`);
    assert.equal(linkOf(pending), `${DEMO_PATH}#comment-${pending}`, 'a held comment has no permalink yet');
    await request(site)
      .get(linkOf(ids.r11)!)
      .expect(302)
      .expect('Location', `${pagePath(1)}#comment-${ids.r11}`);
  });
});

describe('comment pages with a removed comment’s replies', () => {
  it('keep the replies under its placeholder, the thread counted in its place', async () => {
    await paginate();
    const t1 = await insertComment(database.db, { body: 'Thread one.' });
    const removed = await insertComment(database.db, { status: 'trash', body: 'Removed words.' });
    const reply = await insertComment(database.db, { parent_id: removed, body: 'A reply that stays.' });
    const t2 = await insertComment(database.db, { body: 'Thread two.' });
    const t3 = await insertComment(database.db, { body: 'Thread three.' });
    const ids = (page: Page) =>
      page('.comment-list li.comment[id]')
        .map((_index, element) => page(element).attr('id'))
        .get();

    const newest = (await getPage(DEMO_PATH)).page;
    assert.deepEqual(ids(newest), [`comment-${t2}`, `comment-${t3}`]);
    assert.equal(textAt(newest, '#comments-title'), '4 Replies to “Xi Ducks Putin’s Push for Expanded Military Ties”');

    const first = (await getPage(pagePath(1))).page;
    assert.deepEqual(ids(first), [`comment-${t1}`, `comment-${reply}`]);
    assert.equal(textAt(first, '.comment-list > li.comment--removed > .comment-body'), 'This comment was removed.');
    assert.equal(
      textAt(first, `.comment-list > li.comment--removed > ol.children > #comment-${reply} .comment-content`),
      'A reply that stays.',
    );
    assert.ok(!first.html().includes('Removed words.'));
    await request(app())
      .get(`/comments/${reply}`)
      .expect(302)
      .expect('Location', `${pagePath(1)}#comment-${reply}`);
  });
});

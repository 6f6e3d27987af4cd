import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import request from 'supertest';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import { attributeAt, formFields, parsePage, squash, textAt, visibleTextAt, type Page } from '../helpers/html.js';
import { articleIdOf, insertArticle, insertComment } from '../helpers/rows.js';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

const database = useTestDatabase();
const app = () => buildTestApp(database.db);

const TITLE = 'Xi Ducks Putin’s Push for Expanded Military Ties';
const READING_BAR = 'Xi Ducks Putin’s Push f… by Kareem Salem time to read: 1 min';

/** The demo article's paragraphs, read from the project's own copy of the fixture. */
async function demoParagraphs(): Promise<string[]> {
  const source = await readFile(path.join(projectRoot, 'content/seed-article.md'), 'utf8');
  const body = source.replace(/^---\n[\s\S]*?\n---\n/, '');
  return body
    .split(/\n\s*\n/)
    .map((paragraph) => squash(paragraph))
    .filter(Boolean);
}

async function getPage(path: string, cookie?: string): Promise<{ status: number; page: Page; html: string }> {
  let get = request(app()).get(path);
  if (cookie) get = get.set('Cookie', cookie);
  const response = await get;
  return { status: response.status, page: parsePage(response.text), html: response.text };
}

/** Ids of the comments directly inside a list, in order. */
function commentIdsIn(page: Page, listSelector: string): string[] {
  return page(listSelector)
    .first()
    .children('li')
    .map((_index, element) => page(element).attr('id'))
    .get();
}

describe('GET / — the list of articles', () => {
  it('lists the demo article with title link, author, date, reading time and comment count', async () => {
    const response = await request(app()).get('/');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    const page = parsePage(response.text);
    const summaries = page('.post-summary');
    assert.equal(summaries.length, 1);
    const link = summaries.find(`a[href="${DEMO_PATH}"]`).first();
    assert.equal(squash(link.text()), TITLE);
    const meta = squash(summaries.find('.entry-meta').text());
    assert.match(meta, /Kareem Salem/);
    assert.match(meta, /January 2, 2023/);
    assert.match(meta, /1 min read/);
    assert.match(meta, /No comments/);
    assert.equal(summaries.find('time').attr('datetime'), '2023-01-02T09:00:00.000Z');
  });

  it('counts approved comments only', async () => {
    await insertComment(database.db, { status: 'approved' });
    await insertComment(database.db, { status: 'approved' });
    await insertComment(database.db, { status: 'pending' });
    await insertComment(database.db, { status: 'spam' });
    await insertComment(database.db, { status: 'trash' });
    const response = await request(app()).get('/');
    const page = parsePage(response.text);
    assert.equal(textAt(page, '.post-summary .comments-link'), '2 comments');
  });

  it('leaves out drafts and articles not yet published, newest first', async () => {
    await insertArticle(database.db, { slug: 'a-draft', title: 'A draft', status: 'draft' });
    await insertArticle(database.db, { slug: 'the-future', title: 'Tomorrow', published_at: new Date(Date.now() + 86_400_000) });
    await insertArticle(database.db, { slug: 'newer-piece', title: 'A newer piece', published_at: new Date('2023-03-01T00:00:00Z') });
    const page = parsePage((await request(app()).get('/')).text);
    const titles = page('.post-summary__title')
      .map((_i, element) => squash(page(element).text()))
      .get();
    assert.deepEqual(titles, ['A newer piece', TITLE]);
  });
});

describe('GET / — pages of articles, and none', () => {
  it('shows ten articles a page, newest first, with links between the pages', async () => {
    for (let day = 1; day <= 11; day += 1) {
      await insertArticle(database.db, { slug: `piece-${day}`, title: `Piece ${day}`, published_at: new Date(Date.UTC(2023, 1, day)) });
    }
    const first = parsePage((await request(app()).get('/').expect(200)).text);
    const titles = (page: Page) =>
      page('.post-summary__title')
        .map((_i, element) => squash(page(element).text()))
        .get();
    assert.deepEqual(titles(first), [
      'Piece 11',
      'Piece 10',
      'Piece 9',
      'Piece 8',
      'Piece 7',
      'Piece 6',
      'Piece 5',
      'Piece 4',
      'Piece 3',
      'Piece 2',
    ]);
    assert.equal(textAt(first, '.pagination__page'), 'Page 1 of 2');
    assert.equal(first('.pagination a[rel="next"]').attr('href'), '/?page=2');
    assert.equal(first('.pagination a[rel="prev"]').length, 0);

    const second = parsePage((await request(app()).get('/?page=2').expect(200)).text);
    assert.deepEqual(titles(second), ['Piece 1', TITLE]);
    assert.equal(second('.pagination a[rel="prev"]').attr('href'), '/', 'page 1 is the home page itself');
    assert.equal(second('.pagination a[rel="next"]').length, 0);
    assert.equal(first('link[rel="canonical"]').attr('href'), 'http://127.0.0.1:3000/');
    assert.equal(second('link[rel="canonical"]').attr('href'), 'http://127.0.0.1:3000/?page=2', 'each page of the list is its own');
    await request(app()).get('/?page=3').expect(404);
    await request(app()).get('/?page=0').expect(404);
  });

  it('says so when nothing is published, with no empty list', async () => {
    await database.db('articles').update({ status: 'draft' });
    const page = parsePage((await request(app()).get('/').expect(200)).text);
    assert.equal(textAt(page, '.empty-state h2'), 'Nothing published yet');
    assert.equal(page('.post-list').length, 0);
    assert.equal(page('.pagination').length, 0);
  });
});

describe('GET /articles/:slug — the article', () => {
  it('shows the title as the only <h1>, the byline and the date', async () => {
    const { status, page } = await getPage(DEMO_PATH);
    assert.equal(status, 200);
    assert.equal(page('h1').length, 1);
    assert.equal(textAt(page, 'h1'), TITLE);
    assert.match(page('title').text(), /^Xi Ducks Putin’s Push for Expanded Military Ties/);
    assert.equal(textAt(page, 'article .byline .author'), 'Kareem Salem');
    assert.equal(textAt(page, 'article .entry-meta time'), 'January 2, 2023');
    assert.equal(attributeAt(page, 'article .entry-meta time', 'datetime'), '2023-01-02T09:00:00.000Z');
  });

  it('shows the five paragraphs in order, with the figure and its caption right after the first', async () => {
    const expected = await demoParagraphs();
    assert.equal(expected.length, 5);
    const { page } = await getPage(DEMO_PATH);
    const content = page('article .entry-content').first();
    const blocks = content
      .children()
      .map((_index, element) => element.tagName)
      .get();
    assert.deepEqual(blocks, ['p', 'figure', 'p', 'p', 'p', 'p']);
    const paragraphs = content
      .children('p')
      .map((_index, element) => squash(page(element).text()))
      .get();
    assert.deepEqual(paragraphs, expected);
    assert.ok(paragraphs[0]!.startsWith('China’s President Xi Jiinping met with his Russian counterpart'));
    assert.ok(paragraphs[4]!.endsWith('as is their geostrategic rivalry in Central Asia and the Arctic.'));
    const figure = content.children('figure');
    assert.equal(squash(figure.find('figcaption').text()), 'Source: seungyeon kim');
    assert.ok((figure.find('img').attr('alt') ?? '').length > 0, 'the figure image has alt text');
  });

  it('has a reading bar that says what the article is and how long it takes, as a progress bar', async () => {
    const { page } = await getPage(DEMO_PATH);
    const bars = page('[role="progressbar"]');
    assert.equal(bars.length, 1);
    assert.equal(squash(bars.text()), READING_BAR);
    assert.equal(bars.attr('aria-valuenow'), '0');
    assert.equal(bars.attr('aria-valuemin'), '0');
    assert.equal(bars.attr('aria-valuemax'), '100');
    const labelledBy = bars.attr('aria-labelledby');
    if (labelledBy) assert.equal(textAt(page, `#${labelledBy}`), READING_BAR);
    else assert.equal(bars.attr('aria-label'), READING_BAR);
  });

  it('has the Leave a Reply form with the contract’s texts and field names', async () => {
    const { page } = await getPage(DEMO_PATH);
    assert.equal(visibleTextAt(page, '#reply-title'), 'Leave a Reply');
    const form = page('#commentform');
    assert.equal(form.attr('method')?.toLowerCase(), 'post');
    assert.equal(form.attr('action'), `${DEMO_PATH}/comments`);
    assert.equal(squash(form.find('.comment-notes').text()), 'Your email address will not be published. Required fields are marked *');

    const label = (name: string) => {
      const id = form.find(`[name="${name}"]`).attr('id');
      assert.ok(id, `the ${name} field has an id for its label`);
      return squash(form.find(`label[for="${id}"]`).text());
    };
    const comment = form.find('textarea[name="comment"]');
    assert.equal(comment.length, 1);
    assert.notEqual(comment.attr('required'), undefined);
    assert.equal(label('comment'), 'Comment *');
    assert.equal(form.find('input[name="author"]').attr('type'), 'text');
    assert.equal(label('author'), 'Name *');
    assert.equal(form.find('input[name="email"]').attr('type'), 'email');
    assert.equal(label('email'), 'Email *');
    assert.equal(form.find('input[name="url"]').attr('type'), 'url');
    assert.equal(label('url'), 'Website');
    const remember = form.find('input[name="remember"]');
    assert.equal(remember.attr('type'), 'checkbox');
    assert.equal(remember.attr('checked'), undefined, 'not ticked for a new reader');
    assert.equal(label('remember'), 'Save my name, email, and website in this browser for the next time I comment.');
    const parent = form.find('input[name="parent_id"]');
    assert.equal(parent.attr('type'), 'hidden');
    assert.equal(parent.attr('value'), '');
    const submit = form.find('button[type="submit"], input[type="submit"]');
    assert.equal(submit.length, 1);
    assert.equal(squash(submit.text()) || submit.attr('value'), 'Post Comment');

    const fields = formFields(page);
    assert.equal(fields.comment, '');
    assert.equal(fields.author, '');
    assert.equal(fields.email, '');
    assert.equal(fields.url, '');
  });

  it('sets no session cookie for a reader', async () => {
    const response = await request(app()).get(DEMO_PATH);
    assert.equal(response.status, 200);
    assert.equal(response.headers['set-cookie'], undefined, 'a reader is given no cookie at all');
  });

  it('answers an unknown slug with the 404 page in the site layout', async () => {
    const { status, page } = await getPage('/articles/no-such-article');
    assert.equal(status, 404);
    assert.equal(page('.site-header').length, 1);
    assert.equal(page('.site-footer').length, 1);
    assert.equal(textAt(page, 'h1'), 'Page not found');
    assert.equal(page('#commentform').length, 0);
  });

  it('answers a draft with 404', async () => {
    await insertArticle(database.db, { slug: 'a-draft', title: 'Secret draft', status: 'draft' });
    const { status, html, page } = await getPage('/articles/a-draft');
    assert.equal(status, 404);
    assert.ok(!html.includes('Secret draft'));
    assert.equal(page('.site-header').length, 1);
  });

  it('answers an article published in the future with 404', async () => {
    await insertArticle(database.db, { slug: 'embargoed', title: 'Embargoed', published_at: new Date(Date.now() + 86_400_000) });
    assert.equal((await getPage('/articles/embargoed')).status, 404);
  });

  it('shows no form when comments are closed', async () => {
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    const { status, page } = await getPage(DEMO_PATH);
    assert.equal(status, 200);
    assert.equal(page('#commentform').length, 0);
    assert.match(squash(page('#respond').text()), /closed/i);
  });
});

describe('GET /articles/:slug — the comments', () => {
  it('shows approved comments threaded, each in an element with id="comment-<id>"', async () => {
    const db = database.db;
    const first = await insertComment(db, { author_name: 'First Reader', body: 'The first word.' });
    const reply = await insertComment(db, { parent_id: first, author_name: 'Second Reader', body: 'A reply.' });
    const second = await insertComment(db, { author_name: 'Third Reader', body: 'Another thought.' });
    const replyToReply = await insertComment(db, { parent_id: reply, author_name: 'Fourth Reader', body: 'Deeper.' });
    const lateReply = await insertComment(db, { parent_id: first, author_name: 'Fifth Reader', body: 'Also a reply.' });

    const { page } = await getPage(DEMO_PATH);
    assert.deepEqual(commentIdsIn(page, 'ol.comment-list'), [`comment-${first}`, `comment-${second}`]);
    assert.deepEqual(commentIdsIn(page, `#comment-${first} > ol.children`), [`comment-${reply}`, `comment-${lateReply}`]);
    assert.deepEqual(commentIdsIn(page, `#comment-${reply} > ol.children`), [`comment-${replyToReply}`]);
    assert.equal(page(`#comment-${second} ol.children`).length, 0);
    assert.equal(squash(page(`#comment-${replyToReply} .comment-content`).first().text()), 'Deeper.');
    assert.equal(squash(page(`#comment-${reply} > article .comment-author .fn`).text()), 'Second Reader');
    assert.match(textAt(page, '#comments-title'), /^5 Replies to “Xi Ducks Putin’s Push for Expanded Military Ties”$/);
    assert.equal(textAt(page, 'article.post .comments-link'), '5 comments');
  });

  it('links the author’s name with rel="nofollow ugc" when a website was given, and not otherwise', async () => {
    const withSite = await insertComment(database.db, { author_name: 'Has Site', author_url: 'https://has-site.example.org/' });
    const withoutSite = await insertComment(database.db, { author_name: 'No Site', author_url: '' });
    const { page } = await getPage(DEMO_PATH);
    const link = page(`#comment-${withSite} .comment-author a`);
    assert.equal(link.length, 1);
    assert.equal(link.attr('href'), 'https://has-site.example.org/');
    assert.deepEqual((link.attr('rel') ?? '').split(/\s+/).sort(), ['nofollow', 'ugc']);
    assert.equal(squash(link.text()), 'Has Site');
    assert.equal(page(`#comment-${withoutSite} .comment-author a`).length, 0);
    assert.equal(squash(page(`#comment-${withoutSite} .comment-author .fn`).text()), 'No Site');
  });

  it('shows no pending, spam or trashed comment of anyone else', async () => {
    const db = database.db;
    const approved = await insertComment(db, { body: 'Visible to all.' });
    const hidden = [
      await insertComment(db, { status: 'pending', body: 'Pending words.', author_name: 'Pending Person' }),
      await insertComment(db, { status: 'spam', body: 'Buy cheap pills.', author_name: 'Spammer' }),
      await insertComment(db, { status: 'trash', body: 'Trashed words.', author_name: 'Trashed Person' }),
      await insertComment(db, { status: 'pending', parent_id: approved, body: 'A pending reply.' }),
    ];
    const { page, html } = await getPage(DEMO_PATH);
    assert.equal(page(`#comment-${approved}`).length, 1);
    for (const id of hidden) assert.equal(page(`#comment-${id}`).length, 0, `comment ${id} is not shown`);
    for (const text of ['Pending words.', 'Buy cheap pills.', 'Trashed words.', 'A pending reply.', 'Pending Person', 'Spammer']) {
      assert.ok(!html.includes(text), `${text} is not on the page`);
    }
    assert.ok(!html.includes('awaiting moderation'));
    assert.equal(textAt(page, 'article.post .comments-link'), '1 comment');
  });

  it('keeps an approved reply whose parent is not shown under a placeholder, not at the top level', async () => {
    const trashed = await insertComment(database.db, { status: 'trash' });
    const orphan = await insertComment(database.db, { parent_id: trashed, body: 'Still here.' });
    const { page } = await getPage(DEMO_PATH);
    assert.equal(page('ol.comment-list > li').length, 1);
    assert.equal(page('ol.comment-list > li').attr('id'), undefined, 'the placeholder carries no comment id');
    assert.equal(textAt(page, 'ol.comment-list > li.comment--removed > .comment-body'), 'This comment was removed.');
    assert.deepEqual(commentIdsIn(page, 'ol.comment-list > li.comment--removed > ol.children'), [`comment-${orphan}`]);
  });

  it('shows only this article’s comments', async () => {
    const otherId = await insertArticle(database.db, { slug: 'another-article' });
    const elsewhere = await insertComment(database.db, { article_id: otherId, body: 'Said elsewhere.' });
    const { page, html } = await getPage(DEMO_PATH);
    assert.equal(page(`#comment-${elsewhere}`).length, 0);
    assert.ok(!html.includes('Said elsewhere.'));
    assert.equal(await articleIdOf(database.db, 'another-article'), otherId);
  });

  it('never shows a commenter’s email address, IP or user agent', async () => {
    await insertComment(database.db, {
      author_email: 'private.person@mail.example.net',
      ip: '198.51.100.77',
      user_agent: 'SecretBrowser/9.9',
    });
    const { html } = await getPage(DEMO_PATH);
    assert.ok(!html.includes('private.person'), 'no email');
    assert.ok(!html.includes('198.51.100.77'), 'no IP');
    assert.ok(!html.includes('SecretBrowser'), 'no user agent');
  });
});

describe('GET /articles/:slug?replytocom=<id>', () => {
  it('turns the form into a reply to that comment, with a cancel link and parent_id set', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    const { status, page } = await getPage(`${DEMO_PATH}?replytocom=${parent}`);
    assert.equal(status, 200);
    assert.equal(visibleTextAt(page, '#reply-title'), 'Reply to Grace Hopper Cancel reply');
    const cancel = page('#cancel-comment-reply-link');
    assert.equal(cancel.attr('hidden'), undefined, 'the cancel link is shown');
    assert.equal(squash(cancel.text()), 'Cancel reply');
    assert.equal(new URL(cancel.attr('href')!, 'http://x').pathname, DEMO_PATH);
    assert.equal(new URL(cancel.attr('href')!, 'http://x').search, '', 'cancelling drops replytocom');
    assert.equal(formFields(page).parent_id, parent);
  });

  it('offers a Reply link on each approved comment that leads there', async () => {
    const parent = await insertComment(database.db, { author_name: 'Grace Hopper' });
    const { page } = await getPage(DEMO_PATH);
    const reply = page(`#comment-${parent} .comment-reply-link`);
    assert.equal(new URL(reply.attr('href')!, 'http://x').searchParams.get('replytocom'), parent);
  });

  for (const [description, target] of [
    ['an unknown id', () => Promise.resolve('987654')],
    ['a word', () => Promise.resolve('abc')],
    ['a pending comment', async () => insertComment(database.db, { status: 'pending' })],
    ['a trashed comment', async () => insertComment(database.db, { status: 'trash' })],
    [
      'another article’s comment',
      async () => insertComment(database.db, { article_id: await insertArticle(database.db, { slug: 'another-article' }) }),
    ],
  ] as const) {
    it(`shows Leave a Reply for ${description}`, async () => {
      const id = await target();
      const { status, page } = await getPage(`${DEMO_PATH}?replytocom=${encodeURIComponent(id)}`);
      assert.equal(status, 200);
      assert.equal(visibleTextAt(page, '#reply-title'), 'Leave a Reply');
      assert.equal(formFields(page).parent_id, '');
    });
  }
});

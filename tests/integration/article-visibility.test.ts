import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { findArticleById, type ArticleRow, type ArticleStatus } from '../../src/articles/article-queries.js';
import { planArticleMove } from '../../src/articles/article-status.js';
import { adminApp } from '../helpers/admin.js';
import { untilListening } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { commentingApp, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * One article moved through every status a reader may not see, each surface
 * asked after each move: the article must be gone from all of them at once,
 * page cache included (its pages are read twice before the move, so they
 * are kept).
 */

const database = useTestDatabase();
const SLUG = 'the-moving-article';
const PATH = `/articles/${SLUG}`;
const TITLE = 'The Moving Article';
const HOUR_MS = 3_600_000;

interface Subject {
  app: Express;
  browser: Client;
  article: ArticleRow;
  commentId: string;
  /** The comment form as a reader loaded it while the article was public. */
  form: Record<string, string>;
}

/** A surface, and whether the article shows on it now. */
const SURFACES: Array<[string, (subject: Subject) => Promise<boolean>]> = [
  ['the article page', async ({ app }) => statusSays(await request(app).get(PATH), [200])],
  ['its JSON-LD', async ({ app }) => jsonLdHeadline(await request(app).get(PATH)) === TITLE],
  ['a comment page', async ({ app }) => statusSays(await request(app).get(`${PATH}/comment-page-1`), [200, 301])],
  ['the comment form', postsComment],
  ['a comment permalink', async ({ app, commentId }) => statusSays(await request(app).get(`/comments/${commentId}`), [302])],
  ['the comments feed', async ({ app }) => statusSays(await request(app).get(`${PATH}/comments/feed.xml`), [200])],
  ['the site feed', async ({ app }) => (await request(app).get('/feed.xml').expect(200)).text.includes(PATH)],
  ['the sitemap', async ({ app }) => (await request(app).get('/sitemap.xml').expect(200)).text.includes(PATH)],
  ['the tag page', async ({ app }) => statusSays(await request(app).get('/tags/moving-tag'), [200])],
  ['the tag feed', async ({ app }) => statusSays(await request(app).get('/tags/moving-tag/feed.xml'), [200])],
  ['the home page', async ({ app }) => (await request(app).get('/').expect(200)).text.includes(TITLE)],
];

function statusSays(response: { status: number; text: string }, visible: number[]): boolean {
  if (visible.includes(response.status)) return true;
  assert.equal(response.status, 404, `answered ${response.status}`);
  assert.ok(!response.text.includes(TITLE), 'the 404 page names nothing of the article');
  return false;
}

function jsonLdHeadline(response: { text: string }): unknown {
  const script = parsePage(response.text)('script[type="application/ld+json"]');
  return script.length === 0 ? undefined : (JSON.parse(script.text()) as { headline?: unknown }).headline;
}

/** Posts the form loaded while the article was public: true when a comment was stored. */
async function postsComment({ browser, article, form }: Subject): Promise<boolean> {
  const before = await commentCount(article.id);
  const response = await postPairs(browser, typed(form, { comment: `Posted at ${Date.now()}` }), { path: `${PATH}/comments` });
  const stored = (await commentCount(article.id)) - before;
  if (response.status === 303) return stored === 1;
  assert.equal(response.status, 404, `the post answered ${response.status}`);
  assert.equal(stored, 0, 'nothing stored');
  return false;
}

async function commentCount(articleId: string): Promise<number> {
  const row = await database.db('comments').where({ article_id: articleId }).count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** The article, published and on every surface, its cached pages kept. */
async function publishedSubject(): Promise<Subject> {
  const commenting = commentingApp(database.db);
  const { app } = commenting;
  const browser = commenting.browser();
  await untilListening(database.db);
  const article = await insertArticle(database.db, {
    slug: SLUG,
    title: TITLE,
    tags: ['Moving Tag'],
    published_at: new Date(Date.now() - HOUR_MS),
  });
  const commentId = await insertComment(database.db, { article_id: article.id });
  for (const path of [PATH, '/']) {
    await request(app).get(path).expect(200);
    assert.equal((await request(app).get(path).expect(200)).headers['x-page-cache'], 'hit', `${path} is kept by the page cache`);
  }
  const { fields } = await loadForm(browser, PATH);
  commenting.advanceSeconds(10);
  return { app, browser, article, commentId, form: fields };
}

/** Moves the article as the admin does, through the one status rule. */
async function move(article: ArticleRow, target: ArticleStatus, publishAt: Date | null = null): Promise<void> {
  const plan = planArticleMove(article, target, new Date(), publishAt);
  assert.ok(plan.ok, `the move to ${target} is allowed`);
  await database.db('articles').where({ id: article.id }).update(plan.move);
}

async function surfacesShowing(subject: Subject): Promise<string[]> {
  const showing: string[] = [];
  for (const [name, shows] of SURFACES) if (await shows(subject)) showing.push(name);
  return showing;
}

describe('an article readers may not see is on no surface', () => {
  it('while published, it is on every surface (so each check can tell)', async () => {
    const subject = await publishedSubject();
    assert.deepEqual(
      await surfacesShowing(subject),
      SURFACES.map(([name]) => name),
    );
  });

  const moves: Array<[string, (article: ArticleRow) => Promise<void>]> = [
    ['unpublished (back to draft)', (article) => move(article, 'draft')],
    ['scheduled for later', (article) => move(article, 'scheduled', new Date(Date.now() + HOUR_MS))],
    ['trashed', (article) => move(article, 'trash')],
    [
      'restored from the trash (a draft)',
      async (article) => {
        await move(article, 'trash');
        await move((await findArticleById(database.db, article.id))!, 'draft');
      },
    ],
    [
      'scheduled, its time past, before the scheduler has run',
      async (article) => {
        await database
          .db('articles')
          .where({ id: article.id })
          .update({ status: 'scheduled', published_at: new Date(Date.now() - 1000) });
      },
    ],
  ];
  for (const [name, moveIt] of moves) {
    it(`once ${name}, it is gone from every surface at once, cached pages included`, async () => {
      const subject = await publishedSubject();
      await moveIt(subject.article);
      assert.deepEqual(await surfacesShowing(subject), []);
    });
  }

  it('a draft never published is on no surface', async () => {
    const commenting = commentingApp(database.db);
    const article = await insertArticle(database.db, { slug: SLUG, title: TITLE, tags: ['Moving Tag'], status: 'draft' });
    const commentId = await insertComment(database.db, { article_id: article.id });
    const subject = {
      app: commenting.app,
      browser: commenting.browser(),
      article,
      commentId,
      form: { comment: '', author: '', email: '' },
    };
    assert.deepEqual(await surfacesShowing(subject), []);
  });
});

describe('the preview for staff (GET /admin/articles/:id/preview)', () => {
  for (const status of ['draft', 'scheduled', 'published', 'trash'] as const) {
    it(`shows a ${status} article as readers would, with a banner, no comment form, never cached or indexed`, async () => {
      const { app, admin } = await adminApp(database.db);
      await untilListening(database.db);
      const article = await insertArticle(database.db, {
        slug: SLUG,
        title: TITLE,
        status,
        body: 'First paragraph.\n\nSecond paragraph.',
        figure_image: '/images/video-call.svg',
        figure_alt: 'A figure',
        figure_caption: 'A caption',
        published_at: status === 'scheduled' ? new Date(Date.now() + HOUR_MS) : status === 'draft' ? null : new Date(),
        tags: ['Moving Tag'],
      });
      for (let time = 0; time < 2; time += 1) {
        const response = await admin.agent.get(`/admin/articles/${article.id}/preview`).expect(200);
        assert.equal(response.headers['cache-control'], 'no-store');
        assert.match(String(response.headers['x-robots-tag']), /noindex/);
        assert.equal(response.headers['x-page-cache'], undefined, 'not from the page cache');
        const page = parsePage(response.text);
        const said = { draft: 'a draft', scheduled: 'scheduled', published: 'published', trash: 'in the trash' }[status];
        assert.match(squash(page('.preview-banner').text()), new RegExp(`^Preview — ${said}:`), 'the banner says where it stands');
        assert.equal(squash(page('h1').text()), TITLE);
        assert.match(squash(page('.reading-bar__label').text()), /time to read: 1 min/);
        assert.deepEqual(
          page('article .entry-content')
            .children()
            .map((_index, element) => element.tagName)
            .get(),
          ['p', 'figure', 'p'],
        );
        assert.equal(page('#commentform').length, 0, 'no comment form');
        assert.equal(page('a.comment-reply-link').length, 0);
        assert.equal(page('script[type="application/ld+json"]').length, 0);
        assert.equal(page('link[rel="canonical"]').length, 0);
      }
      await request(app).get(`/admin/articles/${article.id}/preview`).expect(303);
      const reader = await request(app).get(PATH);
      assert.equal(reader.status, status === 'published' ? 200 : 404, 'readers see what the status says');
      if (status === 'published') assert.equal(parsePage(reader.text)('.preview-banner').length, 0, 'no banner for readers');
    });
  }
});

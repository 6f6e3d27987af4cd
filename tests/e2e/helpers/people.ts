import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Database } from '../../../src/platform/db/connection.js';
import { DEMO_SLUG } from '../../helpers/database.js';
import { ADMIN } from './server.js';

export const ARTICLE_PATH = `/articles/${DEMO_SLUG}`;
export const ARTICLE_TITLE = 'Xi Ducks Putin’s Push for Expanded Military Ties';
export const AWAITING_MODERATION = 'Your comment is awaiting moderation.';

/**
 * The form treats a post sent under 3 s after it was rendered as a bot's. A
 * person takes longer than that to write; the tests wait this long, the only
 * fixed wait in the suite.
 */
const SECONDS_A_PERSON_TAKES = 3.5;

export interface Commenter {
  comment: string;
  author: string;
  email: string;
  url?: string;
}

/** Opens a page and returns when it was loaded, to time the comment form from. */
export async function open(page: Page, path: string): Promise<number> {
  const response = await page.goto(path);
  assert.equal(response?.status(), 200, `GET ${path} answered ${response?.status()}`);
  return Date.now();
}

/** The comment form's fields, found as a screen reader user would: by role and label. */
export function commentForm(page: Page) {
  return {
    comment: page.getByRole('textbox', { name: /^Comment/ }),
    author: page.getByRole('textbox', { name: /^Name/ }),
    email: page.getByRole('textbox', { name: /^Email/ }),
    url: page.getByRole('textbox', { name: /^Website/ }),
    submit: page.getByRole('button', { name: 'Post Comment' }),
    heading: page.locator('#reply-title'),
  };
}

/** Types a comment into the form. */
export async function writeComment(page: Page, commenter: Partial<Commenter>): Promise<void> {
  const form = commentForm(page);
  if (commenter.comment !== undefined) await form.comment.fill(commenter.comment);
  if (commenter.author !== undefined) await form.author.fill(commenter.author);
  if (commenter.email !== undefined) await form.email.fill(commenter.email);
  if (commenter.url !== undefined) await form.url.fill(commenter.url);
}

/** Waits until the form has been on screen as long as a person would take, then presses Post Comment. */
export async function postComment(page: Page, loadedAt: number): Promise<void> {
  const remaining = loadedAt + SECONDS_A_PERSON_TAKES * 1000 - Date.now();
  if (remaining > 0) await page.waitForTimeout(remaining);
  await commentForm(page).submit.click();
}

/** After an accepted post: waits for the redirect to `#comment-<id>` and returns the id. */
export async function postedCommentId(page: Page): Promise<string> {
  await page.waitForURL(/#comment-\d+$/);
  const id = /#comment-(\d+)$/.exec(page.url())?.[1];
  assert.ok(id, `expected to land on #comment-<id>, got ${page.url()}`);
  return id;
}

/** Whether the element's box lies at least partly inside the viewport. */
export async function isInViewport(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  return box.y < viewport.height && box.y + box.height > 0;
}

/** Does something that loads a new page (a link, a form, a key that submits one) and waits for that page. */
export async function loadingNextPage(page: Page, action: () => Promise<void>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

/** Signs in through the login form, arriving at the moderation queue as an admin who followed a bookmark. */
export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/admin/comments');
  await page.waitForURL(/\/admin\/login\?next=/);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await loadingNextPage(page, () => page.getByRole('button', { name: 'Sign in' }).click());
  assert.match(
    new URL(page.url()).pathname,
    /^\/admin\/comments$/,
    'signing in should land on the queue, not back on the login form (when this happens only now and then, ' +
      'the new session was not yet stored when the browser followed the redirect)',
  );
}

/** The one-time message the admin pages show after an action. */
export async function flashMessage(page: Page): Promise<string> {
  const flash = page.locator('.flash__message');
  assert.equal(
    await flash.count(),
    1,
    'the page after a moderation action should say what happened (when it is missing only now and then, ' +
      'the session holding the message was not yet stored when the browser followed the redirect)',
  );
  return (await flash.innerText()).trim();
}

/** A comment's status as stored. */
export async function statusOf(db: Database, id: string): Promise<string | undefined> {
  const row = await db('comments').select<{ status: string }>('status').where({ id }).first();
  return row?.status;
}

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express, { type Express } from 'express';
import knex from 'knex';
import type { Page, Response } from 'playwright-core';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { serveStaticAssets } from '../../src/platform/http/static-assets.js';
import { buildTestApp } from '../helpers/app.js';
import { insertComment } from '../helpers/rows.js';
import { assertNoSeriousAxeViolations, saveScreenshot } from './helpers/browser.js';
import { ARTICLE_PATH, commentForm, isInViewport, open, postComment, writeComment } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** The app in this process, over a database that fails in a chosen way, for the pages only a fault shows. */
interface FaultySite {
  baseUrl: string;
  close(): Promise<void>;
}

async function serveFaulty(db: Database): Promise<FaultySite> {
  const outer: Express = express();
  // Styled as the real site is: the assets router answers first, as in app.ts.
  outer.use(serveStaticAssets({ production: false }));
  outer.use(buildTestApp(db));
  const server: Server = createServer(outer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}

let failing: FaultySite | undefined;
let unreachable: FaultySite | undefined;

before(async () => {
  // Every table lookup fails ("relation does not exist"): a fault on our side, 500.
  failing = await serveFaulty(
    knex({ client: 'pg', connection: process.env.DATABASE_URL, searchPath: ['broadsheet_e2e_no_such_schema'], pool: { min: 0, max: 2 } }),
  );
  // Nothing listens on port 1: the database is down, 503.
  unreachable = await serveFaulty(connectDatabase('postgres://broadsheet@127.0.0.1:1/broadsheet', 2));
});

after(async () => {
  await failing?.close();
  await unreachable?.close();
});

/**
 * What every error page must be: the site's header and footer around it, its
 * stylesheet applied, the status and a heading that says what happened, and
 * a way back home.
 */
async function assertErrorPage(page: Page, response: Response | null, status: number, heading: string): Promise<void> {
  assert.equal(response?.status(), status, `answered ${response?.status()}`);
  assert.equal((await page.getByRole('heading', { level: 1 }).innerText()).trim(), heading);
  assert.match(await page.locator('.error-page__status').innerText(), new RegExp(`${status}`));
  await assertInSiteLayout(page);
  const home = page.getByRole('main').getByRole('link', { name: 'Go to the home page' });
  assert.ok(await home.isVisible(), 'a way back home');
  assert.equal(await home.getAttribute('href'), '/');
}

async function assertInSiteLayout(page: Page): Promise<void> {
  assert.ok(await page.getByRole('banner').getByRole('link', { name: 'Broadsheet' }).isVisible(), 'the site header');
  assert.ok(await page.getByRole('contentinfo').isVisible(), 'the site footer');
  const styled = await page.evaluate(
    `[...document.styleSheets].some((sheet) => /\\/css\\/site\\.[0-9a-f]{8}\\.css$/.test(sheet.href || '') && sheet.cssRules.length > 0)`,
  );
  assert.ok(styled, 'the site’s stylesheet (by its hashed name) loaded');
}

/** Follows the way back and checks it leads to the home page. */
async function goHome(page: Page): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.getByRole('main').getByRole('link', { name: 'Go to the home page' }).click();
  await loaded;
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Latest articles');
}

describe('error pages, in the site’s layout with a way back', () => {
  it('404: an address with nothing at it', async () => {
    const page = await site.visitor();
    const response = await page.goto('/no/such/page');
    await assertErrorPage(page, response, 404, 'Page not found');
    await assertNoSeriousAxeViolations(page, 'the 404 page');
    await saveScreenshot(page, 'error-404');
    await goHome(page);
  });

  it('403: a comment edit link that is not the reader’s', async () => {
    const id = await insertComment(site.db, { status: 'pending', body: 'Someone else’s words.' });
    const page = await site.visitor();
    const response = await page.goto(`/comments/${id}/edit`);
    await assertErrorPage(page, response, 403, 'Not allowed');
    assert.match(await page.locator('.error-page__message').innerText(), /does not let you change that comment/);
    assert.equal(await page.getByText('Someone else’s words.').count(), 0);
    await saveScreenshot(page, 'error-403');
    await goHome(page);
  });

  it('413: a comment far over the size limit, sent from the article page', async () => {
    const page = await site.visitor();
    await open(page, ARTICLE_PATH);
    const answered = page.waitForResponse((response) => response.request().method() === 'POST', { timeout: 30_000 });
    // A browser stops typing at the textarea's maxlength; a script does not. A
    // hidden field carries the text: a megabyte in a visible textarea takes
    // Chromium seconds to lay out.
    await page.evaluate(`{
      const form = document.getElementById('commentform');
      const oversize = document.createElement('input');
      oversize.type = 'hidden';
      oversize.name = 'comment';
      oversize.value = 'x'.repeat(1200000);
      form.elements.namedItem('comment').replaceWith(oversize);
      form.submit();
    }`);
    const response = await answered;
    await page.waitForURL(`**${ARTICLE_PATH}/comments`, { waitUntil: 'load' });
    await assertErrorPage(page, response, 413, 'That was too large to send');
    assert.match(await page.locator('.error-page__hint').innerText(), /Back button/);
    await saveScreenshot(page, 'error-413');
    await goHome(page);
  });

  it('429: a second comment within the flood interval comes back on the article page, its text kept', async () => {
    const page = await site.visitor();
    let loadedAt = await open(page, ARTICLE_PATH);
    const quentin = { author: 'Quick Quentin', email: 'quentin@example.org' };
    await writeComment(page, { comment: 'First thought.', ...quentin });
    await postComment(page, loadedAt);
    await page.waitForURL(/#comment-\d+$/);

    loadedAt = Date.now();
    const second = 'Second thought, too soon after the first.';
    await writeComment(page, { comment: second, ...quentin });
    const answered = page.waitForResponse((response) => response.request().method() === 'POST');
    await postComment(page, loadedAt);
    const response = await answered;
    await page.waitForLoadState('load');
    assert.equal(response.status(), 429);
    assert.match(String(response.headers()['retry-after']), /^\d+$/);
    await assertInSiteLayout(page);
    assert.match(
      await page.getByRole('alert').filter({ hasText: 'too quickly' }).innerText(),
      /Please wait \d+ seconds? and send it again/,
    );
    await page.locator('.form-notice:focus').waitFor({ timeout: 2000 });
    assert.ok(await isInViewport(page, '.form-notice'), 'the reader is taken to the message, not left at the top of the article');
    assert.equal(await commentForm(page).comment.inputValue(), second, 'the way back is the form itself, with the text kept');
    assert.ok(await page.getByRole('banner').getByRole('link', { name: 'Latest' }).isVisible());
    await saveScreenshot(page, 'error-429');
  });

  it('500: a fault on the site’s side, with a reference to quote', async () => {
    const page = await site.visitor();
    const response = await page.goto(`${failing!.baseUrl}/`);
    await assertErrorPage(page, response, 500, 'Something went wrong');
    assert.match(await page.locator('.error-page__reference').innerText(), /^Reference: [0-9a-f-]{36}$/);
    assert.doesNotMatch(await page.content(), /relation|at [\w.]+ \(|node_modules/, 'no error detail or stack trace');
    await saveScreenshot(page, 'error-500');
  });

  it('503: the database out of reach', async () => {
    const page = await site.visitor();
    const response = await page.goto(`${unreachable!.baseUrl}${ARTICLE_PATH}`);
    await assertErrorPage(page, response, 503, 'Temporarily unavailable');
    assert.equal(response?.headers()['retry-after'], '5');
    assert.match(await page.locator('.error-page__hint').innerText(), /Reload the page in a moment/);
    await saveScreenshot(page, 'error-503');
  });
});

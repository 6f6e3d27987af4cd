import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertNoSeriousAxeViolations, saveScreenshot } from './helpers/browser.js';
import { insertComment } from '../helpers/rows.js';
import { ARTICLE_PATH, ARTICLE_TITLE, open } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** Waits for the frames a scroll schedules, so the reading bar has drawn what the reader sees. */
function nextFrames(page: Page): Promise<unknown> {
  return page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}

describe('a reader', () => {
  it('finds the article on the home page and opens it', async () => {
    const page = await site.visitor();
    await open(page, '/');
    const link = page.getByRole('link', { name: ARTICLE_TITLE, exact: true });
    await link.waitFor();
    await assertNoSeriousAxeViolations(page, 'the home page');
    await saveScreenshot(page, 'home');

    await link.click();
    await page.waitForURL(`**${ARTICLE_PATH}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), ARTICLE_TITLE);
  });

  it('scrolls through the article and the reading bar fills from 0 to 100', async () => {
    // A phone-sized window, so the article is several screens long.
    const page = await site.visitor({ viewport: { width: 390, height: 700 } });
    await open(page, ARTICLE_PATH);
    const bar = page.getByRole('progressbar');
    assert.match(await bar.innerText(), /^Xi Ducks Putin’s Push f… by Kareem Salem time to read: 1 min$/);
    await nextFrames(page);
    assert.equal(await bar.getAttribute('aria-valuenow'), '0', 'the bar starts empty');
    await assertNoSeriousAxeViolations(page, 'the article page');

    const lastParagraph = page.getByRole('article', { name: ARTICLE_TITLE }).locator('p').last();
    const seen: number[] = [0];
    for (let step = 0; step < 60 && seen.at(-1)! < 100; step += 1) {
      await page.mouse.move(195, 400);
      await page.mouse.wheel(0, 250);
      await nextFrames(page);
      seen.push(Number(await bar.getAttribute('aria-valuenow')));
      const box = await bar.boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 700, 'the reading bar stays in view');
    }

    assert.equal(seen.at(-1), 100, `the bar reached 100 at the end of the article (went ${seen.join(' → ')})`);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      `the bar only ever fills up (went ${seen.join(' → ')})`,
    );
    assert.ok(
      seen.some((value) => value > 0 && value < 100),
      `the bar fills gradually (went ${seen.join(' → ')})`,
    );
    assert.equal(await bar.getAttribute('aria-valuetext'), '100% read');
    const end = await lastParagraph.boundingBox();
    assert.ok(end && end.y + end.height <= 700, 'the bar is full once the end of the article is on screen');
    await saveScreenshot(page, 'article-scrolled-to-end');
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`reads the discussion in the ${colorScheme} colour scheme: site reply badge, placeholder and formatted text all legible`, async () => {
      const removed = await insertComment(site.db, { status: 'trash', author_name: 'Gone' });
      const reply = await insertComment(site.db, {
        parent_id: removed,
        body: 'Still *here*, see https://example.org/ and `code`.\n\n> quoted',
      });
      const siteReply = await insertComment(site.db, { parent_id: reply, author_name: 'Broadsheet', body: 'Thanks.' });
      await site.db('comments').where({ id: siteReply }).update({ is_site_reply: true });
      const page = await site.visitor();
      await page.emulateMedia({ colorScheme });
      await open(page, ARTICLE_PATH);
      const badge = page.locator(`#comment-${siteReply} .comment-site-badge`);
      assert.equal(await badge.innerText(), 'Site reply');
      assert.equal(await page.locator('.comment--removed > .comment-body').innerText(), 'This comment was removed.');
      await assertNoSeriousAxeViolations(page, `the discussion (${colorScheme})`);
      await saveScreenshot(page, `discussion-${colorScheme}`);
    });
  }
});

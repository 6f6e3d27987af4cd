import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { allComments, commentCount } from '../helpers/rows.js';
import { assertNoSeriousAxeViolations, eventually, saveScreenshot } from './helpers/browser.js';
import {
  ARTICLE_PATH,
  AWAITING_MODERATION,
  commentForm,
  isInViewport,
  open,
  postComment,
  postedCommentId,
  writeComment,
  type Commenter,
} from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** Writes and posts a comment as a person would, and checks it is shown to them where they land. */
async function commentAndSeeItHeld(page: Page, commenter: Commenter): Promise<string> {
  const loadedAt = await open(page, ARTICLE_PATH);
  await writeComment(page, commenter);
  await postComment(page, loadedAt);
  const id = await postedCommentId(page);

  const comment = page.locator(`#comment-${id}`);
  await comment.waitFor();
  assert.equal((await comment.locator('.comment-content').innerText()).trim(), commenter.comment);
  assert.equal((await comment.locator('.comment-author .fn').innerText()).trim(), commenter.author);
  assert.equal((await comment.locator('.comment-awaiting-moderation').innerText()).trim(), AWAITING_MODERATION);
  await eventually(() => isInViewport(page, `#comment-${id}`), 'the new comment to be scrolled into view');

  const [row] = (await allComments(site.db)).filter((stored) => stored.id === id);
  assert.equal(row?.status, 'pending', 'the comment is held for moderation');
  assert.equal(row?.body, commenter.comment);
  assert.equal(row?.author_email, commenter.email);
  return id;
}

describe('a commenter', () => {
  it('posts a comment with JavaScript on and sees it in place, awaiting moderation', async () => {
    const page = await site.visitor();
    await commentAndSeeItHeld(page, {
      comment: 'Trade figures would tell us more than the handshake did.',
      author: 'Ada Reader',
      email: 'ada@example.org',
      url: 'https://ada.example.org/',
    });
    await saveScreenshot(page, 'comment-posted-with-javascript');

    const stranger = await site.visitor();
    await open(stranger, ARTICLE_PATH);
    assert.equal(await stranger.getByText('Trade figures would tell us more').count(), 0, 'nobody else sees a held comment');
  });

  it('posts a comment with JavaScript off and sees it in place, awaiting moderation', async () => {
    const page = await site.visitor({ javaScript: false });
    await commentAndSeeItHeld(page, {
      comment: 'Read without scripts, and commented without them too.',
      author: 'Grace Plaintext',
      email: 'grace@example.net',
    });
    await saveScreenshot(page, 'comment-posted-without-javascript');
  });

  for (const javaScript of [true, false]) {
    it(`sees an invalid comment come back with a focused error summary and the text kept (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const page = await site.visitor({ javaScript });
      await open(page, ARTICLE_PATH);
      const form = commentForm(page);
      const text = 'A long thought I would hate to type twice.\n\nWith a second paragraph.';
      await writeComment(page, { comment: text, author: 'Hasty Harriet', email: 'harriet-at-example.org' });
      const answered = page.waitForResponse((response) => response.request().method() === 'POST');
      await form.submit.click();
      assert.equal((await answered).status(), 422);

      const summary = page.locator('.error-summary');
      await page.locator('.error-summary:focus').waitFor();
      assert.match(await summary.innerText(), /There is a problem with your comment/);
      const link = summary.getByRole('link', { name: /email address in the correct format/ });
      assert.equal(await link.getAttribute('href'), '#email');

      assert.equal(await form.comment.inputValue(), text);
      assert.equal(await form.author.inputValue(), 'Hasty Harriet');
      assert.equal(await form.email.inputValue(), 'harriet-at-example.org');
      assert.equal(await form.email.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator('#email-error').innerText(), /email address in the correct format/);
      assert.equal(await commentCount(site.db), 0, 'nothing was stored');

      if (javaScript) {
        await assertNoSeriousAxeViolations(page, 'the article with form errors');
        await saveScreenshot(page, 'comment-form-errors');
      } else {
        await saveScreenshot(page, 'comment-form-errors-without-javascript');
      }
      await link.click();
      await page.locator('#email:focus').waitFor();
    });
  }
});

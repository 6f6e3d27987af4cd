import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allComments, insertComment } from '../helpers/rows.js';
import { assertNoSeriousAxeViolations, saveScreenshot } from './helpers/browser.js';
import { ARTICLE_PATH, AWAITING_MODERATION, commentForm, open, postComment, postedCommentId, writeComment } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** An approved comment by Grace Hopper for readers to answer. */
async function graceHasCommented(): Promise<string> {
  return insertComment(site.db, {
    author_name: 'Grace Hopper',
    author_email: 'grace@example.com',
    body: 'Summits like this one are mostly theatre for domestic audiences.',
  });
}

describe('a reader replying to a comment', () => {
  it('with JavaScript: Reply moves the form under the comment, Cancel moves it back, and the reply is posted in the thread', async () => {
    const parentId = await graceHasCommented();
    const page = await site.visitor();
    const loadedAt = await open(page, ARTICLE_PATH);
    const form = commentForm(page);
    const parentField = page.locator('#comment_parent');
    assert.equal((await form.heading.innerText()).trim(), 'Leave a Reply');

    await page.getByRole('link', { name: 'Reply to Grace Hopper' }).click();
    await page.locator(`#comment-${parentId} #respond`).waitFor();
    assert.match(await form.heading.innerText(), /^Reply to Grace Hopper/);
    assert.equal(await parentField.inputValue(), parentId);
    await page.locator('#comment:focus').waitFor();
    const cancel = page.getByRole('link', { name: 'Cancel reply' });
    assert.ok(await cancel.isVisible(), 'a cancel link is offered');
    await assertNoSeriousAxeViolations(page, 'the article with a reply form open');
    await saveScreenshot(page, 'reply-form-open-with-javascript');

    await cancel.click();
    await page.locator('#respond-home + #respond').waitFor();
    assert.equal(await page.locator(`#comment-${parentId} #respond`).count(), 0, 'the form left the comment');
    assert.equal((await form.heading.innerText()).trim(), 'Leave a Reply');
    assert.equal(await parentField.inputValue(), '');
    assert.ok(await cancel.isHidden(), 'the cancel link is hidden again');

    await page.getByRole('link', { name: 'Reply to Grace Hopper' }).click();
    await page.locator(`#comment-${parentId} #respond`).waitFor();
    await writeComment(page, { comment: 'Theatre, perhaps, but the audience is abroad.', author: 'Ada Reader', email: 'ada@example.org' });
    await postComment(page, loadedAt);
    const replyId = await postedCommentId(page);

    const reply = page.locator(`#comment-${parentId} .children #comment-${replyId}`);
    await reply.waitFor();
    assert.equal((await reply.locator('.comment-awaiting-moderation').innerText()).trim(), AWAITING_MODERATION);
    const stored = (await allComments(site.db)).find((comment) => comment.id === replyId);
    assert.equal(stored?.parent_id, parentId);
    assert.equal(stored?.status, 'pending');
    await saveScreenshot(page, 'reply-posted-with-javascript');
  });

  it('without JavaScript: the reply link opens the form as a reply to that commenter', async () => {
    const parentId = await graceHasCommented();
    const page = await site.visitor({ javaScript: false });
    await open(page, ARTICLE_PATH);
    const form = commentForm(page);

    await page.getByRole('link', { name: 'Reply to Grace Hopper' }).click();
    await page.waitForURL(new RegExp(`\\?replytocom=${parentId}#respond$`));
    assert.match(await form.heading.innerText(), /^Reply to Grace Hopper/);
    assert.equal(await page.locator('#comment_parent').inputValue(), parentId);
    const cancel = page.getByRole('link', { name: 'Cancel reply' });
    assert.ok(await cancel.isVisible(), 'a cancel link is offered');
    await saveScreenshot(page, 'reply-form-open-without-javascript');

    await cancel.click();
    await page.waitForURL(`**${ARTICLE_PATH}#respond`);
    assert.equal((await form.heading.innerText()).trim(), 'Leave a Reply');
    assert.equal(await page.locator('#comment_parent').inputValue(), '');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { insertComment } from '../helpers/rows.js';
import { assertNoSeriousAxeViolations, saveScreenshot } from './helpers/browser.js';
import {
  ARTICLE_PATH,
  AWAITING_MODERATION,
  flashMessage,
  loadingNextPage,
  open,
  postComment,
  postedCommentId,
  signInAsAdmin,
  statusOf,
  writeComment,
} from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** A held comment, as the rules would have left it. */
function heldComment(author: string, body: string): Promise<string> {
  return insertComment(site.db, { status: 'pending', author_name: author, author_email: `${author.split(' ')[0]!.toLowerCase()}@example.net`, body });
}

/** The ids of the queue's rows, top to bottom. */
async function queueIds(page: Page): Promise<string[]> {
  const ids = await page.locator('[data-queue-row]').evaluateAll((rows) => rows.map((row) => row.id));
  return ids.map((id) => id.replace('comment-', ''));
}

async function selectedId(page: Page): Promise<string | undefined> {
  const selected = page.locator('[data-queue-row].is-selected');
  return (await selected.count()) === 1 ? (await selected.getAttribute('id'))?.replace('comment-', '') : undefined;
}

/** Presses a key and waits until the keyboard selection is on `id`. */
async function pressAndExpectSelected(page: Page, key: string, id: string): Promise<void> {
  await page.keyboard.press(key);
  await page.locator(`#comment-${id}.is-selected[aria-current="true"]:focus`).waitFor();
}

describe('a moderator', () => {
  it('signs in, approves a held comment with the keyboard, and the reader then sees it published', async () => {
    await heldComment('Olga Older', 'An earlier held comment.');
    await heldComment('Mia Middle', 'Another held comment.');
    const reader = await site.visitor();
    const loadedAt = await open(reader, ARTICLE_PATH);
    const text = 'Both sides need the other more than they admit.';
    await writeComment(reader, { comment: text, author: 'Ada Reader', email: 'ada@example.org' });
    await postComment(reader, loadedAt);
    const id = await postedCommentId(reader);
    await reader.locator(`#comment-${id} .comment-awaiting-moderation`).waitFor();

    const admin = await site.visitor();
    await open(admin, '/admin/login');
    await assertNoSeriousAxeViolations(admin, 'the admin login page');
    await saveScreenshot(admin, 'admin-login');
    await signInAsAdmin(admin);

    const rows = await queueIds(admin);
    assert.equal(rows.length, 3, `three comments are pending (rows ${rows.join(', ')})`);
    assert.ok(rows.includes(id), 'the new comment is in the queue');
    await assertNoSeriousAxeViolations(admin, 'the admin queue');

    // j selects the first row and moves down, k moves back up.
    await pressAndExpectSelected(admin, 'j', rows[0]!);
    await pressAndExpectSelected(admin, 'j', rows[1]!);
    await pressAndExpectSelected(admin, 'k', rows[0]!);
    for (let index = 1; index <= rows.indexOf(id); index += 1) await pressAndExpectSelected(admin, 'j', rows[index]!);
    assert.equal(await selectedId(admin), id);
    await saveScreenshot(admin, 'admin-queue-comment-selected');

    await loadingNextPage(admin, () => admin.keyboard.press('a'));
    assert.equal(await flashMessage(admin), '1 comment approved.');
    assert.equal(await admin.locator(`#comment-${id}`).count(), 0, 'the approved comment left the pending queue');
    assert.deepEqual(await queueIds(admin), rows.filter((row) => row !== id));
    assert.equal(await statusOf(site.db, id), 'approved');
    await saveScreenshot(admin, 'admin-queue-after-approving');

    await reader.reload();
    const published = reader.locator(`#comment-${id}`);
    await published.waitFor();
    assert.equal(await published.locator('.comment-awaiting-moderation').count(), 0, `no longer "${AWAITING_MODERATION}"`);
    assert.equal((await published.locator('.comment-content').innerText()).trim(), text);
    await saveScreenshot(reader, 'reader-sees-approved-comment');

    const stranger = await site.visitor();
    await open(stranger, ARTICLE_PATH);
    assert.equal((await stranger.locator(`#comment-${id} .comment-content`).innerText()).trim(), text, 'every reader sees it now');
  });

  it('marks a comment as spam, presses Undo, and it is back in pending', async () => {
    const id = await heldComment('Sam Sales', 'Cheap watches, very cheap, click my name.');
    const admin = await site.visitor();
    await signInAsAdmin(admin);
    const row = admin.locator(`#comment-${id}`);
    await row.waitFor();

    await loadingNextPage(admin, () => row.getByRole('button', { name: 'Spam', exact: true }).click());
    assert.equal(await flashMessage(admin), '1 comment marked as spam.');
    assert.equal(await row.count(), 0, 'the comment left the pending queue');
    assert.equal(await statusOf(site.db, id), 'spam');
    await saveScreenshot(admin, 'admin-marked-as-spam');

    await loadingNextPage(admin, () => admin.locator('.flash').getByRole('button', { name: 'Undo' }).click());
    assert.match(await flashMessage(admin), /^Undone: 1 comment restored\./);
    await row.waitFor();
    assert.match(await row.locator('.status-badge').innerText(), /Pending/);
    assert.equal(await statusOf(site.db, id), 'pending');
    await saveScreenshot(admin, 'admin-spam-undone');
  });
});

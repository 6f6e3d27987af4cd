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
  return insertComment(site.db, {
    status: 'pending',
    author_name: author,
    author_email: `${author.split(' ')[0]!.toLowerCase()}@example.net`,
    body,
  });
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

    // Done in place: no page load, the row leaves and the next one takes the selection.
    await admin.keyboard.press('a');
    await admin.locator(`#comment-${id}`).waitFor({ state: 'detached' });
    assert.equal(await flashMessage(admin), '1 comment approved.');
    assert.deepEqual(
      await queueIds(admin),
      rows.filter((row) => row !== id),
    );
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

    await row.getByRole('button', { name: 'Spam comment by Sam Sales', exact: true }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await flashMessage(admin), '1 comment marked as spam.');
    assert.equal(await statusOf(site.db, id), 'spam');
    await saveScreenshot(admin, 'admin-marked-as-spam');

    await admin.locator('.flash').getByRole('button', { name: 'Undo' }).click();
    await row.waitFor();
    assert.match(await flashMessage(admin), /^Undone: 1 comment restored\./);
    assert.match(await row.locator('.status-badge').innerText(), /Pending/);
    assert.equal(await statusOf(site.db, id), 'pending');
    await saveScreenshot(admin, 'admin-spam-undone');
  });

  it('acts on the row that has focus: Tab to the fourth row, press t, and the fourth is trashed', async () => {
    const ids: string[] = [];
    for (const name of ['Ann One', 'Ben Two', 'Cy Three', 'Di Four', 'Ed Five'])
      ids.push(await heldComment(name, `Held comment by ${name}.`));
    const admin = await site.visitor();
    await signInAsAdmin(admin);
    const rows = await queueIds(admin);
    await pressAndExpectSelected(admin, 'j', rows[0]!);
    // Tab on until focus is inside the fourth row (never more presses than the page has controls).
    const fourth = rows[3]!;
    const inFourth = () => admin.locator(`#comment-${fourth}`).evaluate((row) => row.contains(row.ownerDocument.activeElement));
    for (let presses = 0; presses < 300 && !(await inFourth()); presses += 1) await admin.keyboard.press('Tab');
    assert.ok(await inFourth(), 'Tab reached the fourth row');
    assert.equal(await selectedId(admin), fourth, 'the selection followed focus');
    await admin.keyboard.press('t');
    await admin.locator(`#comment-${fourth}`).waitFor({ state: 'detached' });
    assert.equal(await statusOf(site.db, fourth), 'trash');
    assert.equal(await statusOf(site.db, rows[0]!), 'pending', 'the first row was not touched');
    assert.equal(await selectedId(admin), rows[4], 'the next row took its place');
    await assertNoSeriousAxeViolations(admin, 'the queue after an action in place');

    // z undoes the last action, in place.
    await admin.keyboard.press('z');
    await admin.locator(`#comment-${fourth}`).waitFor();
    assert.equal(await statusOf(site.db, fourth), 'pending');
  });

  it('approves the checked rows with Shift+A, and z undoes the approval', async () => {
    const ids: string[] = [];
    for (const name of ['Fay Six', 'Gus Seven', 'Hal Eight']) ids.push(await heldComment(name, `Held comment by ${name}.`));
    const admin = await site.visitor();
    await signInAsAdmin(admin);
    const [first, second, third] = await queueIds(admin);
    await admin.locator(`#comment-${first} input[type="checkbox"]`).check();
    await admin.locator(`#comment-${third} input[type="checkbox"]`).focus();
    await admin.keyboard.press('x');
    await loadingNextPage(admin, () => admin.keyboard.press('Shift+A'));
    assert.equal(await flashMessage(admin), '2 comments approved.');
    assert.deepEqual(
      [await statusOf(site.db, first!), await statusOf(site.db, second!), await statusOf(site.db, third!)],
      ['approved', 'pending', 'approved'],
    );
    await admin.keyboard.press('z');
    await admin.locator(`#comment-${first}`).waitFor();
    assert.match(await flashMessage(admin), /^Undone: 2 comments restored\./);
    assert.equal(await statusOf(site.db, first!), 'pending');
    assert.equal(await statusOf(site.db, third!), 'pending');
  });

  it('turns single-key shortcuts off in Screen options, and then keys do nothing', async () => {
    const id = await heldComment('Ivy Nine', 'A held comment.');
    const admin = await site.visitor();
    await signInAsAdmin(admin);
    await admin.getByText('Screen options', { exact: true }).click();
    await admin.getByLabel('Single-key keyboard shortcuts').uncheck();
    await loadingNextPage(admin, () => admin.getByRole('button', { name: 'Save screen options' }).click());
    assert.equal(await admin.getByLabel('Single-key keyboard shortcuts').isChecked(), false, 'the setting is stored');
    const posts: string[] = [];
    admin.on('request', (sent) => {
      if (sent.method() === 'POST') posts.push(sent.url());
    });
    await admin.locator(`#comment-${id} input[type="checkbox"]`).focus();
    for (const key of ['j', 'x', 'a', 't', 's', 'Shift+T', 'z']) await admin.keyboard.press(key);
    // A round trip after the keys: had any of them sent a form, it would have gone first.
    await admin.evaluate(() => fetch('/healthz').then((response) => response.status));
    assert.deepEqual(posts, [], 'no key sent anything');
    assert.equal(await admin.locator('[data-queue-row].is-selected[aria-current="true"]').count(), 1, 'focus alone still marks the row');
    assert.equal(await statusOf(site.db, id), 'pending', 'no key moved the comment');
    assert.equal(await admin.locator(`#comment-${id} input[type="checkbox"]`).isChecked(), false);
  });

  it('on a 412 px wide screen, spaces the website and IP links as targets of at least 24 px', async () => {
    const id = await insertComment(site.db, {
      status: 'pending',
      author_name: 'Jo Ten',
      author_email: 'jo@example.net',
      author_url: 'https://jo.example.net/',
      ip: '198.51.100.4',
      body: 'Hello.',
    });
    const admin = await site.visitor({ viewport: { width: 412, height: 915 } });
    await signInAsAdmin(admin);
    const boxes = await admin
      .locator(`#comment-${id} .author-facts a`)
      .evaluateAll((links) =>
        links.map((link) => link.getBoundingClientRect()).map((box) => ({ top: box.top, bottom: box.bottom, height: box.height })),
      );
    assert.equal(boxes.length, 3, 'email, website and IP links');
    for (const box of boxes) assert.ok(box.height >= 24, `a target ${box.height}px high`);
    for (let n = 1; n < boxes.length; n += 1) assert.ok(boxes[n]!.top >= boxes[n - 1]!.bottom, 'targets do not overlap');
    await saveScreenshot(admin, 'admin-queue-412px');
  });
});

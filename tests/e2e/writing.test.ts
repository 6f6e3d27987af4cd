import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { allComments } from '../helpers/rows.js';
import { assertNoAxeViolations, eventually, saveScreenshot } from './helpers/browser.js';
import { flashMessage, loadingNextPage, open, postComment, postedCommentId, signInAsAdmin, writeComment } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

const TITLE = 'Harbour Cranes Return to the Old Port';
const FIRST_SLUG = 'harbour-cranes-return-to-the-old-port';
const NEW_SLUG = 'harbour-cranes-return';
const BODY = [
  'The cranes came back on Monday, three years after the last ship left.',
  '',
  '## What changed',
  '',
  'The [port authority](https://example.org/port) listed what reopens:',
  '',
  '- three cranes',
  '- two deep-water berths',
  '',
].join('\n');

/** A picture a person might upload: made here, so no binary file is kept in the repository. */
async function harbourPhoto(): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const buffer = await sharp({ create: { width: 1200, height: 675, channels: 3, background: '#2f6f8f' } })
    .jpeg()
    .toBuffer();
  return { name: 'harbour.jpg', mimeType: 'image/jpeg', buffer };
}

const editorIdOf = (page: Page) => /\/admin\/articles\/(\d+)\/edit/.exec(page.url())?.[1];

async function pressAction(page: Page, action: 'save' | 'publish'): Promise<void> {
  await loadingNextPage(page, () => page.locator(`button[name="action"][value="${action}"]`).click());
}

describe('an editor', () => {
  it('writes an article with a heading, a link, a list and an uploaded image, previews, publishes it, and readers follow it to its new address', async () => {
    const editor = await site.visitor();
    await signInAsAdmin(editor);

    await open(editor, '/admin/articles');
    await assertNoAxeViolations(editor, 'the article list');
    await saveScreenshot(editor, 'admin-article-list');
    await loadingNextPage(editor, () => editor.getByRole('link', { name: 'New article' }).first().click());
    assert.equal(new URL(editor.url()).pathname, '/admin/articles/new');

    await editor.locator('#title').fill(TITLE);
    await editor.locator('#body').fill(BODY);
    await editor.locator('#tags').fill('Ports, Cities');
    await pressAction(editor, 'save');
    const id = editorIdOf(editor);
    assert.ok(id, `saving a new article lands on its editor (at ${editor.url()})`);
    assert.match(await flashMessage(editor), /saved/i);

    // The image goes in at the end of the text, where the cursor is.
    await editor.locator('#body').focus();
    await editor.keyboard.press('Control+End');
    await editor.locator('#file').setInputFiles(await harbourPhoto());
    await editor.locator('[data-upload-button]').click();
    const body = await eventually(async () => {
      const value = await editor.locator('#body').inputValue();
      return /\(\/media\/[0-9a-f]+\.jpg\)/.test(value) ? value : undefined;
    }, 'the uploaded image to be placed in the text');
    await editor.locator('#body').fill(body.replace(/!\[[^\]]*\]\(/, '![Three cranes against a grey sky]('));
    await pressAction(editor, 'save');
    await assertNoAxeViolations(editor, 'the article editor');
    await saveScreenshot(editor, 'article-editor');

    await loadingNextPage(editor, () =>
      editor
        .getByRole('link', { name: /^Preview/ })
        .first()
        .click(),
    );
    assert.match(await editor.locator('.preview-banner').innerText(), /Preview — a draft/);
    await assertArticleReadsAsWritten(editor);
    await saveScreenshot(editor, 'article-preview');

    const reader = await site.visitor();
    assert.equal((await reader.goto(`/articles/${FIRST_SLUG}`))?.status(), 404, 'a draft is not public');

    await editor.goBack();
    await pressAction(editor, 'publish');
    assert.match(await flashMessage(editor), /published/i);

    await open(reader, '/');
    await loadingNextPage(reader, () => reader.getByRole('link', { name: TITLE }).first().click());
    assert.equal(new URL(reader.url()).pathname, `/articles/${FIRST_SLUG}`);
    await assertArticleReadsAsWritten(reader);
    const feed = await reader.request.get('/feed.xml');
    const atom = await feed.text();
    assert.ok(atom.includes(TITLE) && atom.includes(`/articles/${FIRST_SLUG}`), 'the article is in the feed');

    const loadedAt = await open(reader, `/articles/${FIRST_SLUG}`);
    await writeComment(reader, { comment: 'Good to see the cranes again.', author: 'Dock Walker', email: 'walker@example.org' });
    await postComment(reader, loadedAt);
    const commentId = await postedCommentId(reader);
    const [stored] = (await allComments(site.db)).filter((comment) => comment.id === commentId);
    assert.equal(stored?.body, 'Good to see the cranes again.');

    await editor.goto(`/admin/articles/${id}/edit`);
    await editor.locator('#slug').fill(NEW_SLUG);
    await pressAction(editor, 'save');

    const moved = await reader.request.get(`/articles/${FIRST_SLUG}`, { maxRedirects: 0 });
    assert.equal(moved.status(), 301);
    assert.equal(moved.headers().location, `/articles/${NEW_SLUG}`);
    await reader.goto(`/articles/${FIRST_SLUG}`);
    assert.equal(new URL(reader.url()).pathname, `/articles/${NEW_SLUG}`, 'the old address leads to the new one');
    await assertArticleReadsAsWritten(reader);
  });
});

/** The heading, link, list and image as a reader sees them. */
async function assertArticleReadsAsWritten(page: Page): Promise<void> {
  assert.equal((await page.locator('h1').innerText()).trim(), TITLE);
  const content = page.locator('.entry-content');
  assert.equal((await content.locator('h2').innerText()).trim(), 'What changed');
  assert.equal(await content.getByRole('link', { name: 'port authority' }).getAttribute('href'), 'https://example.org/port');
  assert.deepEqual(
    (await content.locator('ul > li').allInnerTexts()).map((text) => text.trim()),
    ['three cranes', 'two deep-water berths'],
  );
  const image = content.getByRole('img', { name: 'Three cranes against a grey sky' });
  assert.match((await image.getAttribute('src')) ?? '', /^\/media\/[0-9a-f]+\.jpg$/);
  // Lazily loaded: it loads once a reader scrolls to it.
  await image.scrollIntoViewIfNeeded();
  await page.waitForFunction(`(() => {
    const img = document.querySelector('.entry-content img');
    return img !== null && img.complete && img.naturalWidth > 0;
  })()`);
  assert.match((await page.locator('.reading-bar__label').innerText()).trim(), /by .+ time to read: 1 min$/);
}

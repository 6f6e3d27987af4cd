import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { assertNoSeriousAxeViolations, saveScreenshot } from './helpers/browser.js';
import { loadingNextPage, signInAsAdmin } from './helpers/people.js';
import { projectRoot } from '../../src/platform/paths.js';
import { useSite } from './helpers/site.js';

const site = useSite();

/** WordPress's own "Theme Unit Test" export (its licence note is beside it). */
const THEME_UNIT_TEST = path.join(projectRoot, 'tests/fixtures/wxr/theme-unit-test-data.xml');
/** A published post of that export: its WordPress id, title and slug. */
const FONT_SIZE_POST = { id: '163', title: 'WP 6.1 Font size scale', slug: 'wp-6-1-font-size-scale' };

describe('an administrator moving a WordPress blog in', () => {
  it('uploads the export, follows the import to its summary, then opens an imported article', async () => {
    const page = await site.visitor();
    await signInAsAdmin(page);
    await page.goto('/admin/import');
    await assertNoSeriousAxeViolations(page, 'the import page');
    await saveScreenshot(page, 'import-form');

    await page.getByLabel('The file is').selectOption('wordpress');
    await page.getByLabel('Export file').setInputFiles(THEME_UNIT_TEST);
    await loadingNextPage(page, () => page.getByRole('button', { name: 'Upload file and import' }).click());
    assert.match(new URL(page.url()).pathname, /^\/admin\/import\/[A-Za-z0-9_-]+$/);

    // No script follows the import: the progress page reloads itself (a Refresh header) until the summary replaces it.
    await page.getByRole('heading', { level: 1, name: 'Import finished' }).waitFor({ timeout: 120_000 });
    const lines = (await page.locator('.import-summary li').allInnerTexts()).map((line) => line.trim());
    assert.ok(
      lines.some((line) => /^\d+ articles?\b/.test(line)),
      `the summary counts the articles: ${lines.join(' | ')}`,
    );
    assert.ok(
      lines.some((line) => /^\d+ comments?\b/.test(line)),
      `the summary counts the comments: ${lines.join(' | ')}`,
    );
    await assertNoSeriousAxeViolations(page, 'the import summary');
    await saveScreenshot(page, 'import-summary');

    const imported = await site.db('articles').where({ source_id: FONT_SIZE_POST.id }).first<{ slug: string } | undefined>('slug');
    assert.equal(imported?.slug, FONT_SIZE_POST.slug);
    const article = await page.goto(`/articles/${imported.slug}`);
    assert.equal(article?.status(), 200);
    assert.equal((await page.locator('h1').first().innerText()).trim(), FONT_SIZE_POST.title);
    assert.ok(await page.getByRole('heading', { name: 'Small H2 Heading' }).isVisible(), 'the block-editor body is shown');
  });
});

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../../src/platform/paths.js';

/** Debian's Chromium: the suite never downloads a browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, and quiet on a closed network: without the background-networking
 * flags Chromium keeps trying to reach Google's hosts. Playwright adds a fresh
 * `--user-data-dir` in a temporary folder of its own and removes it on close.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = path.join(projectRoot, 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** A full-page screenshot under test-results/screenshots/, for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core over the page as it is now and fails on any serious or
 * critical violation, naming each rule, element and the fix axe suggests.
 */
export async function assertNoSeriousAxeViolations(page: Page, label: string): Promise<void> {
  await assertAxeFinds(page, label, (impact) => BLOCKING_IMPACTS.has(impact));
}

/** As assertNoSeriousAxeViolations, but any violation at all fails: for pages held to zero. */
export async function assertNoAxeViolations(page: Page, label: string): Promise<void> {
  await assertAxeFinds(page, label, () => true);
}

async function assertAxeFinds(page: Page, label: string, counts: (impact: string) => boolean): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations.filter((violation) => counts(violation.impact ?? ''));
  const report = blocking.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `- [${violation.impact}] ${violation.id} (${violation.help}) at ${node.target.join(' ')}\n` +
        `    ${node.html}\n    ${node.failureSummary?.replace(/\n/g, '\n    ') ?? ''}\n    ${violation.helpUrl}`,
    ),
  );
  assert.equal(blocking.length, 0, `axe-core found violations on ${label}:\n${report.join('\n')}`);
}

/** Polls `check` until it returns a value other than undefined or false; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { assertNoSeriousAxeViolations, eventually, saveScreenshot } from './helpers/browser.js';
import { loadingNextPage, signInAsAdmin } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

const MODERATOR = { email: 'mo@example.org', username: 'mo', password: 'a long moderator passphrase' };

/** The link the invitation mail carries, as the invitee would click it. */
async function invitationLink(): Promise<string> {
  const mail = await eventually(
    async () => (await site.db('mail_outbox').where({ recipient: MODERATOR.email }).first<{ body: string } | undefined>()) ?? undefined,
    'the invitation mail',
  );
  const link = /https?:\/\/\S+\/admin\/invitation\/\S+/.exec(mail.body)?.[0];
  assert.ok(link, `a link in the mail:\n${mail.body}`);
  return new URL(link).pathname;
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/admin/login');
  await page.getByLabel('Username').fill(MODERATOR.username);
  await page.getByLabel('Password').fill(MODERATOR.password);
  await loadingNextPage(page, () => page.getByRole('button', { name: 'Sign in' }).click());
}

/** A code for the next 30-second step: the one enrolment used is refused as a replay, the next is accepted. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

describe('an administrator and a new moderator', () => {
  it('invites a moderator, who accepts, turns on two-factor, signs in with a code and sees only the comment queue', async () => {
    const admin = await site.visitor();
    await signInAsAdmin(admin);
    await admin.goto('/admin/people');
    await admin.locator('#invite-email').fill(MODERATOR.email);
    await admin.locator('#invite-role').selectOption('moderator');
    await loadingNextPage(admin, () => admin.getByRole('button', { name: 'Send invitation' }).click());
    await assertNoSeriousAxeViolations(admin, 'the people page');
    await saveScreenshot(admin, 'admin-people');

    const moderator = await site.visitor();
    await moderator.goto(await invitationLink());
    await moderator.locator('#username').fill(MODERATOR.username);
    await moderator.locator('#password').fill(MODERATOR.password);
    await loadingNextPage(moderator, () => moderator.getByRole('button', { name: 'Create my account' }).click());

    await signIn(moderator);
    assert.equal(new URL(moderator.url()).pathname, '/admin/comments');
    await moderator.goto('/admin/account');
    await loadingNextPage(moderator, () => moderator.getByRole('button', { name: 'Set up two-factor sign-in' }).click());
    const secret = (await moderator.locator('.two-factor__key').innerText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]+$/, 'the manual key in base32');
    assert.equal((await moderator.locator('svg').count()) > 0, true, 'the QR code, drawn on the server');
    await moderator.locator('#two-factor-code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) }));
    await loadingNextPage(moderator, () => moderator.getByRole('button', { name: 'Turn on two-factor sign-in' }).click());
    assert.equal(await moderator.locator('.two-factor li code').count(), 10, 'ten recovery codes, shown once');
    await saveScreenshot(moderator, 'two-factor-enrolled');

    await loadingNextPage(moderator, () => moderator.getByRole('button', { name: 'Sign out' }).click());
    await signIn(moderator);
    assert.equal(new URL(moderator.url()).pathname, '/admin/login/two-factor', 'the password alone opens nothing');
    assert.equal((await moderator.goto('/admin/comments'))?.url().includes('/admin/login'), true, 'no admin page yet');
    await moderator.goto('/admin/login/two-factor');
    await moderator.locator('input[name="code"]').fill(await nextCode(secret));
    await loadingNextPage(moderator, () => moderator.locator('form button[type="submit"]').first().click());
    assert.equal(new URL(moderator.url()).pathname, '/admin/comments');

    const nav = (await moderator.locator('nav.admin-nav a').allInnerTexts()).map((text) => text.replace(/\s+\d+.*$/, '').trim());
    assert.ok(nav.includes('Comments') && nav.includes('Account'), `the moderator's navigation: ${nav.join(', ')}`);
    for (const hidden of ['Articles', 'Settings', 'People']) assert.ok(!nav.includes(hidden), `no ${hidden} link for a moderator`);
    assert.equal((await moderator.goto('/admin/articles'))?.status(), 403, 'articles are not a moderator’s');
  });
});

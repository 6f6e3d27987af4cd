import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoSeriousAxeViolations, eventually, saveScreenshot } from './helpers/browser.js';
import { ARTICLE_PATH, loadingNextPage, signInAsAdmin } from './helpers/people.js';
import { useSite } from './helpers/site.js';

const site = useSite();

const CAROL = { email: 'carol@example.org', name: 'Carol Commenter', website: 'https://carol.example.net/', ip: '203.0.113.42' };

/** The confirmation link the request mail carries, as the commenter would click it. */
async function confirmationLink(): Promise<string> {
  const mail = await eventually(
    async () =>
      (await site.db('mail_outbox').where({ recipient: CAROL.email, kind: 'privacy-request' }).first<{ body: string } | undefined>()) ??
      undefined,
    'the confirmation mail',
  );
  const link = /https?:\/\/\S+\/your-data\/confirm\?token=\S+/.exec(mail.body)?.[0];
  assert.ok(link, `a link in the mail:\n${mail.body}`);
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

describe('a commenter and the administrator', () => {
  it('asks for their data from the footer link, confirms by mail, and the administrator opens the export', async () => {
    const articleId = (await site.db('articles').first<{ id: string }>('id')).id;
    await site.db('comments').insert({
      article_id: articleId,
      status: 'approved',
      author_name: CAROL.name,
      author_email: CAROL.email,
      author_url: CAROL.website,
      body: 'Military ties come and go; good reporting stays.',
      ip: CAROL.ip,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      approved_at: new Date(),
    });

    const carol = await site.visitor();
    await carol.goto(ARTICLE_PATH);
    await loadingNextPage(carol, () => carol.locator('.site-footer').getByRole('link', { name: 'Your data' }).click());
    assert.equal(new URL(carol.url()).pathname, '/your-data');
    await carol.getByLabel('The e-mail address you comment with').fill(CAROL.email);
    await carol.getByLabel('A copy of my data').check();
    await assertNoSeriousAxeViolations(carol, 'the your-data form');
    await saveScreenshot(carol, 'privacy-your-data');
    await loadingNextPage(carol, () => carol.getByRole('button', { name: 'Send the confirmation link' }).click());
    assert.match(await carol.locator('.notice').innerText(), /a confirmation link is on its way/);

    await carol.goto(await confirmationLink());
    await assertNoSeriousAxeViolations(carol, 'the confirmation page');
    await loadingNextPage(carol, () => carol.getByRole('button', { name: 'Yes, it was me: confirm' }).click());
    assert.equal(await carol.locator('h1').innerText(), 'Request confirmed');
    await saveScreenshot(carol, 'privacy-confirmed');

    const admin = await site.visitor();
    await signInAsAdmin(admin);
    await admin.goto('/admin/privacy/export');
    const row = admin.locator('.privacy-request').first();
    assert.match(await row.innerText(), /carol@example\.org[\s\S]*Confirmed[\s\S]*by the person, through the mailed link/);
    await assertNoSeriousAxeViolations(admin, 'the export page');
    await saveScreenshot(admin, 'privacy-admin-export');
    await loadingNextPage(admin, () => row.getByRole('link', { name: 'Open the export' }).click());
    const document = await admin.locator('body').innerText();
    for (const kept of [CAROL.name, CAROL.website, CAROL.ip, 'good reporting stays'])
      assert.ok(document.includes(kept), `the export shows ${kept}`);
    assert.match(document, /Mail sent to this address \(1\)/, 'the confirmation mail itself');
    await saveScreenshot(admin, 'privacy-export-document');

    await admin.goto('/admin/privacy/export');
    assert.match(await admin.locator('.privacy-request').first().innerText(), /Done/);

    // Then an erasure, confirmed for the person (say their mailbox closed), in anonymise mode.
    await admin.goto('/admin/privacy/erase');
    await admin.getByLabel('E-mail address').fill(CAROL.email);
    await loadingNextPage(admin, () => admin.getByRole('button', { name: /Ask for confirmation/ }).click());
    await admin.getByLabel('Confirm for the person, because').fill('asked in person; the mailbox is closed');
    await loadingNextPage(admin, () => admin.getByRole('button', { name: 'Confirm', exact: true }).click());
    await admin.getByLabel('E-mail address').fill(CAROL.email);
    await admin.getByLabel(/Anonymise/).check();
    await loadingNextPage(admin, () => admin.getByRole('button', { name: /Ask for confirmation/ }).click());
    assert.match(await admin.locator('.privacy-report').innerText(), /1 comment anonymised/);
    await assertNoSeriousAxeViolations(admin, 'the erase page');
    await saveScreenshot(admin, 'privacy-admin-erase');

    await carol.goto(ARTICLE_PATH);
    const comments = await carol.locator('#comments').innerText();
    assert.ok(comments.includes('Anonymous') && comments.includes('good reporting stays'), 'the words stay, under "Anonymous"');
    assert.ok(!comments.includes(CAROL.name));
  });
});

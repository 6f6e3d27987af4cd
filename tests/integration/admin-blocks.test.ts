import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, postForm, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertArticle, insertComment, type TestComment } from '../helpers/rows.js';

const testDb = useTestDatabase();
const DAY_MS = 24 * 60 * 60 * 1000;
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const held = (fields: Partial<TestComment> = {}) => insertComment(testDb.db, { status: 'pending', ...fields });

async function statusOf(id: string) {
  return (await testDb.db('comments').select('status', 'status_reasons').where({ id }).first()) as
    { status: string; status_reasons: Array<{ code: string; text: string }> } | undefined;
}

async function queue(path = '/admin/comments'): Promise<Page> {
  return parsePage((await admin.agent.get(path).expect(200)).text);
}

const flashOf = (page: Page) => squash(page('.flash__message').text());

async function blocks() {
  const rows = await testDb.db('commenter_blocks').select('*').orderBy('id');
  return rows.map((row) => ({ ...row, id: String(row.id), created_by: row.created_by && String(row.created_by) }));
}

async function snapshot() {
  return {
    comments: await testDb.db('comments').select('id', 'status', 'status_reasons').orderBy('id'),
    blocks: await blocks(),
    log: await testDb.db('moderation_log').select('*').orderBy('id'),
  };
}

/** Posts a comment through the public form, as a reader would; returns the stored status and reasons. */
async function postPublicComment(overrides: Record<string, string>, ip: string) {
  const site = commentingApp(testDb.db);
  const browser = site.browser();
  const { fields } = await loadForm(browser);
  site.advanceSeconds(6);
  const response = await postPairs(browser, typed(fields, overrides), { ip });
  assert.equal(response.status, 303, `the comment was answered like an accepted one (${response.status})`);
  const id = /#comment-(\d+)$/.exec(response.headers.location ?? '')![1]!;
  const row = (await statusOf(id))!;
  return { status: row.status, reasons: row.status_reasons.map((reason) => reason.text) };
}

describe('blocking a commenter from a queue row', () => {
  it('offers email, IP and email domain, each with its value, and no block on the site’s own reply', async () => {
    const id = await held({ author_email: 'Ada@Example.org', ip: '203.0.113.7' });
    const reply = await insertComment(testDb.db, { status: 'approved', parent_id: id });
    await testDb.db('comments').where({ id: reply }).update({ is_site_reply: true });
    const page = await queue('/admin/comments?status=all');
    const form = page(`#comment-${id} .queue-row__block form`);
    assert.equal(form.attr('action'), `/admin/comments/${id}/block`);
    assert.equal(squash(page(`#comment-${id} .queue-row__block summary`).text()), 'Block this commenter');
    assert.deepEqual(
      form
        .find('input[name="kind"]')
        .map((_i, radio) => `${page(radio).attr('value')}: ${squash(page(radio).parent().text())}`)
        .get(),
      ['email: Email ada@example.org', 'ip: IP address 203.0.113.7', 'domain: Email domain example.org'],
    );
    assert.deepEqual(
      form
        .find('select[name="expires"] option')
        .map((_i, option) => page(option).text())
        .get(),
      ['Until lifted', '1 day', '7 days', '30 days'],
    );
    assert.equal(form.find('input[name="note"]').length, 1);
    assert.equal(page(`#comment-${reply} .queue-row__block`).length, 0);
  });

  it('blocks an email and, in one action, moves only that commenter’s pending comments to spam, logging each', async () => {
    const other = await insertArticle(testDb.db, { slug: 'other-article' });
    const first = await held({ author_email: 'ada@example.org' });
    const second = await held({ author_email: 'ADA@example.org', article_id: other });
    const approved = await insertComment(testDb.db, { status: 'approved', author_email: 'ada@example.org' });
    const someoneElse = await held({ author_email: 'grace@example.org' });

    const form = formFields(await queue(), `#comment-${first} .queue-row__block form`);
    await admin
      .post(`/admin/comments/${first}/block`, { ...form, kind: 'email', expires: '7', note: 'Link spam, three times' })
      .expect(303)
      .expect('Location', '/admin/comments');

    for (const id of [first, second]) {
      assert.deepEqual(await statusOf(id), {
        status: 'spam',
        status_reasons: [{ code: 'blocked', text: 'spam: blocked email ada@example.org' }],
      });
    }
    assert.equal((await statusOf(approved))!.status, 'approved', 'an approved comment stays');
    assert.equal((await statusOf(someoneElse))!.status, 'pending');

    const log = await testDb.db('moderation_log').select('*').orderBy('id');
    assert.deepEqual(
      log.map((entry) => [
        String(entry.comment_id),
        String(entry.actor_id),
        entry.actor_name,
        entry.action,
        entry.from_status,
        entry.to_status,
      ]),
      [first, second].map((id) => [id, admin.user.id, admin.user.display_name, 'status', 'pending', 'spam']),
    );

    const [block] = await blocks();
    assert.equal(block!.kind, 'email');
    assert.equal(block!.value, 'ada@example.org');
    assert.equal(block!.note, 'Link spam, three times');
    assert.equal(block!.created_by, admin.user.id);
    assert.ok(Math.abs(block!.expires_at.getTime() - (Date.now() + 7 * DAY_MS)) < 60_000, 'expires in 7 days');

    const page = await queue();
    assert.match(flashOf(page), /^Blocked email ada@example\.org until .+\. 2 pending comments moved to spam\.$/);
    const spam = await queue('/admin/comments?status=spam');
    assert.equal(textAt(spam, `#comment-${first} .why`), 'A moderator blocked this commenter: spam: blocked email ada@example.org');
  });

  it('blocks an email domain or an IP address, sweeping the comments that match exactly', async () => {
    const sameDomain = await held({ author_email: 'grace@Example.org', ip: '198.51.100.1' });
    const subdomain = await held({ author_email: 'alan@mail.example.org', ip: '198.51.100.2' });
    const sameIp = await held({ author_email: 'linus@elsewhere.net', ip: '198.51.100.2' });

    await admin.post(`/admin/comments/${sameDomain}/block`, { kind: 'domain' }).expect(303);
    assert.equal((await statusOf(sameDomain))!.status, 'spam');
    assert.equal((await statusOf(subdomain))!.status, 'pending', 'another domain');
    assert.equal((await statusOf(sameIp))!.status, 'pending');

    await admin.post(`/admin/comments/${subdomain}/block`, { kind: 'ip' }).expect(303);
    assert.deepEqual((await statusOf(sameIp))!.status_reasons, [{ code: 'blocked', text: 'spam: blocked ip 198.51.100.2' }]);
    assert.equal((await statusOf(subdomain))!.status, 'spam');
    assert.deepEqual(
      (await blocks()).map((block) => [block.kind, block.value, block.expires_at]),
      [
        ['domain', 'example.org', null],
        ['ip', '198.51.100.2', null],
      ],
    );
  });

  it('blocking the same commenter again updates the expiry and note of the one block', async () => {
    const id = await insertComment(testDb.db, { status: 'spam', author_email: 'ada@example.org' });
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email', expires: '1', note: 'first' }).expect(303);
    assert.match(flashOf(await queue()), /No pending comments matched\./);
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email', expires: 'never', note: 'for good' }).expect(303);
    const rows = await blocks();
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.note, rows[0]!.expires_at], ['for good', null]);
  });

  it('refuses a kind the comment has nothing for, a malformed form and an unknown comment', async () => {
    const id = await held({ ip: null });
    await admin.post(`/admin/comments/${id}/block`, { kind: 'ip' }).expect(303);
    assert.match(flashOf(await queue()), /Nothing was blocked: this comment has no ip address to block/);
    await admin.post(`/admin/comments/${id}/block`, { kind: 'name' }).expect(400);
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email', expires: '365' }).expect(400);
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email', note: 'x'.repeat(501) }).expect(303);
    assert.match(flashOf(await queue()), /keep the note to 500 characters/);
    await admin.post('/admin/comments/999999/block', { kind: 'email' }).expect(404);
    assert.deepEqual(await blocks(), []);
    assert.equal((await statusOf(id))!.status, 'pending');
  });

  it('needs a session and the CSRF token; without them nothing changes', async () => {
    const id = await held({ author_email: 'ada@example.org' });
    const lifted = await testDb.db('commenter_blocks').insert({ kind: 'ip', value: '203.0.113.1' }).returning('id');
    const blockId = String(lifted[0].id);
    const other = await signInAdmin(app, testDb.db, 'intruder');
    const before = await snapshot();
    for (const [path, fields] of [
      [`/admin/comments/${id}/block`, { kind: 'email' }],
      [`/admin/blocks/${blockId}/delete`, {}],
    ] as const) {
      await request(app)
        .post(path)
        .type('form')
        .send(fields)
        .expect(303)
        .expect('Location', /^\/admin\/login/);
      await postForm(admin.agent, path, fields).expect(403);
      await admin.post(path, { ...fields, _csrf: other.csrf }).expect(403);
    }
    assert.deepEqual(await snapshot(), before);
  });
});

describe('the blocks page', () => {
  it('lists active blocks with kind, value, note, expiry, who and when, and lifts one', async () => {
    const id = await held({ author_email: 'ada@example.org', ip: '203.0.113.7' });
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email', expires: '30', note: 'Casino links' }).expect(303);
    await admin.post(`/admin/comments/${id}/block`, { kind: 'ip' }).expect(303);
    await testDb.db('commenter_blocks').insert({ kind: 'domain', value: 'expired.example', expires_at: new Date(Date.now() - 1000) });

    const page = parsePage((await admin.agent.get('/admin/blocks').expect(200)).text);
    assert.equal(textAt(page, 'h1'), 'Blocked commenters');
    const rows = page('.blocks-table tbody tr')
      .map((_i, row) => squash(page(row).text()))
      .get();
    assert.equal(rows.length, 2, 'the expired block is not listed');
    // Who: the account's display name, as the rest of the moderation pages show it.
    const who = admin.user.display_name;
    assert.match(rows[0]!, new RegExp(`^IP address 203\\.0\\.113\\.7 — Never ${who} \\w+ \\d+, \\d{4} at .+ Lift$`));
    assert.match(rows[1]!, new RegExp(`^Email ada@example\\.org Casino links \\w+ \\d+, \\d{4} at .+ ${who} .+ Lift$`));
    const email = (await blocks()).find((block) => block.kind === 'email')!;
    assert.equal(page(`#block-${email.id} a`).attr('href'), '/admin/comments?status=all&q=ada%40example.org');
    assert.equal(page(`#block-${email.id} time`).first().attr('datetime'), email.expires_at.toISOString());

    const action = page(`#block-${email.id} form`).attr('action')!;
    assert.equal(action, `/admin/blocks/${email.id}/delete`);
    await admin.post(action).expect(303).expect('Location', '/admin/blocks');
    const after = parsePage((await admin.agent.get('/admin/blocks').expect(200)).text);
    assert.equal(flashOf(after), 'Block on email ada@example.org lifted.');
    assert.equal(after('.blocks-table tbody tr').length, 1);
    assert.equal((await statusOf(id))!.status, 'spam', 'lifting a block leaves its comments where they are');

    await admin.post(action).expect(303);
    assert.match(flashOf(parsePage((await admin.agent.get('/admin/blocks').expect(200)).text)), /already been lifted/);
    await admin.post('/admin/blocks/abc/delete').expect(404);
  });

  it('says so when nobody is blocked', async () => {
    const page = parsePage((await admin.agent.get('/admin/blocks').expect(200)).text);
    assert.equal(textAt(page, '.queue-empty'), 'Nobody is blocked.');
  });
});

describe('a new comment from a blocked commenter', () => {
  it('is spam, with the block as its reason, answered like an accepted comment', async () => {
    const id = await held({ author_email: 'ada@example.org' });
    await admin.post(`/admin/comments/${id}/block`, { kind: 'email' }).expect(303);
    assert.deepEqual(await postPublicComment({ email: 'Ada@Example.org' }, '192.0.2.50'), {
      status: 'spam',
      reasons: ['spam: blocked email ada@example.org', 'held: no earlier approved comment from this name and email'],
    });
  });

  it('is spam when its IP or its email’s domain is blocked', async () => {
    await testDb.db('commenter_blocks').insert([
      { kind: 'ip', value: '192.0.2.60' },
      { kind: 'domain', value: 'spam.example' },
    ]);
    assert.equal((await postPublicComment({ email: 'grace@example.org' }, '192.0.2.60')).reasons[0], 'spam: blocked ip 192.0.2.60');
    assert.equal((await postPublicComment({ email: 'bot@SPAM.example' }, '192.0.2.61')).reasons[0], 'spam: blocked domain spam.example');
  });

  it('is judged as usual once the block has expired or been lifted', async () => {
    const firstTime = { status: 'pending', reasons: ['held: no earlier approved comment from this name and email'] };
    await testDb.db('commenter_blocks').insert({ kind: 'email', value: 'ada@example.org', expires_at: new Date(Date.now() - 1000) });
    assert.deepEqual(await postPublicComment({}, '192.0.2.70'), firstTime);

    const [lifted] = await testDb.db('commenter_blocks').insert({ kind: 'ip', value: '192.0.2.71' }).returning('id');
    assert.equal((await postPublicComment({ email: 'grace@example.org' }, '192.0.2.71')).status, 'spam');
    await admin.post(`/admin/blocks/${lifted.id}/delete`).expect(303);
    await testDb.db('rate_limits').delete();
    assert.deepEqual(await postPublicComment({ email: 'grace@example.org', comment: 'Second try.' }, '192.0.2.71'), firstTime);
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, postForm, signInAdmin, type AdminClient } from '../helpers/admin.js';
import { DEMO_PATH, commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { DEMO_SLUG, statementsDuring, useTestDatabase } from '../helpers/database.js';
import { assertNoInjectedMarkup, parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { allComments, insertArticle, insertComment, type TestComment } from '../helpers/rows.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const MANUAL = [{ code: 'manual_approval', text: 'manual approval required' }];

/** A comment as the rules would have held it, with the reason they record. */
async function held(fields: Partial<TestComment> = {}): Promise<string> {
  const id = await insertComment(testDb.db, { status: 'pending', ...fields });
  await testDb
    .db('comments')
    .where({ id })
    .update({ status_reasons: JSON.stringify(MANUAL) });
  return id;
}

async function statusOf(id: string): Promise<string | undefined> {
  return (await testDb.db('comments').select('status').where({ id }).first())?.status;
}

async function snapshot() {
  return { comments: await allComments(testDb.db), log: await testDb.db('moderation_log').select('*').orderBy('id') };
}

async function logRows() {
  const rows = await testDb.db('moderation_log').select('*').orderBy('id');
  return rows.map((row) => ({
    ...row,
    id: String(row.id),
    comment_id: String(row.comment_id),
    actor_id: row.actor_id && String(row.actor_id),
  }));
}

/** The comment ids a reader (no cookies) sees on the demo article. */
async function publicIds(): Promise<string[]> {
  const page = parsePage((await request(app).get(DEMO_PATH).expect(200)).text);
  return page('li[id^="comment-"]')
    .map((_i, element) => page(element).attr('id')!.slice('comment-'.length))
    .get();
}

async function queue(path = '/admin/comments'): Promise<Page> {
  return parsePage((await admin.agent.get(path).expect(200)).text);
}

const rowIds = (page: Page) =>
  page('li.queue-row')
    .map((_i, element) => page(element).attr('id')!.slice('comment-'.length))
    .get();
const flashOf = (page: Page) => squash(page('.flash__message').text());

describe('the queue page', () => {
  it('sends a visitor without a session to sign in, and changes nothing', async () => {
    const id = await held();
    await request(app)
      .get('/admin/comments?status=spam')
      .expect(303)
      .expect('Location', '/admin/login?next=%2Fadmin%2Fcomments%3Fstatus%3Dspam');
    await request(app).get('/admin/log').expect(303).expect('Location', '/admin/login?next=%2Fadmin%2Flog');
    await request(app).get(`/admin/comments/${id}/edit`).expect(303);
    const before = await snapshot();
    await request(app)
      .post(`/admin/comments/${id}/status`)
      .type('form')
      .send('status=approved')
      .expect(303)
      .expect('Location', /^\/admin\/login\?next=/);
    await request(app).post('/admin/comments/bulk').type('form').send(`action=trash&ids=${id}`).expect(303);
    assert.deepEqual(await snapshot(), before);
  });

  it('shows pending comments by default, each with its facts and why it was held', async () => {
    const articleId = await insertArticle(testDb.db, { slug: 'second-article', title: 'A second article' });
    const parent = await insertComment(testDb.db, { author_name: 'Parent Person' });
    const id = await held({
      parent_id: parent,
      author_name: 'Ada Reader',
      author_email: 'ada@example.org',
      author_url: 'https://ada.example.org/',
      ip: '198.51.100.23',
      body: 'First line.\n\nSecond paragraph.',
    });
    await insertComment(testDb.db, { status: 'spam', article_id: articleId });
    const response = await admin.agent.get('/admin/comments').expect(200);
    assert.match(String(response.headers['cache-control']), /no-store/);
    assert.match(String(response.headers['x-robots-tag']), /noindex/);
    const page = parsePage(response.text);
    assert.deepEqual(rowIds(page), [id]);
    const row = `#comment-${id}`;
    const text = textAt(page, row);
    for (const fact of [
      'Ada Reader',
      'ada@example.org',
      'ada.example.org',
      '198.51.100.23',
      'First line.',
      'Second paragraph.',
      'manual approval required',
      'Parent Person',
    ]) {
      assert.ok(text.includes(fact), `row shows ${fact}: ${text}`);
    }
    const { created_at: createdAt } = await testDb.db('comments').select('created_at').where({ id }).first();
    assert.equal(page(`${row} time`).first().attr('datetime'), createdAt.toISOString());
    assert.equal(page(`${row} a[href="${DEMO_PATH}#comment-${id}"]`).length, 1, 'links to the public comment');
    assert.equal(textAt(page, `${row} .why`), 'manual approval required');
    assert.equal(textAt(page, `${row} .queue-row__facts div:nth-child(2) dd`), 'never');
    assert.deepEqual(
      page('.status-tabs a')
        .map((_i, tab) => squash(page(tab).text()))
        .get(),
      ['Pending (1)', 'Approved (1)', 'Spam (1)', 'Trash (0)', 'All (3)'],
    );
    assert.equal(textAt(page, '.admin-nav .badge'), '1 pending');
  });

  it('shows the reason the discussion rules recorded for a comment posted through the public form', async () => {
    const site = commentingApp(testDb.db);
    const moderator = await signInAdmin(site.app, testDb.db, 'second');
    const { fields } = await loadForm(site.browser());
    site.advanceSeconds(10);
    await postPairs(site.browser(), typed(fields)).expect(303);
    const [stored] = await testDb.db('comments').select('id', 'status', 'status_reasons');
    assert.equal(stored.status, 'pending');
    const page = parsePage((await moderator.agent.get('/admin/comments').expect(200)).text);
    const why = textAt(page, `#comment-${stored.id} .why`);
    for (const reason of stored.status_reasons as Array<{ text: string }>) assert.ok(why.includes(reason.text), why);
  });

  it('escapes a script payload everywhere it shows', async () => {
    const id = await held({
      author_name: '<script>alert(1)</script>',
      body: '<img src=x onerror=alert(1)> <b>bold</b>',
      author_url: 'javascript:alert(1)',
    });
    const response = await admin.agent.get('/admin/comments').expect(200);
    assert.ok(response.text.includes('&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(response.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    const page = parsePage(response.text);
    assertNoInjectedMarkup(page);
    assert.equal(page(`#comment-${id} b`).filter((_i, element) => page(element).text() === 'bold').length, 0);
  });

  it('answers malformed filters with 400 or 404, never 500', async () => {
    for (const path of [
      '/admin/comments?status=deleted',
      '/admin/comments?status=a&status=b',
      '/admin/comments?before=yesterday',
      '/admin/comments?comment=x',
      '/admin/log?before=1',
    ]) {
      await admin.agent.get(path).expect(400);
    }
    await admin.agent.get('/admin/comments?article=no-such-article').expect(404);
    await admin.agent.post('/admin/comments/abc/status').type('form').send(`status=approved&_csrf=${admin.csrf}`).expect(404);
    await admin.post('/admin/comments/999/status', { status: 'approved' }).expect(404);
    await admin.post('/admin/comments/1/status', { status: 'deleted' }).expect(400);
  });
});

describe('the queue page’s statement (a performance guard)', () => {
  /** The names the queue's page query ran under while `path` was shown (undefined: planned afresh). */
  async function pageStatementNames(path: string): Promise<Array<string | undefined>> {
    const statements = await statementsDuring(testDb.db, () => queue(path));
    return statements
      .filter((statement) => statement.sql.includes('cursor_time') && statement.sql.includes('from "comments" as "c"'))
      .map((statement) => (statement.options as { name?: string } | undefined)?.name);
  }

  it('is prepared under one name per shape of the list, and a text search is planned afresh', async () => {
    await held({ body: 'A comment about procurement.' });
    const [pending] = await pageStatementNames('/admin/comments');
    assert.match(pending ?? '', /^list_/);
    assert.deepEqual(await pageStatementNames('/admin/comments'), [pending]);
    // The status is a value bound to the statement; "all" has no status condition, so another shape.
    assert.deepEqual(await pageStatementNames('/admin/comments?status=approved'), [pending]);
    const [all] = await pageStatementNames('/admin/comments?status=all');
    assert.match(all ?? '', /^list_/);
    assert.notEqual(all, pending);
    assert.deepEqual(await pageStatementNames('/admin/comments?q=procurement'), [undefined]);
  });
});

describe('search, article filter and pages', () => {
  it('searches name, email, website, text and IP, with % and _ taken literally', async () => {
    const ids = {
      name: await held({ author_name: 'Zelda Quill' }),
      email: await held({ author_email: 'unique-mailbox@example.net' }),
      url: await held({ author_url: 'https://findme.example' }),
      text: await held({ body: 'I am 100% sure about this.' }),
      ip: await held({ ip: '203.0.113.77' }),
    };
    const search = async (q: string, status = 'pending') =>
      rowIds(await queue(`/admin/comments?status=${status}&q=${encodeURIComponent(q)}`));
    assert.deepEqual(await search('zelda'), [ids.name]);
    assert.deepEqual(await search('UNIQUE-MAILBOX'), [ids.email]);
    assert.deepEqual(await search('findme'), [ids.url]);
    assert.deepEqual(await search('100%'), [ids.text]);
    assert.deepEqual(await search('%'), [ids.text]);
    assert.deepEqual(await search('_'), []);
    assert.deepEqual(await search('203.0.113.77'), [ids.ip]);
    assert.deepEqual(await search('zelda', 'approved'), []);
    assert.deepEqual(await search('zelda', 'all'), [ids.name]);
  });

  it('finds exactly what searching each field on its own finds, never a match across two fields', async () => {
    const people = [
      { author_name: 'Ada', author_email: 'lovelace@example.org', author_url: '', body: 'Plain words.', ip: '198.51.100.7' },
      {
        author_name: 'Grace Hopper',
        author_email: 'grace@navy.example',
        author_url: 'https://hopper.example/a_b',
        body: 'Back\\slash and 50% off',
        ip: null,
      },
      { author_name: 'Émile Zoë', author_email: 'emile@example.fr', author_url: '', body: 'Ünïcödé here', ip: '2001:db8::5' },
      {
        author_name: 'Alan',
        author_email: 'alan@example.org',
        author_url: 'https://turing.example',
        body: 'Line one\nline two',
        ip: '192.0.2.44',
      },
    ];
    const ids: string[] = [];
    for (const person of people) ids.push(await held(person));
    // Only ASCII changes case here: PostgreSQL under the C locale folds no other letters.
    const fieldByField = (q: string) =>
      ids.filter((_id, n) => {
        const { author_name, author_email, author_url, body, ip } = people[n]!;
        return [author_name, author_email, author_url, body, ip ?? ''].some((field) => field.toLowerCase().includes(q.toLowerCase()));
      });
    const searches = [
      'ada',
      'ADA',
      'Ada lovelace',
      'adalovelace',
      'Hoppergrace',
      'hopper grace',
      'lovelace@',
      'a_b',
      'a b',
      '\\',
      '50%',
      '%',
      '_',
      'Zoë',
      'Ünïcödé',
      '2001:db8',
      '198.51.100.7',
      '.7lovelace',
      'line two',
      'two198',
      'org',
      '.example',
      'example',
      'https://',
      'zz',
    ];
    for (const q of searches) {
      const found = rowIds(await queue(`/admin/comments?status=all&q=${encodeURIComponent(q)}`));
      assert.deepEqual(found.sort(), fieldByField(q).sort(), `search for ${JSON.stringify(q)}`);
    }
    assert.ok(searches.some((q) => fieldByField(q).length === 0) && searches.some((q) => fieldByField(q).length > 1));
  });

  it('pages through search results, with the article filter, newest first', async () => {
    const other = await insertArticle(testDb.db, { slug: 'other-article' });
    const matching: string[] = [];
    for (let n = 0; n < 23; n += 1) {
      matching.push(await held({ body: `Needle number ${n}`, created_at: new Date(Date.UTC(2023, 5, 1, 10, n)) }));
      await held({ body: `Hay number ${n}`, created_at: new Date(Date.UTC(2023, 5, 1, 10, n, 30)) });
    }
    await held({ body: 'A needle elsewhere', article_id: other });
    const first = await queue(`/admin/comments?article=${DEMO_SLUG}&q=needle`);
    assert.deepEqual(rowIds(first), matching.slice(3).reverse());
    const next = await queue(first('.pager a[rel="next"]').attr('href'));
    assert.deepEqual(rowIds(next), matching.slice(0, 3).reverse());
    assert.equal(next('.pager a[rel="next"]').length, 0);
  });

  it('filters by article', async () => {
    const other = await insertArticle(testDb.db, { slug: 'other-article' });
    const here = await held();
    const there = await held({ article_id: other });
    assert.deepEqual(rowIds(await queue('/admin/comments?article=other-article')), [there]);
    assert.deepEqual(rowIds(await queue(`/admin/comments?article=${DEMO_SLUG}`)), [here]);
    const page = await queue('/admin/comments?article=other-article');
    assert.equal(textAt(page, '.status-tabs a[aria-current="page"]'), 'Pending (1)');
  });

  it('walks 45 comments 20 at a time, newest first, with no duplicates or gaps, and back again', async () => {
    const tie = new Date(Date.UTC(2023, 4, 1, 12, 0, 0));
    for (let n = 0; n < 45; n += 1) {
      // Five share one timestamp, so the id must break the tie.
      await held(n >= 20 && n < 25 ? { created_at: tie } : { created_at: new Date(Date.UTC(2023, 4, 1, 10, n)) });
    }
    const expected = (
      await testDb
        .db('comments')
        .select('id')
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
    ).map((row) => String(row.id));

    const pages: string[][] = [];
    let path: string | undefined = '/admin/comments';
    while (path) {
      const page = await queue(path);
      pages.push(rowIds(page));
      path = page('.pager a[rel="next"]').attr('href');
      assert.ok(pages.length <= 3, 'too many pages');
    }
    assert.deepEqual(
      pages.map((ids) => ids.length),
      [20, 20, 5],
    );
    assert.deepEqual(pages.flat(), expected);

    // From the last page, follow Newer links back to the top.
    let current = await queue('/admin/comments');
    for (let n = 1; n < pages.length; n += 1) current = await queue(current('.pager a[rel="next"]').attr('href'));
    const back = [rowIds(current)];
    let newer: string | undefined;
    while ((newer = current('.pager a[rel="prev"]').attr('href'))) {
      current = await queue(newer);
      back.push(rowIds(current));
    }
    assert.deepEqual(back.reverse(), pages);
  });

  it('keeps its place to the microsecond', async () => {
    // Two comments a microsecond apart straddle a page boundary; JavaScript dates would merge them.
    for (let n = 0; n < 19; n += 1) await held({ created_at: new Date(Date.UTC(2023, 4, 2, 10, n)) });
    const a = await held();
    const b = await held();
    await testDb
      .db('comments')
      .where({ id: a })
      .update({ created_at: testDb.db.raw(`'2023-05-02 09:00:00.000002+00'`) });
    await testDb
      .db('comments')
      .where({ id: b })
      .update({ created_at: testDb.db.raw(`'2023-05-02 09:00:00.000001+00'`) });
    const first = await queue();
    assert.equal(rowIds(first).at(-1), a);
    assert.deepEqual(rowIds(await queue(first('.pager a[rel="next"]').attr('href'))), [b]);
  });
});

describe('changing one comment’s status', () => {
  it('approves: on the article at once, approved_at set, logged with actor and from/to, back where it came from', async () => {
    const id = await held();
    assert.deepEqual(await publicIds(), []);
    await admin
      .post(`/admin/comments/${id}/status`, { status: 'approved', return_to: '/admin/comments?status=pending&q=reader' })
      .expect(303)
      .expect('Location', '/admin/comments?status=pending&q=reader');
    assert.deepEqual(await publicIds(), [id]);
    const row = await testDb.db('comments').where({ id }).first();
    assert.equal(row.status, 'approved');
    assert.ok(row.approved_at instanceof Date);
    assert.equal(String(row.moderated_by), admin.user.id);
    const [entry] = await logRows();
    assert.deepEqual(
      {
        comment: entry!.comment_id,
        actor: entry!.actor_id,
        name: entry!.actor_name,
        action: entry!.action,
        from: entry!.from_status,
        to: entry!.to_status,
      },
      { comment: id, actor: admin.user.id, name: admin.user.display_name, action: 'status', from: 'pending', to: 'approved' },
    );
    const page = await queue('/admin/comments?status=approved');
    assert.ok(textAt(page, `#comment-${id}`).includes('pending → approved'));
    assert.ok(textAt(page, `#comment-${id} .queue-row__facts`).includes('by moderator'));
  });

  for (const target of ['pending', 'spam', 'trash'] as const) {
    it(`moves an approved comment to ${target}: gone from the article at once`, async () => {
      const id = await insertComment(testDb.db, { status: 'approved' });
      assert.deepEqual(await publicIds(), [id]);
      await admin.post(`/admin/comments/${id}/status`, { status: target }).expect(303).expect('Location', '/admin/comments');
      assert.equal(await statusOf(id), target);
      assert.deepEqual(await publicIds(), []);
      const [entry] = await logRows();
      assert.deepEqual([entry!.from_status, entry!.to_status], ['approved', target]);
    });
  }

  it('takes a comment out of spam ("not spam") to pending, and goes back by Referer without return_to', async () => {
    const id = await insertComment(testDb.db, { status: 'spam' });
    await admin
      .post(`/admin/comments/${id}/status`, { status: 'pending' })
      .set('Referer', 'http://127.0.0.1:3000/admin/comments?status=spam')
      .expect(303)
      .expect('Location', '/admin/comments?status=spam');
    assert.equal(await statusOf(id), 'pending');
  });

  it('never returns to another site', async () => {
    const id = await held();
    for (const elsewhere of ['//evil.example/admin/comments', 'https://evil.example/admin/comments', '/admin/logout']) {
      await admin
        .post(`/admin/comments/${id}/status`, { status: 'spam', return_to: elsewhere })
        .expect(303)
        .expect('Location', '/admin/comments');
    }
    await admin
      .post(`/admin/comments/${id}/status`, { status: 'trash' })
      .set('Referer', 'https://evil.example/x')
      .expect(303)
      .expect('Location', '/admin/comments');
  });

  it('restores from trash to the status it had before, found in the log', async () => {
    const id = await insertComment(testDb.db, { status: 'approved' });
    await admin.post(`/admin/comments/${id}/status`, { status: 'trash' }).expect(303);
    await admin.post(`/admin/comments/${id}/restore`).expect(303);
    assert.equal(await statusOf(id), 'approved');
    assert.deepEqual(await publicIds(), [id]);
    const fresh = await insertComment(testDb.db, { status: 'trash' });
    await admin.post(`/admin/comments/${fresh}/restore`).expect(303);
    assert.equal(await statusOf(fresh), 'pending', 'no log: back to pending');
  });

  it('deletes permanently from trash only, logging it; replies to it stay', async () => {
    const trashed = await insertComment(testDb.db, { status: 'trash' });
    const reply = await insertComment(testDb.db, { status: 'approved', parent_id: trashed });
    const live = await held();
    await admin.post(`/admin/comments/${live}/delete`).expect(303);
    assert.equal(await statusOf(live), 'pending');
    assert.match(flashOf(await queue()), /skipped: only comments in spam or trash can be deleted permanently/);
    await admin.post(`/admin/comments/${trashed}/delete`).expect(303);
    assert.equal(await statusOf(trashed), undefined);
    assert.equal((await testDb.db('comments').where({ id: reply }).first()).parent_id, null);
    const entries = await logRows();
    assert.deepEqual(
      entries.map((entry) => [entry.comment_id, entry.action, entry.from_status, entry.to_status]),
      [[trashed, 'delete', 'trash', null]],
    );
  });

  it('logs the true from-status when two moderators act on one comment at once', async () => {
    const id = await held();
    const other = await signInAdmin(app, testDb.db, 'colleague');
    await Promise.all([
      admin.post(`/admin/comments/${id}/status`, { status: 'spam' }).expect(303),
      other.post(`/admin/comments/${id}/status`, { status: 'trash' }).expect(303),
    ]);
    const [first, second] = await logRows();
    assert.equal(first!.from_status, 'pending');
    assert.equal(second!.from_status, first!.to_status, 'the second change starts where the first ended');
    assert.equal(await statusOf(id), second!.to_status);
  });
});

describe('bulk actions', () => {
  it('approves a mix, skipping what is already approved', async () => {
    const pending = await held();
    const spam = await insertComment(testDb.db, { status: 'spam' });
    const approved = await insertComment(testDb.db, { status: 'approved' });
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'approve'],
        ['ids', pending],
        ['ids', spam],
        ['ids', approved],
        ['return_to', '/admin/comments?status=all'],
      ])
      .expect(303)
      .expect('Location', '/admin/comments?status=all');
    assert.deepEqual([await statusOf(pending), await statusOf(spam), await statusOf(approved)], ['approved', 'approved', 'approved']);
    assert.equal((await logRows()).length, 2);
    assert.equal(flashOf(await queue('/admin/comments?status=all')), '2 comments approved. 1 comment skipped: already approved.');
    assert.deepEqual((await publicIds()).sort(), [pending, spam, approved].sort());
  });

  it('deletes only the checked comments in spam or trash and says what it skipped', async () => {
    const ids = {
      pending: await held(),
      approved: await insertComment(testDb.db, { status: 'approved' }),
      spam: await insertComment(testDb.db, { status: 'spam' }),
      trash: await insertComment(testDb.db, { status: 'trash' }),
    };
    await admin
      .post('/admin/comments/bulk', [['action', 'delete'], ...Object.values(ids).map((id) => ['ids', id] as [string, string])])
      .expect(303);
    assert.deepEqual((await allComments(testDb.db)).map((row) => row.id).sort(), [ids.pending, ids.approved].sort());
    assert.equal(
      flashOf(await queue()),
      '2 comments deleted permanently. 2 comments skipped: only comments in spam or trash can be deleted permanently.',
    );
    assert.deepEqual(
      (await logRows()).map((entry) => entry.action),
      ['delete', 'delete'],
    );
  });

  it('unapproves, marks spam, trashes and restores every checked comment', async () => {
    const a = await insertComment(testDb.db, { status: 'approved' });
    const b = await insertComment(testDb.db, { status: 'approved' });
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'unapprove'],
        ['ids', a],
        ['ids', b],
      ])
      .expect(303);
    assert.deepEqual([await statusOf(a), await statusOf(b)], ['pending', 'pending']);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'spam'],
        ['ids', a],
      ])
      .expect(303);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'trash'],
        ['ids', b],
      ])
      .expect(303);
    assert.deepEqual([await statusOf(a), await statusOf(b)], ['spam', 'trash']);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'restore'],
        ['ids', a],
        ['ids', b],
      ])
      .expect(303);
    assert.deepEqual([await statusOf(a), await statusOf(b)], ['pending', 'pending']);
    assert.equal((await logRows()).length, 6);
  });

  it('asks for an action and a selection instead of failing', async () => {
    const id = await held();
    await admin.post('/admin/comments/bulk', { action: '', ids: id }).expect(303);
    assert.match(flashOf(await queue()), /Choose a bulk action/);
    await admin.post('/admin/comments/bulk', { action: 'approve' }).expect(303);
    assert.match(flashOf(await queue()), /Select one or more comments/);
    await admin.post('/admin/comments/bulk', { action: 'approve', ids: 'x' }).expect(400);
    assert.equal(await statusOf(id), 'pending');
  });
});

describe('undo', () => {
  it('after spam, puts the comment back where it was and shows it on the article again', async () => {
    const id = await insertComment(testDb.db, { status: 'approved' });
    await admin
      .post(`/admin/comments/${id}/status`, { status: 'spam', return_to: '/admin/comments?status=approved' })
      .expect(303)
      .expect('Location', '/admin/comments?status=approved');
    const page = await queue('/admin/comments?status=approved');
    assert.equal(flashOf(page), '1 comment marked as spam.');
    const undo = page('.flash__undo');
    assert.equal(undo.attr('action'), '/admin/comments/undo');
    const token = undo.find('input[name="token"]').attr('value')!;
    assert.equal(flashOf(await queue('/admin/comments?status=approved')), '', 'the message is shown once');
    await admin
      .post('/admin/comments/undo', { token, return_to: '/admin/comments?status=approved' })
      .expect(303)
      .expect('Location', '/admin/comments?status=approved');
    assert.equal(await statusOf(id), 'approved');
    assert.deepEqual(await publicIds(), [id]);
    assert.deepEqual(
      (await logRows()).map((entry) => `${entry.from_status}→${entry.to_status}`),
      ['approved→spam', 'spam→approved'],
    );
    await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.match(flashOf(await queue()), /nothing to undo/);
  });

  it('after a bulk trash, restores exactly those comments, leaving alone one moved since', async () => {
    const pending = await held();
    const approved = await insertComment(testDb.db, { status: 'approved' });
    const moved = await held();
    const untouched = await insertComment(testDb.db, { status: 'trash' });
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'trash'],
        ['ids', pending],
        ['ids', approved],
        ['ids', moved],
        ['ids', untouched],
      ])
      .expect(303);
    const token = (await queue())('.flash__undo input[name="token"]').attr('value')!;
    const colleague = await signInAdmin(app, testDb.db, 'colleague');
    await colleague.post(`/admin/comments/${moved}/status`, { status: 'spam' }).expect(303);
    await admin.post('/admin/comments/undo', { token }).expect(303);
    assert.deepEqual(
      [await statusOf(pending), await statusOf(approved), await statusOf(moved), await statusOf(untouched)],
      ['pending', 'approved', 'spam', 'trash'],
    );
    assert.match(flashOf(await queue()), /Undone: 2 comments restored\. 1 had been moved/);
  });
});

describe('replying as the site', () => {
  it('publishes a reply threaded under an approved comment, signed by the admin', async () => {
    const parent = await insertComment(testDb.db, { status: 'approved' });
    await admin
      .post(`/admin/comments/${parent}/reply`, { comment: '  Thanks for reading.  ', return_to: '/admin/comments?status=approved' })
      .expect(303)
      .expect('Location', '/admin/comments?status=approved');
    const reply = await testDb.db('comments').whereNot({ id: parent }).first();
    assert.deepEqual(
      {
        status: reply.status,
        parent: String(reply.parent_id),
        body: reply.body,
        name: reply.author_name,
        email: reply.author_email,
        user: String(reply.user_id),
        site: reply.is_site_reply,
        approved: reply.approved_at instanceof Date,
      },
      {
        status: 'approved',
        parent,
        body: 'Thanks for reading.',
        name: admin.user.display_name,
        email: 'moderator@127.0.0.1',
        user: admin.user.id,
        site: true,
        approved: true,
      },
    );
    const page = parsePage((await request(app).get(DEMO_PATH).expect(200)).text);
    assert.equal(page(`#comment-${parent} .children #comment-${reply.id}`).length, 1, 'threaded under its parent');
    assert.equal(page(`#comment-${reply.id} .comment-site-badge`).first().text(), 'Site reply', 'marked as the site’s reply');
    assert.equal(page(`#comment-${parent} > .comment-body .comment-site-badge`).length, 0, 'the reader’s comment is not');
    assert.deepEqual(
      (await logRows()).map((entry) => [entry.comment_id, entry.action, entry.to_status]),
      [[String(reply.id), 'reply', 'approved']],
    );
  });

  it('approves a pending comment first, logging both', async () => {
    const parent = await held();
    await admin.post(`/admin/comments/${parent}/reply`, { comment: 'Welcome aboard.' }).expect(303);
    assert.equal(await statusOf(parent), 'approved');
    const entries = await logRows();
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.from_status, entry.to_status]),
      [
        ['status', 'pending', 'approved'],
        ['reply', null, 'approved'],
      ],
    );
    assert.equal((await publicIds()).length, 2);
  });

  it('stores nothing for an empty reply and shows the queue again with the error at the row', async () => {
    const parent = await held();
    const before = await snapshot();
    const response = await admin.post(`/admin/comments/${parent}/reply`, { comment: '   ', return_to: '/admin/comments' }).expect(422);
    const page = parsePage(response.text);
    assert.equal(textAt(page, `#reply-${parent}-error`), 'Error: Type your comment.');
    assert.notEqual(page(`#comment-${parent} details.queue-row__reply`).attr('open'), undefined, 'the reply box is open');
    assert.match(flashOf(page), /not published/);
    assert.deepEqual(await snapshot(), before);
  });

  it('refuses to answer spam', async () => {
    const parent = await insertComment(testDb.db, { status: 'spam' });
    await admin.post(`/admin/comments/${parent}/reply`, { comment: 'Hello?' }).expect(303);
    assert.equal((await allComments(testDb.db)).length, 1);
    assert.match(flashOf(await queue()), /cannot be replied to/);
  });
});

describe('editing a comment', () => {
  it('changes text, name, email and website under the public form’s rules, and logs the edit', async () => {
    const id = await held();
    const form = parsePage(
      (await admin.agent.get(`/admin/comments/${id}/edit?return_to=${encodeURIComponent('/admin/comments?status=pending')}`).expect(200))
        .text,
    );
    assert.equal(form('#edit-author').attr('value'), (await testDb.db('comments').where({ id }).first()).author_name);
    await admin
      .post(`/admin/comments/${id}/edit`, {
        comment: 'Edited words.',
        author: 'New Name',
        email: 'new@example.org',
        url: 'new.example.org',
        return_to: '/admin/comments?status=pending',
      })
      .expect(303)
      .expect('Location', '/admin/comments?status=pending');
    const row = await testDb.db('comments').where({ id }).first();
    assert.deepEqual(
      [row.body, row.author_name, row.author_email, row.author_url, row.status],
      ['Edited words.', 'New Name', 'new@example.org', 'https://new.example.org', 'pending'],
    );
    assert.ok(row.updated_at instanceof Date);
    assert.deepEqual(
      (await logRows()).map((entry) => [entry.action, entry.actor_name, entry.from_status, entry.to_status]),
      [['edit', admin.user.display_name, 'pending', 'pending']],
    );
  });

  it('shows the form again with 422, each error at its field and the typed values kept, storing nothing', async () => {
    const id = await held();
    const before = await snapshot();
    const response = await admin
      .post(`/admin/comments/${id}/edit`, { comment: 'Kept text', author: 'x'.repeat(246), email: 'not-an-email', url: 'ftp://x.example' })
      .expect(422);
    const page = parsePage(response.text);
    assert.match(textAt(page, '#edit-author-error'), /245 characters or fewer/);
    assert.match(textAt(page, '#edit-email-error'), /correct format/);
    assert.match(textAt(page, '#edit-url-error'), /http:\/\/ or https:\/\//);
    assert.equal(page('#edit-comment').text(), 'Kept text');
    assert.equal(page('#edit-email').attr('value'), 'not-an-email');
    assert.deepEqual(await snapshot(), before);
    await admin.post(`/admin/comments/${id}/edit`, { comment: '', author: 'A', email: 'a@example.org', url: '' }).expect(422);
    await admin.agent.get('/admin/comments/999/edit').expect(404);
  });
});

describe('CSRF', () => {
  it('refuses every state-changing request without the session’s token, changing nothing', async () => {
    const id = await held();
    const trashed = await insertComment(testDb.db, { status: 'trash' });
    const other = await signInAdmin(app, testDb.db, 'intruder');
    const requests: Array<[string, Record<string, string>]> = [
      [`/admin/comments/${id}/status`, { status: 'approved' }],
      ['/admin/comments/bulk', { action: 'approve', ids: id }],
      [`/admin/comments/${id}/reply`, { comment: 'Hi' }],
      [`/admin/comments/${id}/edit`, { comment: 'Changed', author: 'X', email: 'x@example.org', url: '' }],
      [`/admin/comments/${trashed}/delete`, {}],
      [`/admin/comments/${trashed}/restore`, {}],
      ['/admin/comments/undo', { token: 'x' }],
    ];
    const before = await snapshot();
    for (const [path, fields] of requests) {
      await postForm(admin.agent, path, fields).expect(403);
      await admin.post(path, { ...fields, _csrf: other.csrf }).expect(403);
      await admin.post(path, { ...fields, _csrf: '' }).expect(403);
    }
    assert.deepEqual(await snapshot(), before);
  });
});

describe('the moderation log page', () => {
  it('lists actions newest first with links to comments that still exist', async () => {
    const kept = await held();
    const gone = await insertComment(testDb.db, { status: 'spam' });
    await admin.post(`/admin/comments/${kept}/status`, { status: 'approved' }).expect(303);
    await admin.post(`/admin/comments/${gone}/delete`).expect(303);
    const page = parsePage((await admin.agent.get('/admin/log').expect(200)).text);
    const rows = page('.log-table tbody tr')
      .map((_i, row) => squash(page(row).text()))
      .get();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, new RegExp(`${admin.user.display_name} deleted permanently \\(was spam\\) #${gone} \\(deleted\\)`));
    assert.match(rows[1]!, new RegExp(`${admin.user.display_name} pending → approved #${kept} by`));
    assert.equal(page(`.log-table a[href="/admin/comments?status=all&comment=${kept}"]`).length, 1);
    assert.deepEqual(rowIds(await queue(`/admin/comments?status=all&comment=${kept}`)), [kept]);
  });

  it('pages by keyset through many entries', async () => {
    const id = await held();
    const at = (n: number) => new Date(Date.UTC(2023, 5, 1, 0, 0, n % 50));
    await testDb.db('moderation_log').insert(
      Array.from({ length: 45 }, (_, n) => ({
        comment_id: id,
        actor_id: admin.user.id,
        actor_name: `actor-${n}`,
        action: 'status',
        from_status: 'pending',
        to_status: 'approved',
        created_at: at(n),
      })),
    );
    const first = parsePage((await admin.agent.get('/admin/log').expect(200)).text);
    const second = parsePage((await admin.agent.get(first('.pager a[rel="next"]').attr('href')!).expect(200)).text);
    const actors = (page: Page) =>
      page('.log-table tbody td[data-label="Moderator"]')
        .map((_i, cell) => page(cell).text())
        .get();
    const all = [...actors(first), ...actors(second)];
    assert.deepEqual([actors(first).length, actors(second).length], [40, 5]);
    assert.equal(new Set(all).size, 45);
    assert.equal(second('.pager a[rel="next"]').length, 0);
    assert.deepEqual(
      actors(parsePage((await admin.agent.get(second('.pager a[rel="prev"]').attr('href')!).expect(200)).text)),
      actors(first),
    );
  });
});

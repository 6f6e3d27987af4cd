import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { DEMO_SLUG, useTestDatabase } from '../helpers/database.js';
import type { Database } from '../../src/platform/db/connection.js';

/**
 * A comment deleted permanently, by every path that deletes comments, leaves
 * its text and its author's address, website and IP in no table and no mail
 * file: searched as an outside test would, column by column.
 */

const testDb = useTestDatabase();

const ALICE = {
  comment: 'Alice’s words about quixotic zebras',
  author: 'Alice Marker',
  email: 'alice.marker@example.net',
  url: 'https://alice-marker.example/',
  ip: '203.0.113.77',
};
const BOB = { comment: 'Bob answers plainly', author: 'Bob Other', email: 'bob.other@example.net', url: '', ip: '198.51.100.23' };
const TRACES = [ALICE.comment, 'quixotic zebras', ALICE.email, 'alice-marker.example', ALICE.ip];

/** Every text-like column of every table, as information_schema lists them, searched for `needle`. */
async function tablesHolding(db: Database, needle: string): Promise<string[]> {
  const columns = await db('information_schema.columns')
    .where({ table_schema: 'public' })
    .whereIn('data_type', ['text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'cidr', 'ARRAY'])
    .select<Array<{ table_name: string; column_name: string }>>('table_name', 'column_name');
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const rows = await db(table)
      .whereRaw('??::text ILIKE ?', [column, `%${needle.replace(/[\\%_]/g, '\\$&')}%`])
      .count<Array<{ count: string }>>({ count: '*' });
    if (Number(rows[0]!.count) > 0) found.push(`${table}.${column}`);
  }
  return found;
}

async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    // Mail files are quoted-printable or base64 at times: the text is compared decoded as far as a reader would see it.
    const text = (await readFile(path.join(dir, name), 'utf8')).replace(/=\r?\n/g, '');
    if (text.includes(needle) || text.includes(needle.replace(/’/g, '=E2=80=99'))) found.push(name);
  }
  return found;
}

describe('a comment deleted permanently', () => {
  let dataDir: string;
  let outboxDir: string;
  let mailer: Mailer;
  let site: ReturnType<typeof commentingApp>;
  let admin: AdminClient;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-deletion-'));
    outboxDir = path.join(dataDir, 'outbox');
    mailer = createMailer({ outboxDir, from: 'Broadsheet <noreply@example.com>', messageIdDomain: 'example.com' });
  });
  after(async () => {
    mailer.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await rm(outboxDir, { recursive: true, force: true });
    await saveDiscussionSettings(testDb.db, { ...DEFAULT_DISCUSSION_SETTINGS, holdEveryComment: true }, null);
    site = commentingApp(testDb.db, { DATA_DIR: dataDir });
    admin = await signInAdmin(site.app, testDb.db);
  });

  async function post(who: typeof ALICE, extra: Record<string, string> = {}): Promise<string> {
    const browser = site.browser();
    const { fields } = await loadForm(browser);
    site.advanceSeconds(20);
    const { ip, ...typedFields } = who;
    const response = await postPairs(browser, typed(fields, { ...typedFields, ...extra }), { ip });
    assert.equal(response.status, 303);
    return /#comment-(\d+)$/.exec(response.headers.location!)![1]!;
  }

  /** Alice's comment with every kind of mail about it, sent to files: held (to the moderators), approved (to her), a reply (to her). */
  async function aliceWithHerMail(): Promise<{ alice: string; bob: string }> {
    const alice = await post(ALICE, { notify_approval: 'yes', notify_replies: 'yes' });
    await admin.post(`/admin/comments/${alice}/status`, { status: 'approved' }).expect(303);
    const bob = await post(BOB, { parent_id: alice });
    await admin.post(`/admin/comments/${bob}/status`, { status: 'approved' }).expect(303);
    while ((await deliverDueMail(testDb.db, mailer)) > 0);
    const kinds = await testDb.db('mail_outbox').orderBy('id').pluck('kind');
    assert.deepEqual(kinds, ['held', 'approved', 'held', 'reply']);
    assert.ok((await filesHolding(outboxDir, ALICE.email)).length >= 2, 'her mail was written to files');
    assert.deepEqual(await tablesHolding(testDb.db, ALICE.email), ['comments.author_email', 'mail_outbox.recipient', 'rate_limits.key']);
    assert.deepEqual(await tablesHolding(testDb.db, ALICE.ip), ['comments.ip', 'rate_limits.key']);
    assert.deepEqual(await tablesHolding(testDb.db, 'alice-marker.example'), ['comments.author_url']);
    assert.ok((await filesHolding(outboxDir, 'quixotic zebras')).length >= 1, 'the held mail carries her words');
    return { alice, bob };
  }

  async function assertNoTrace() {
    for (const trace of TRACES) {
      assert.deepEqual(await tablesHolding(testDb.db, trace), [], `“${trace}” is in no table`);
      assert.deepEqual(await filesHolding(outboxDir, trace), [], `“${trace}” is in no mail file`);
    }
  }

  it('from the trash, by its own Delete Permanently, leaves no trace; the reply and its own mail stay', async () => {
    const { alice, bob } = await aliceWithHerMail();
    await admin.post(`/admin/comments/${alice}/status`, { status: 'trash' }).expect(303);
    await admin.post(`/admin/comments/${alice}/delete`).expect(303);
    await assertNoTrace();
    assert.ok(await testDb.db('comments').where({ id: bob }).first(), 'the reply stays');
    assert.deepEqual(await testDb.db('mail_outbox').pluck('dedupe_key'), [`held:${bob}`]);
    assert.equal((await readdir(outboxDir)).length, 1, 'the reply’s held mail keeps its file');
  });

  it('by the bulk delete from spam leaves no trace', async () => {
    const { alice } = await aliceWithHerMail();
    await admin.post(`/admin/comments/${alice}/status`, { status: 'spam' }).expect(303);
    await admin
      .post('/admin/comments/bulk', [
        ['action', 'delete'],
        ['ids', alice],
      ])
      .expect(303);
    await assertNoTrace();
  });

  it('by Empty Trash leaves no trace', async () => {
    const { alice } = await aliceWithHerMail();
    await admin.post(`/admin/comments/${alice}/status`, { status: 'trash' }).expect(303);
    await admin.post('/admin/comments/empty', { status: 'trash', count: '1' }).expect(303);
    await assertNoTrace();
  });

  it('with its article, deleted permanently, leaves no trace of it or of the replies', async () => {
    await aliceWithHerMail();
    const article = await testDb.db('articles').where({ slug: DEMO_SLUG }).first<{ id: string }>('id');
    await admin.post(`/admin/articles/${article.id}/status`, { status: 'trash' }).expect(303);
    await admin.post(`/admin/articles/${article.id}/delete`).expect(303);
    await assertNoTrace();
    for (const trace of [BOB.comment, BOB.email, BOB.ip])
      assert.deepEqual(await tablesHolding(testDb.db, trace), [], `“${trace}” is in no table`);
    assert.deepEqual(await readdir(outboxDir), []);
  });
});

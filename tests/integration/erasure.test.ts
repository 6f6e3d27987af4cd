import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { deliverDueMail } from '../../src/mail/outbox-worker.js';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { commentingApp, DEMO_PATH, loadForm, postPairs, typed, type Client } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash } from '../helpers/html.js';
import type { Database } from '../../src/platform/db/connection.js';

/**
 * Erasing an address through the admin pages, after a commenter's history
 * built through HTTP (held and approved comments, their mail delivered to
 * files, a reply, blocks, subscriptions, a self-edit): afterwards the
 * address, its website and its IP are in no column of any table and in no
 * mail file, searched as an outside test would.
 */

const database = useTestDatabase();
const ADA = { email: 'Ada.Lovelace@Example.org', website: 'https://ada-lovelace.example.net/notes', ip: '203.0.113.77' };
const WEBSITE_HOST = 'ada-lovelace.example.net';
const TEXT = 'Engines may compose elaborate music.';
let dataDir: string;
let mailer: Mailer;
let harness: ReturnType<typeof commentingApp>;
let admin: AdminClient;

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-erasure-'));
  mailer = createMailer({
    outboxDir: path.join(dataDir, 'outbox'),
    from: 'Broadsheet <noreply@example.com>',
    messageIdDomain: 'example.com',
  });
});
after(async () => {
  mailer.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await rm(path.join(dataDir, 'outbox'), { recursive: true, force: true });
  harness = commentingApp(database.db, { DATA_DIR: dataDir });
  admin = await signInAdmin(harness.app, database.db, 'root');
  await database.db('users').where({ id: admin.user.id }).update({ role: 'administrator' });
});

async function post(client: Client, fields: Record<string, string | undefined>, ip: string) {
  const form = await loadForm(client);
  harness.advanceSeconds(20);
  return postPairs(client, typed(form.fields, fields), { ip }).expect(303);
}

const deliver = async () => {
  while ((await deliverDueMail(database.db, mailer)) > 0);
};

const commentIdsOf = async (email: string) =>
  (await database.db('comments').whereRaw('lower(author_email) = lower(?)', [email]).orderBy('id').select('id')).map(
    (row: { id: string }) => String(row.id),
  );

/** Ada comments twice (held, then approved by the admin), asks for mail, is replied to, edits once, leaves a conversation, and is blocked by e-mail and IP. */
async function buildHistory() {
  const ada = harness.browser();
  const adaFields = {
    author: 'Ada Lovelace',
    email: ADA.email,
    url: ADA.website,
    comment: TEXT,
    notify_replies: 'yes',
    notify_approval: 'yes',
  };
  await post(ada, adaFields, ADA.ip);
  await post(ada, { ...adaFields, comment: `Second thought: write to me at ${ADA.email}.` }, ADA.ip);
  const [first, second] = await commentIdsOf(ADA.email);
  for (const id of [first!, second!]) {
    await admin.post(`/admin/comments/${id}/status`, { status: 'approved' }).expect(303);
  }
  const bea = harness.browser();
  await post(
    bea,
    { author: 'Bea Writer', email: 'bea@example.com', url: '', comment: 'A reply to Ada.', parent_id: first! },
    '198.51.100.5',
  );
  // What the self-edit feature logs under the commenter's name.
  await database.db('moderation_log').insert({
    comment_id: first,
    actor_id: null,
    actor_name: 'Ada Lovelace (commenter)',
    action: 'edit',
    from_status: 'approved',
    to_status: 'approved',
  });
  const articleId = (await database.db('comments').where({ id: first }).first<{ article_id: string }>('article_id')).article_id;
  await database.db('conversation_unsubscribes').insert({ email: ADA.email.toLowerCase(), article_id: articleId });
  await admin.post(`/admin/comments/${first}/block`, { kind: 'email', note: `spams as ${ADA.email}` }).expect(303);
  await admin.post(`/admin/comments/${first}/block`, { kind: 'ip' }).expect(303);
  await deliver();
  return { first: first!, second: second! };
}

/** Every text-like column of every table, read as text, that holds `needle` (case-insensitive): `table.column` names. */
async function columnsHolding(db: Database, needle: string): Promise<string[]> {
  const columns = await db('information_schema.columns')
    .where({ table_schema: 'public' })
    .whereIn('data_type', ['text', 'character varying', 'character', 'jsonb', 'json', 'inet', 'cidr', 'bytea', 'ARRAY', 'tsvector'])
    .select<Array<{ table_name: string; column_name: string; data_type: string }>>('table_name', 'column_name', 'data_type');
  const found: string[] = [];
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const asText = type === 'bytea' ? `encode("${column}", 'escape')` : `"${column}"::text`;
    const { rows } = await db.raw<{ rows: unknown[] }>(`SELECT 1 FROM "${table}" WHERE strpos(lower(${asText}), lower(?)) > 0 LIMIT 1`, [
      needle,
    ]);
    if (rows.length > 0) found.push(`${table}.${column}`);
  }
  return found;
}

async function mailFilesHolding(needle: string): Promise<string[]> {
  const outbox = path.join(dataDir, 'outbox');
  const names = await readdir(outbox).catch(() => [] as string[]);
  const holding: string[] = [];
  for (const name of names)
    if ((await readFile(path.join(outbox, name), 'utf8')).toLowerCase().includes(needle.toLowerCase())) holding.push(name);
  return holding;
}

/** Starts the erasure, confirms it through the mailed link, and runs it: the report page. */
async function eraseThroughTheSite(mode: 'anonymize' | 'delete') {
  await admin.post('/admin/privacy/erase', { email: ADA.email }).expect(303).expect('Location', '/admin/privacy/erase');
  const mail = await database
    .db('mail_outbox')
    .where({ kind: 'privacy-request' })
    .orderBy('id', 'desc')
    .first<{ body: string; recipient: string }>();
  assert.equal(mail.recipient, ADA.email);
  const token = new URL(/https?:\/\/\S+\/your-data\/confirm\?\S+/.exec(mail.body)![0]).searchParams.get('token')!;
  await deliver();
  await harness.browser().post('/your-data/confirm').type('form').send({ token }).expect(200);
  const ran = await admin.post('/admin/privacy/erase', { email: ADA.email.toUpperCase(), mode }).expect(303);
  assert.match(ran.headers.location as string, /^\/admin\/privacy\/erase\?request=\d+$/);
  return parsePage((await admin.agent.get(ran.headers.location as string).expect(200)).text);
}

describe('erasing an address', () => {
  it('leaves no trace of the address, its website or its IP in any table or mail file, keeping the words under "Anonymous"', async () => {
    const { first, second } = await buildHistory();
    for (const needle of [ADA.email, WEBSITE_HOST, ADA.ip]) {
      assert.ok((await columnsHolding(database.db, needle)).length > 0, `${needle} is stored before the erasure`);
    }
    assert.ok((await mailFilesHolding(ADA.email)).length > 0, 'mail files name the address before the erasure');

    const page = await eraseThroughTheSite('anonymize');
    const report = squash(page('.privacy-report').text());
    assert.match(report, /2 comments anonymised/);
    assert.match(report, /2 blocks kept as a keyed hash/);
    assert.match(report, /1 self-edit history entry removed/);

    for (const needle of [ADA.email, WEBSITE_HOST, ADA.ip]) {
      assert.deepEqual(await columnsHolding(database.db, needle), [], `${needle} is gone from every table`);
      assert.deepEqual(await mailFilesHolding(needle), [], `${needle} is gone from every mail file`);
    }
    const kept = await database.db('comments').whereIn('id', [first, second]).orderBy('id');
    assert.deepEqual(
      kept.map((row: Record<string, unknown>) => [
        row.author_name,
        row.author_email,
        row.author_url,
        row.ip,
        row.user_agent,
        row.notify_on_reply,
      ]),
      [
        ['Anonymous', '', '', null, '', false],
        ['Anonymous', '', '', null, '', false],
      ],
    );
    assert.equal(kept[0].body, TEXT);
    assert.equal(kept[1].body, 'Second thought: write to me at [removed].');
    const article = parsePage((await harness.browser().get(DEMO_PATH).expect(200)).text);
    assert.ok(squash(article(`#comment-${first}`).text()).includes('Anonymous'));
    assert.ok(squash(article(`#comment-${first}`).text()).includes(TEXT));

    const log = await database.db('moderation_log').where({ action: 'erase' }).orderBy('comment_id');
    assert.deepEqual(
      log.map((row: Record<string, unknown>) => [String(row.comment_id), row.actor_name, row.to_status]),
      [
        [first, 'root', 'approved'],
        [second, 'root', 'approved'],
      ],
    );
    const request = await database.db('privacy_requests').where({ kind: 'erase' }).first();
    assert.equal(request.email, null);
    assert.equal(request.mode, 'anonymize');
    assert.equal(request.completed_by, admin.user.id);
  });

  it('keeps blocking the erased commenter by the keyed hash of the address and of the IP', async () => {
    await buildHistory();
    await eraseThroughTheSite('anonymize');
    const blocks = await database.db('commenter_blocks').orderBy('kind');
    assert.deepEqual(
      blocks.map((row: Record<string, unknown>) => [row.kind, row.hashed, /^[0-9a-f]{64}$/.test(String(row.value))]),
      [
        ['email', true, true],
        ['ip', true, true],
      ],
    );
    assert.equal(blocks[0].note, 'spams as [removed]');
    const listed = parsePage((await admin.agent.get('/admin/blocks').expect(200)).text);
    assert.match(squash(listed('.blocks-table').text()), /an erased commenter/);

    const again = harness.browser();
    await post(again, { author: 'A. L.', email: ADA.email.toUpperCase(), url: '', comment: 'Back again.' }, '192.0.2.200');
    await post(harness.browser(), { author: 'Someone', email: 'someone@example.com', url: '', comment: 'Same network.' }, ADA.ip);
    const comeback = await database.db('comments').whereIn('body', ['Back again.', 'Same network.']).orderBy('id');
    assert.deepEqual(
      comeback.map((row: { status: string }) => row.status),
      ['spam', 'spam'],
    );
    assert.ok(JSON.stringify(comeback[0].status_reasons).includes('blocked email an erased commenter'));
  });

  it('deletes the comments in delete mode and says so in the moderation log', async () => {
    const { first, second } = await buildHistory();
    const page = await eraseThroughTheSite('delete');
    assert.match(squash(page('.privacy-report').text()), /2 comments deleted/);
    assert.equal((await database.db('comments').whereIn('id', [first, second])).length, 0);
    assert.deepEqual(await columnsHolding(database.db, TEXT), [], 'the words are gone too');
    for (const needle of [ADA.email, WEBSITE_HOST, ADA.ip]) assert.deepEqual(await columnsHolding(database.db, needle), [], needle);
    const reply = await database.db('comments').where({ body: 'A reply to Ada.' }).first();
    assert.equal(reply.parent_id, null, 'a reply of someone else stays, no longer under a comment');
    const log = parsePage((await admin.agent.get('/admin/log').expect(200)).text);
    assert.match(squash(log('main').text()), /author erased, comment deleted \(was approved\)/);
  });

  it('asks for a mode once confirmed, and changes nothing without one', async () => {
    await buildHistory();
    await admin.post('/admin/privacy/erase', { email: ADA.email }).expect(303);
    const request = await database.db('privacy_requests').first();
    await admin.post(`/admin/privacy/requests/${request.id}/confirm`, { reason: 'the address bounces' }).expect(303);
    const refused = parsePage((await admin.post('/admin/privacy/erase', { email: ADA.email }).expect(422)).text);
    assert.match(squash(refused('#mode-error').text()), /Choose whether/);
    assert.equal(refused('#privacy-email').val(), ADA.email);
    assert.equal((await commentIdsOf(ADA.email)).length, 2);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { BackupError, backupDatabase, restoreDatabase } from '../../tools/backups/backups.js';
import { findClientTool } from '../../tools/backups/client-tools.js';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { blockCommenter } from '../../src/moderation/block-queries.js';
import { updateOwnComment, type CommentRow, type CommentStatus, type NewComment } from '../../src/comments/comment-queries.js';
import { countByStatus, listQueuePage } from '../../src/moderation/queue-queries.js';
import { insertSiteReply, moderateComments, type Actor } from '../../src/moderation/moderation-queries.js';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { planStatusChange } from '../../src/moderation/moderation.js';
import { containsPattern, DEFAULT_FILTERS } from '../../src/moderation/queue-address.js';
import { useTestDatabase } from '../helpers/database.js';
import { projectProgram } from '../helpers/project-program.js';
import { articleIdOf, insertArticle } from '../helpers/rows.js';

async function insertComment(db: Database, comment: NewComment): Promise<string> {
  const [row] = await db('comments').insert(comment).returning<Array<{ id: string }>>('id');
  return String(row!.id);
}

const testDb = useTestDatabase();
const run = promisify(execFile);
const sourceUrl = () => process.env.DATABASE_URL!;
const quiet = () => {};

let workspace: string;
const freshDatabases: string[] = [];
let admin: pg.Client;

/** The test server's URL for another database on it. */
function urlOf(database: string): string {
  const url = new URL(sourceUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty database on the test server, dropped when the file ends. */
async function freshDatabase(): Promise<string> {
  const name = `broadsheet_restore_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  freshDatabases.push(name);
  return urlOf(name);
}

/**
 * Works on a database through the app's own connection settings, closed
 * again at once: an open pool counts as a running app, which a restore
 * refuses to work under.
 */
async function using<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = connectDatabase(url, 2);
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

before(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'broadsheet-backup-test-'));
  admin = new pg.Client({ connectionString: sourceUrl() });
  await admin.connect();
});

after(async () => {
  for (const name of freshDatabases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.end();
  await rm(workspace, { recursive: true, force: true });
});

function comment(articleId: string, status: CommentStatus, n: number, fields: Partial<NewComment> = {}): NewComment {
  return {
    article_id: articleId,
    parent_id: null,
    status,
    author_name: `Reader ${n}`,
    author_email: `reader${n}@example.org`,
    author_url: '',
    body: `Comment ${n}, ${status}.`,
    ip: '192.0.2.10',
    user_agent: 'Tests/1.0',
    submission_id: null,
    ...fields,
  };
}

/**
 * Everything a site accumulates, made through the queries the app uses:
 * articles, comments of every status (with awkward text), replies, admin
 * replies, moderation moves, edits, a block, settings.
 */
async function fillSite(db: Database): Promise<void> {
  const demo = await articleIdOf(db);
  const draft = await insertArticle(db, { slug: 'a-draft', title: 'A draft', status: 'draft', published_at: null });
  const moderator = await createAdmin(db, 'moderator', 'correct horse battery staple');
  await createAdmin(db, 'second.admin', 'another long enough password');
  const actor: Actor = { id: moderator.id, name: moderator.username };
  const awkward = [
    'Tabs\tand\nnew lines\r\nand a backslash \\ and \\N and "quotes" and \'apostrophes\'.',
    'Emoji 🦆🇨🇳 and right-to-left \u202Eevil\u202C and Ünïcödé',
    'x'.repeat(65_525),
    'COPY-looking line\n\\.\nafter it',
  ];
  const ids: string[] = [];
  let n = 0;
  for (const status of ['pending', 'approved', 'spam', 'trash'] as const) {
    for (const body of awkward) {
      n += 1;
      ids.push(
        await insertComment(
          db,
          comment(n % 2 ? demo : draft, status, n, { body, ip: n % 3 ? `2001:db8::${n}` : null, submission_id: randomUUID() }),
        ),
      );
    }
  }
  const parent = ids[4]!;
  await insertComment(
    db,
    comment(demo, 'approved', 100, {
      parent_id: parent,
      status_reasons: JSON.stringify([{ code: 'links', text: 'held: 3 links' }]),
      notify_on_reply: true,
    }),
  );
  const reply = await insertSiteReply(
    db,
    ids[0]!,
    actor,
    new Date('2026-11-01T10:00:00.123Z'),
    { authorName: 'The site', authorEmail: 'site@example.org', body: 'Thanks!' },
    (status) => planStatusChange(status, 'approved'),
  );
  assert.equal(reply.kind, 'stored');
  await moderateComments(db, [ids[1]!, ids[2]!], actor, new Date('2026-11-02T08:30:00.654321Z'), (locked) =>
    planStatusChange(locked.status, 'spam'),
  );
  const [own] = await db<CommentRow>('comments').where({ id: ids[3]! });
  await updateOwnComment(db, own!, { body: 'Edited by its author.' }, 'edit');
  await blockCommenter(db, { kind: 'email', value: 'reader2@example.org', note: 'test', expires_at: null }, actor, new Date(), {
    code: 'blocked',
    text: 'blocked',
  });
  await saveDiscussionSettings(db, { ...DEFAULT_DISCUSSION_SETTINGS, holdEveryComment: true, moderationWords: ['casino'] }, moderator.id);
}

/** Every row as PostgreSQL prints it, to the microsecond and byte, and as the app reads it. */
const rowsOf = (db: Database, table: string) =>
  db(table)
    .select('*', db.raw(`to_jsonb(${table})::text AS exact`))
    .orderBy('id');

const everything = async (db: Database) => ({
  articles: await rowsOf(db, 'articles'),
  comments: await rowsOf(db, 'comments'),
  users: await rowsOf(db, 'users'),
  log: await rowsOf(db, 'moderation_log'),
  counts: await db('comment_counts').select('*').orderBy(['article_id', 'status']),
  blocks: await db('commenter_blocks').select('*').orderBy('id'),
  settings: await db('settings').select('*').orderBy('key'),
  migrations: (await db('knex_migrations').select('name').orderBy('id')).map((row) => row.name),
});

/** npm test needs nothing but Node; without PostgreSQL's client tools these tests say so and skip. */
const clientTools = await run('pg_dump', ['--version']).then(
  () => true,
  () => false,
);
const needsClientTools = clientTools ? {} : { skip: 'pg_dump is not installed (Debian or Ubuntu: apt-get install postgresql-client-15)' };

describe('backup and restore', needsClientTools, () => {
  it('restores into a fresh database every comment, user and log entry, field for field', async () => {
    await fillSite(testDb.db);
    const source = await everything(testDb.db);
    assert.deepEqual([...new Set(source.comments.map((row) => row.status))].sort(), ['approved', 'pending', 'spam', 'trash']);
    await testDb.db('session').insert({ sid: 'signed-in', sess: JSON.stringify({ cookie: {} }), expire: new Date(Date.now() + 3600_000) });

    const lines: string[] = [];
    const backup = await backupDatabase(
      sourceUrl(),
      path.join(workspace, 'backups'),
      (line) => lines.push(line),
      new Date('2026-11-29T10:15:00.500Z'),
    );
    const database = new URL(sourceUrl()).pathname.slice(1);
    assert.equal(path.basename(backup.file), `${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-20261129T101500Z.dump`);
    assert.equal((await stat(backup.file)).mode & 0o777, 0o600, 'a backup is readable by its owner only');
    assert.equal((await stat(backup.file)).size, backup.bytes);
    assert.deepEqual(await readdir(path.dirname(backup.file)), [path.basename(backup.file)], 'no partial file left');
    assert.ok(
      lines.some((line) => line.includes('public.comments')),
      lines.join('\n'),
    );

    const fresh = await freshDatabase();
    const restored = await restoreDatabase(fresh, backup.file, quiet);
    assert.equal(restored.previous, null, 'nothing to keep from an empty database');
    assert.equal(restored.counts.comments, source.comments.length);
    await using(fresh, async (copy) => {
      assert.deepEqual(await everything(copy), source);
      assert.equal((await copy('session').count<{ count: string }>({ count: '*' }).first())!.count, '0', 'sessions are not restored');

      // The restored database works as the app uses it: queue, counts, search index, sequences.
      const all = { ...DEFAULT_FILTERS, view: 'all' as const };
      assert.deepEqual(await listQueuePage(copy, all, null, null, 50), await listQueuePage(testDb.db, all, null, null, 50));
      assert.deepEqual(await countByStatus(copy, null), await countByStatus(testDb.db, null));
      const emoji = await listQueuePage(copy, { ...all, q: '🦆' }, null, containsPattern('🦆'), 50);
      assert.equal(emoji.rows.length, 4);
      const next = await insertComment(copy, comment(String(source.articles[0].id), 'pending', 999));
      assert.ok(Number(next) > Math.max(...source.comments.map((row) => Number(row.id))), 'ids continue after the restored ones');
    });
  });

  it('restores over an older state of the same site, and keeps a backup of what it replaced', async () => {
    await fillSite(testDb.db);
    const backup = await backupDatabase(sourceUrl(), path.join(workspace, 'over'), quiet);
    const fresh = await freshDatabase();
    await restoreDatabase(fresh, backup.file, quiet);
    await using(fresh, async (copy) => {
      await copy('comments').delete();
      await copy('users').where({ username: 'moderator' }).update({ display_name: 'Changed' });
    });
    const restored = await restoreDatabase(fresh, backup.file, quiet, { backUpPreviousInto: path.join(workspace, 'previous') });
    assert.ok(restored.previous, 'what it replaced was backed up first');
    const source = await everything(testDb.db);
    await using(fresh, async (copy) => assert.deepEqual(await everything(copy), source));
    // …and that backup holds the state it replaced.
    const undone = await freshDatabase();
    await restoreDatabase(undone, restored.previous.file, quiet);
    await using(undone, async (copy) => {
      assert.equal((await everything(copy)).comments.length, 0);
      assert.equal((await copy('users').where({ username: 'moderator' }).first()).display_name, 'Changed');
    });
  });

  it('refuses, changing nothing: a file that is not a backup, a running app, a newer schema on either side', async () => {
    await fillSite(testDb.db);
    const backup = await backupDatabase(sourceUrl(), path.join(workspace, 'refusals'), quiet);
    const fresh = await freshDatabase();
    await restoreDatabase(fresh, backup.file, quiet);
    const refuses = async (file: string, message: RegExp) => {
      const before = await using(fresh, everything);
      await assert.rejects(restoreDatabase(fresh, file, quiet, { backUpPreviousInto: path.join(workspace, 'unused') }), (error: Error) => {
        assert.ok(error instanceof BackupError, error.message);
        assert.match(error.message, message);
        return true;
      });
      assert.deepEqual(await using(fresh, everything), before);
    };

    const notABackup = path.join(workspace, 'notes.txt');
    await writeFile(notABackup, 'just some text\n');
    await refuses(notABackup, /is not a backup pg_restore .* can read/);

    const app = new pg.Client({ connectionString: fresh, application_name: 'broadsheet' });
    await app.connect();
    try {
      await refuses(backup.file, /^Broadsheet is connected to this database \(1 session\(s\)\): stop every instance/);
    } finally {
      await app.end();
    }

    // The database has moved on since the backup: a newer migration ran.
    await using(fresh, (db) => db('knex_migrations').insert({ name: '29990101_99_from_the_future', batch: 2, migration_time: new Date() }));
    await refuses(backup.file, /^This database has migrations the backup predates \(29990101_99_from_the_future\)/);
    // A backup of that database comes from a Broadsheet newer than this one.
    const newer = await backupDatabase(fresh, path.join(workspace, 'newer'), quiet);
    const other = await freshDatabase();
    await assert.rejects(
      restoreDatabase(other, newer.file, quiet),
      /made by a newer Broadsheet \(its schema has 29990101_99_from_the_future\)/,
    );
    const tables = await using(other, (db) => db.raw(`SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'`));
    assert.equal(tables.rows[0].tables, 0);
    assert.equal((await readdir(workspace)).includes('unused'), false, 'no backup of what a refused restore would replace');
  });

  it('says which client package to install when pg_dump is older than the server', async () => {
    await assert.rejects(findClientTool('pg_dump', 99, 'to back up this PostgreSQL 99 server'), (error: Error) => {
      assert.ok(error instanceof BackupError);
      assert.match(
        error.message,
        /^pg_dump \d+(\.\d+)? is too old to back up this PostgreSQL 99 server \(it needs version 99 or newer\)\. Install the PostgreSQL 99 client tools \(Debian or Ubuntu: apt-get install postgresql-client-99/,
      );
      return true;
    });
  });
});

describe('the restore command', () => {
  it('without a file prints its usage and touches nothing', async () => {
    const restore = run(process.execPath, projectProgram('tools/restore.ts'), {
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    await assert.rejects(restore, (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(String(error.stderr), /^Usage: npm run restore -- <backup file>/);
      return true;
    });
  });
});

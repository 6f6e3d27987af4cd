import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import type { Role } from '../../src/admin-auth/user-queries.js';
import type { Database } from '../../src/platform/db/connection.js';
import { signInAdmin, type AdminClient } from '../helpers/admin.js';
import { buildTestApp } from '../helpers/app.js';
import { insertArticle } from '../helpers/articles.js';
import { useTestDatabase } from '../helpers/database.js';
import { insertComment } from '../helpers/rows.js';
import { parsePage, squash } from '../helpers/html.js';

/**
 * Every admin route × every role: allowed (anything but 403) or refused with
 * the 403 page that names the role needed, and then nothing changed.
 */

const testDb = useTestDatabase();
const ROLES: Role[] = ['administrator', 'editor', 'author', 'moderator'];
const ALL = ROLES;
const STAFF: Role[] = ['administrator', 'editor'];
const WRITERS: Role[] = ['administrator', 'editor', 'author'];
const COMMENTS: Role[] = ['administrator', 'editor', 'author', 'moderator'];
const NOT_AUTHOR: Role[] = ['administrator', 'editor', 'moderator'];

/** The rows a route acts on: one article (and comment) of another account, one of the signed-in author's. */
interface Fixture {
  other: { article: string; comment: string; revision: string };
  own: { article: string; comment: string };
  selfId: string;
  otherId: string;
}

interface Cell {
  name: string;
  allowed: Role[];
  send: (client: AdminClient, fx: Fixture) => Promise<{ status: number; text: string }>;
}

const get = (path: (fx: Fixture) => string) => (client: AdminClient, fx: Fixture) => client.agent.get(path(fx));
const post =
  (path: (fx: Fixture) => string, body: (fx: Fixture) => Record<string, string> = () => ({})) =>
  (client: AdminClient, fx: Fixture) =>
    client.post(path(fx), body(fx));
const json = (path: (fx: Fixture) => string) => (client: AdminClient, fx: Fixture) =>
  client.agent.post(path(fx)).set('X-CSRF-Token', client.csrf).send({ body: 'Text', format: 'markdown' });

const editorFields = (authorId: string) => ({ title: 'A title', body: 'Some text.', author_name: 'Someone', author_id: authorId });

const CELLS: Cell[] = [
  { name: 'GET /admin/articles', allowed: WRITERS, send: get(() => '/admin/articles') },
  { name: 'GET /admin/articles/new', allowed: WRITERS, send: get(() => '/admin/articles/new') },
  {
    name: 'POST /admin/articles (own)',
    allowed: WRITERS,
    send: post(
      () => '/admin/articles',
      (fx) => editorFields(fx.selfId),
    ),
  },
  {
    name: 'POST /admin/articles (another author)',
    allowed: STAFF,
    send: post(
      () => '/admin/articles',
      (fx) => editorFields(fx.otherId),
    ),
  },
  { name: 'POST /admin/articles/preview-body', allowed: WRITERS, send: json(() => '/admin/articles/preview-body') },
  { name: 'GET edit (another’s article)', allowed: STAFF, send: get((fx) => `/admin/articles/${fx.other.article}/edit`) },
  { name: 'GET edit (own article)', allowed: WRITERS, send: get((fx) => `/admin/articles/${fx.own.article}/edit`) },
  { name: 'GET preview (another’s)', allowed: STAFF, send: get((fx) => `/admin/articles/${fx.other.article}/preview`) },
  {
    name: 'POST save (another’s)',
    allowed: STAFF,
    send: post(
      (fx) => `/admin/articles/${fx.other.article}`,
      (fx) => editorFields(fx.otherId),
    ),
  },
  { name: 'POST autosave (another’s)', allowed: STAFF, send: json((fx) => `/admin/articles/${fx.other.article}/autosave`) },
  {
    name: 'GET revision (another’s)',
    allowed: STAFF,
    send: get((fx) => `/admin/articles/${fx.other.article}/revisions/${fx.other.revision}`),
  },
  {
    name: 'POST restore revision (another’s)',
    allowed: STAFF,
    send: post((fx) => `/admin/articles/${fx.other.article}/revisions/${fx.other.revision}/restore`),
  },
  {
    name: 'POST status (another’s)',
    allowed: STAFF,
    send: post(
      (fx) => `/admin/articles/${fx.other.article}/status`,
      () => ({ action: 'trash' }),
    ),
  },
  {
    name: 'POST status (own)',
    allowed: WRITERS,
    send: post(
      (fx) => `/admin/articles/${fx.own.article}/status`,
      () => ({ action: 'trash' }),
    ),
  },
  { name: 'GET delete (another’s)', allowed: STAFF, send: get((fx) => `/admin/articles/${fx.other.article}/delete`) },
  { name: 'POST delete (another’s)', allowed: STAFF, send: post((fx) => `/admin/articles/${fx.other.article}/delete`) },
  {
    name: 'POST /admin/media',
    allowed: WRITERS,
    send: (client) => client.agent.post('/admin/media').field('_csrf', client.csrf).field('alt', ''),
  },
  { name: 'GET /admin/comments', allowed: COMMENTS, send: get(() => '/admin/comments') },
  { name: 'GET comment (another’s article)', allowed: NOT_AUTHOR, send: get((fx) => `/admin/comments/${fx.other.comment}`) },
  { name: 'GET comment (own article)', allowed: COMMENTS, send: get((fx) => `/admin/comments/${fx.own.comment}`) },
  {
    name: 'POST comment status (another’s)',
    allowed: NOT_AUTHOR,
    send: post(
      (fx) => `/admin/comments/${fx.other.comment}/status`,
      () => ({ status: 'spam' }),
    ),
  },
  {
    name: 'POST comment status (own)',
    allowed: COMMENTS,
    send: post(
      (fx) => `/admin/comments/${fx.own.comment}/status`,
      () => ({ status: 'spam' }),
    ),
  },
  { name: 'POST comment restore (another’s)', allowed: NOT_AUTHOR, send: post((fx) => `/admin/comments/${fx.other.comment}/restore`) },
  { name: 'POST comment delete (another’s)', allowed: NOT_AUTHOR, send: post((fx) => `/admin/comments/${fx.other.comment}/delete`) },
  {
    name: 'POST comment reply (another’s)',
    allowed: NOT_AUTHOR,
    send: post(
      (fx) => `/admin/comments/${fx.other.comment}/reply`,
      () => ({ comment: 'Thanks.' }),
    ),
  },
  { name: 'GET comment edit (another’s)', allowed: NOT_AUTHOR, send: get((fx) => `/admin/comments/${fx.other.comment}/edit`) },
  {
    name: 'POST comment edit (another’s)',
    allowed: NOT_AUTHOR,
    send: post(
      (fx) => `/admin/comments/${fx.other.comment}/edit`,
      () => ({ comment: 'Changed.' }),
    ),
  },
  {
    name: 'POST bulk (another’s)',
    allowed: NOT_AUTHOR,
    send: post(
      () => '/admin/comments/bulk',
      (fx) => ({ action: 'spam', ids: fx.other.comment }),
    ),
  },
  {
    name: 'POST bulk (own)',
    allowed: COMMENTS,
    send: post(
      () => '/admin/comments/bulk',
      (fx) => ({ action: 'spam', ids: fx.own.comment }),
    ),
  },
  {
    name: 'POST /admin/comments/empty',
    allowed: COMMENTS,
    send: post(
      () => '/admin/comments/empty',
      () => ({ status: 'trash', count: '0' }),
    ),
  },
  {
    name: 'POST /admin/comments/preferences',
    allowed: COMMENTS,
    send: post(
      () => '/admin/comments/preferences',
      () => ({ per_page: '20' }),
    ),
  },
  {
    name: 'POST /admin/comments/undo',
    allowed: COMMENTS,
    send: post(
      () => '/admin/comments/undo',
      () => ({ token: 'none' }),
    ),
  },
  { name: 'POST comment block', allowed: NOT_AUTHOR, send: post((fx) => `/admin/comments/${fx.own.comment}/block`) },
  { name: 'GET /admin/log', allowed: COMMENTS, send: get(() => '/admin/log') },
  { name: 'GET /admin/blocks', allowed: NOT_AUTHOR, send: get(() => '/admin/blocks') },
  { name: 'POST block delete', allowed: NOT_AUTHOR, send: post(() => '/admin/blocks/999/delete') },
  { name: 'GET /admin/settings/discussion', allowed: ['administrator'], send: get(() => '/admin/settings/discussion') },
  { name: 'POST /admin/settings/discussion', allowed: ['administrator'], send: post(() => '/admin/settings/discussion') },
  { name: 'GET /admin/people', allowed: ['administrator'], send: get(() => '/admin/people') },
  {
    name: 'POST /admin/people/invite',
    allowed: ['administrator'],
    send: post(
      () => '/admin/people/invite',
      () => ({ email: 'new@example.net', role: 'administrator' }),
    ),
  },
  {
    name: 'POST /admin/people/:id',
    allowed: ['administrator'],
    send: post(
      (fx) => `/admin/people/${fx.selfId}`,
      () => ({ role: 'administrator', status: 'active' }),
    ),
  },
  { name: 'GET /admin/privacy/export', allowed: ['administrator'], send: get(() => '/admin/privacy/export') },
  {
    name: 'POST /admin/privacy/export',
    allowed: ['administrator'],
    send: post(
      () => '/admin/privacy/export',
      () => ({ email: 'reader@example.net' }),
    ),
  },
  { name: 'GET /admin/privacy/erase', allowed: ['administrator'], send: get(() => '/admin/privacy/erase') },
  {
    name: 'POST /admin/privacy/erase',
    allowed: ['administrator'],
    send: post(
      () => '/admin/privacy/erase',
      () => ({ email: 'reader@example.net', mode: 'anonymize' }),
    ),
  },
  { name: 'GET /admin/import', allowed: ['administrator'], send: get(() => '/admin/import') },
  { name: 'GET /admin/export', allowed: ['administrator'], send: get(() => '/admin/export') },
  { name: 'GET /admin/export/download', allowed: ['administrator'], send: get(() => '/admin/export/download') },
  { name: 'GET /admin/account', allowed: ALL, send: get(() => '/admin/account') },
];

/** Everything a refused request could have touched, as one text per table (sessions and throttle counts aside). */
async function snapshot(db: Database): Promise<string> {
  const tables = (await db('pg_tables')
    .where({ schemaname: 'public' })
    .whereNotIn('tablename', ['knex_migrations', 'knex_migrations_lock', 'session', 'rate_limits'])
    .pluck('tablename')) as string[];
  // One statement for every table: the matrix takes a snapshot around each refusal.
  const digests = tables
    .sort()
    .map(
      (table, position) =>
        `SELECT ${position} AS position, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
    );
  const { rows } = await db.raw<{ rows: Array<{ position: number; digest: string }> }>(
    `SELECT position, digest FROM (${digests.join('\nUNION ALL\n')}) AS tables ORDER BY position`,
  );
  return rows.map((row) => `${tables[row.position]}:${row.digest}`).join('\n');
}

async function fixtureFor(db: Database, selfId: string, otherId: string): Promise<Fixture> {
  const other = await insertArticle(db, { author_id: otherId, status: 'draft' });
  const own = await insertArticle(db, { author_id: selfId, status: 'draft' });
  const [revision] = await db('article_revisions')
    .insert({
      article_id: other.id,
      title: other.title,
      body: other.body,
      body_format: 'markdown',
      saved_by: otherId,
      saved_by_name: 'Other',
    })
    .returning<Array<{ id: string }>>('id');
  return {
    other: { article: String(other.id), comment: await insertComment(db, { article_id: other.id }), revision: String(revision!.id) },
    own: { article: String(own.id), comment: await insertComment(db, { article_id: own.id }) },
    selfId,
    otherId,
  };
}

let app: Express;
const clients = new Map<Role, AdminClient>();
let otherId: string;

beforeEach(async () => {
  app = buildTestApp(testDb.db);
  clients.clear();
  for (const role of ROLES) {
    const client = await signInAdmin(app, testDb.db, role);
    await testDb.db('users').where({ id: client.user.id }).update({ role });
    clients.set(role, client);
  }
  otherId = clients.get('administrator')!.user.id;
});

describe('the role matrix', () => {
  for (const role of ROLES) {
    it(`${role}: every admin route is allowed or refused as the contract's table says`, async () => {
      const client = clients.get(role)!;
      for (const cell of CELLS) {
        const fx = await fixtureFor(testDb.db, client.user.id, otherId);
        const refused = !cell.allowed.includes(role);
        // Only a refusal is checked for changes, so only then is there a "before" to take.
        const before = refused ? await snapshot(testDb.db) : '';
        const response = await cell.send(client, fx);
        if (!refused) {
          assert.notEqual(response.status, 403, `${role} may use ${cell.name}: ${response.text.slice(0, 300)}`);
          assert.ok(response.status < 500, `${role} ${cell.name} answered ${response.status}`);
        } else {
          assert.equal(response.status, 403, `${role} may not use ${cell.name}`);
          assert.match(
            response.text,
            /This needs|Authors may only work on their own articles/,
            `${cell.name}: the page names the role needed`,
          );
          assert.equal(await snapshot(testDb.db), before, `${role} ${cell.name}: a refusal changes nothing`);
        }
      }
    });
  }

  it('the navigation shows each role only what it may use', async () => {
    const links = async (role: Role) => {
      const text = (await clients.get(role)!.agent.get('/admin/account').expect(200)).text;
      return [...text.matchAll(/<nav class="admin-nav"[\s\S]*?<\/nav>/g)][0]![0].match(/href="[^"]+"/g);
    };
    assert.deepEqual(await links('moderator'), [
      'href="/admin/comments"',
      'href="/admin/log"',
      'href="/admin/blocks"',
      'href="/admin/account"',
    ]);
    assert.deepEqual(await links('author'), [
      'href="/admin/articles"',
      'href="/admin/comments"',
      'href="/admin/log"',
      'href="/admin/account"',
    ]);
    assert.equal((await links('administrator'))!.length, 10);
  });
});

describe('an author’s lists hold only their own articles', () => {
  it('the article list, the comment queue (with its counts) and the moderation log', async () => {
    const author = clients.get('author')!;
    const fx = await fixtureFor(testDb.db, author.user.id, otherId);
    const ownTitle = (await testDb.db('articles').where({ id: fx.own.article }).first()).title as string;
    const otherTitle = (await testDb.db('articles').where({ id: fx.other.article }).first()).title as string;
    const list = (await author.agent.get('/admin/articles').expect(200)).text;
    assert.ok(list.includes(ownTitle) && !list.includes(otherTitle), 'the article list');

    const queue = (await author.agent.get('/admin/comments?status=approved').expect(200)).text;
    assert.ok(queue.includes(`id="comment-${fx.own.comment}"`), 'their article’s comment');
    assert.ok(!queue.includes(`id="comment-${fx.other.comment}"`), 'not another’s');
    const editorQueue = (await clients.get('editor')!.agent.get('/admin/comments?status=approved').expect(200)).text;
    assert.ok(editorQueue.includes(`id="comment-${fx.other.comment}"`), 'an editor sees every comment');

    await clients.get('editor')!.post(`/admin/comments/${fx.other.comment}/status`, { status: 'spam' }).expect(303);
    await author.post(`/admin/comments/${fx.own.comment}/status`, { status: 'spam' }).expect(303);
    const log = (await author.agent.get('/admin/log').expect(200)).text;
    assert.ok(log.includes(`#${fx.own.comment} by`) && !log.includes(`#${fx.other.comment} by`), 'the moderation log');
  });

  it('the pending badge, the queue’s article filter and the editor’s author accounts', async () => {
    const author = clients.get('author')!;
    const fx = await fixtureFor(testDb.db, author.user.id, otherId);
    await insertComment(testDb.db, { article_id: fx.other.article, status: 'pending' });
    await insertComment(testDb.db, { article_id: fx.other.article, status: 'pending' });
    await insertComment(testDb.db, { article_id: fx.own.article, status: 'pending' });
    const badge = async (role: Role) =>
      squash(parsePage((await clients.get(role)!.agent.get('/admin/account').expect(200)).text)('.admin-nav .badge').text());
    assert.equal(await badge('author'), '1 pending', 'only the comments on their own articles');
    assert.equal(await badge('editor'), '3 pending');

    const [own, other] = await Promise.all(
      [fx.own.article, fx.other.article].map(async (id) => (await testDb.db('articles').where({ id }).first()) as { slug: string }),
    );
    const queue = parsePage((await author.agent.get('/admin/comments').expect(200)).text);
    const choices = queue('select[name="article"] option')
      .map((_i, option) => queue(option).attr('value'))
      .get();
    assert.ok(choices.includes(own!.slug) && !choices.includes(other!.slug), `article filter offers ${choices.join(', ')}`);

    const editor = parsePage((await author.agent.get('/admin/articles/new').expect(200)).text);
    const accounts = editor('select[name="author_id"] option')
      .map((_i, option) => editor(option).attr('value'))
      .get()
      .filter(Boolean);
    assert.deepEqual(accounts, [author.user.id], 'an author may credit only themselves');
  });
});

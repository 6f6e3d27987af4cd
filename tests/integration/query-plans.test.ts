import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { findArticleById, listPublishedArticles } from '../../src/articles/article-queries.js';
import { readPostingChecks, storePostedComment } from '../../src/comments/posting-queries.js';
import { listCommentEmails } from '../../src/mail/comment-email-queries.js';
import { findComment, findCommentBySubmissionId, listVisibleComments } from '../../src/comments/comment-queries.js';
import { countByStatus, countPendingComments, listQueuePage } from '../../src/moderation/queue-queries.js';
import { listRecentLog } from '../../src/moderation/log-queries.js';
import { findCommenter, findEditableComment } from '../../src/moderation/comment-lookup-queries.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { containsPattern, DEFAULT_FILTERS, PAGE_SIZE, QUEUE_VIEWS, type QueueFilters } from '../../src/moderation/queue-address.js';
import { DEMO_SLUG, resetDatabase } from '../helpers/database.js';

/**
 * Every hot query, EXPLAINed over enough comments that the planner's choice
 * means something: a sequential scan of `comments` here is one over a million
 * rows in production. The SQL is what the query functions really send,
 * recorded on the way to PostgreSQL while they run; none is copied here.
 * The planner is left alone (no enable_seqscan = off): it must prefer the
 * indexes on its own, with fresh statistics.
 */

const COMMENTS = 30_000;
const ARTICLES = 40;

let db: Database;
let explainer: pg.Client;
let articleId: string;
let articleSlug: string;
let sample: { id: string; article_id: string; author_name: string; author_email: string; body: string; ip: string };

interface Statement {
  sql: string;
  bindings: unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

let recording: Statement[] | null = null;
const watched = new WeakSet<object>();

interface Connection {
  query(config: unknown, ...rest: unknown[]): unknown;
}

/**
 * Records the SQL where it leaves for PostgreSQL: on each connection knex's
 * pool hands out. knex's 'query' event would miss the flood check, whose
 * rate-limiter-flexible store borrows raw connections from that pool; both
 * send `{ text, values }`, so this sees every statement exactly as sent.
 */
function watchConnections(database: Database): void {
  const client = database.client as { acquireConnection(): Promise<Connection> };
  const acquire = client.acquireConnection.bind(client);
  client.acquireConnection = async () => {
    const connection = await acquire();
    if (!watched.has(connection)) {
      watched.add(connection);
      const send = connection.query.bind(connection);
      connection.query = (config, ...rest) => {
        if (recording && config && typeof config === 'object' && 'text' in config) {
          const { text, values } = config as { text: string; values?: unknown[] };
          recording.push({ sql: text, bindings: values ?? [] });
        }
        return send(config, ...rest);
      };
    }
    return connection;
  };
}

/** Runs `work` and returns every statement it sent (transaction control left out). */
async function statementsOf(work: () => Promise<unknown>): Promise<Statement[]> {
  const seen: Statement[] = [];
  recording = seen;
  try {
    await work();
  } finally {
    recording = null;
  }
  return seen.filter((statement) => !/^\s*(begin|commit|rollback|savepoint|release|set)\b/i.test(statement.sql));
}

/** EXPLAIN without ANALYZE: plans a write without making it. */
async function planOf(statement: Statement): Promise<PlanNode> {
  const result = await explainer.query(`EXPLAIN (FORMAT JSON) ${statement.sql}`, statement.bindings);
  return (result.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

async function readablePlan(statement: Statement): Promise<string> {
  const result = await explainer.query(`EXPLAIN ${statement.sql}`, statement.bindings);
  return result.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
}

/**
 * Fails on any sequential scan of `comments` in what `work` sends, and
 * returns the plans. `touchesComments` guards against a vacuous pass: the
 * work must really have queried the table.
 */
async function assertIndexedReads(name: string, work: () => Promise<unknown>, touchesComments = true) {
  const statements = await statementsOf(work);
  assert.ok(statements.length > 0, `${name} sent no query`);
  const plans = [];
  for (const statement of statements) {
    const nodes = nodesOf(await planOf(statement));
    const scans = nodes.filter((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'comments');
    if (scans.length > 0) {
      assert.fail(`${name} reads the whole comments table:\n${statement.sql}\n${await readablePlan(statement)}`);
    }
    plans.push({ statement, nodes });
  }
  const reads = plans.some(({ nodes }) => nodes.some((node) => node['Relation Name'] === 'comments'));
  assert.equal(reads, touchesComments, `${name} ${touchesComments ? 'never read' : 'read'} the comments table`);
  return plans;
}

/** Articles and comments shaped like the load data: 20 % pending, 70 % approved, 7 % spam, 3 % trash, over a year. */
async function seed(): Promise<void> {
  const admin = await createAdmin(db, 'planner', 'correct horse battery staple');
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    // As the load seeder does: the per-row triggers would make this ten times
    // slower; the counts they keep are rebuilt once below, in the same
    // transaction, so no other session ever sees the triggers off.
    await trx.raw('ALTER TABLE comments DISABLE TRIGGER USER');
    await trx.raw(
      `INSERT INTO articles (slug, title, author_name, body, status, published_at)
       SELECT 'plan-article-' || n, 'Plan article ' || n, 'Plan Author', 'Some text for article ' || n || '.', 'published', now() - n * interval '1 day'
         FROM generate_series(1, ?) AS n`,
      [ARTICLES - 1],
    );
    await trx.raw(
      `INSERT INTO comments (article_id, status, author_name, author_email, author_url, body, ip, user_agent, created_at, approved_at,
                             status_reasons, moderated_by, moderated_at)
       SELECT a.ids[1 + n % array_length(a.ids, 1)], s.status,
              'Reader ' || (n % 997), 'reader' || (n % 997) || '@example.org',
              CASE WHEN n % 4 = 0 THEN 'https://reader' || n || '.example.net/' ELSE '' END,
              'Comment number ' || n || ' on the meeting, with an opinion about the sanctions.',
              ('10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256)::inet,
              'Mozilla/5.0 (plans)', c.created,
              CASE WHEN s.status = 'approved' THEN c.created END,
              '[]'::jsonb,
              CASE WHEN n % 3 = 0 THEN ?::bigint END,
              CASE WHEN n % 3 = 0 THEN c.created + interval '1 hour' END
         FROM generate_series(1, ?) AS n
        CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM articles) AS a
        CROSS JOIN LATERAL (SELECT CASE WHEN n % 100 < 20 THEN 'pending' WHEN n % 100 < 90 THEN 'approved'
                                        WHEN n % 100 < 97 THEN 'spam' ELSE 'trash' END AS status) AS s
        CROSS JOIN LATERAL (SELECT now() - (n * 1051 % 31536000) * interval '1 second' AS created) AS c`,
      [admin.id, COMMENTS],
    );
    await trx.raw('ALTER TABLE comments ENABLE TRIGGER USER');
    await trx('comment_counts').delete();
    await trx.raw('INSERT INTO comment_counts (article_id, status, count) SELECT article_id, status, count(*) FROM comments GROUP BY 1, 2');
    await trx.raw(
      `INSERT INTO moderation_log (comment_id, actor_id, actor_name, action, from_status, to_status, created_at)
       SELECT id, moderated_by, 'planner', 'status', 'pending', status, moderated_at FROM comments WHERE moderated_by IS NOT NULL`,
    );
  });
  await db.raw('ANALYZE');
}

before(async () => {
  db = connectDatabase(process.env.DATABASE_URL!);
  watchConnections(db);
  await migrateToLatest(db);
  await resetDatabase(db);
  explainer = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await explainer.connect();
  await seed();
  const article = await db('articles').select('id', 'slug').where({ slug: DEMO_SLUG }).first();
  articleId = String(article.id);
  articleSlug = article.slug;
  const row = await db('comments')
    .select('id', 'article_id', 'author_name', 'author_email', 'body', db.raw('host(ip) AS ip'))
    .where({ article_id: articleId, status: 'approved' })
    .orderBy('id', 'desc')
    .first();
  sample = { ...row, id: String(row.id), article_id: String(row.article_id) };
});

after(async () => {
  // Leave the shared test database small for the files after this one.
  if (db) await resetDatabase(db);
  await explainer?.end();
  await db?.destroy();
});

const queue = (filters: Partial<QueueFilters>, article: string | null = null, q = '') =>
  listQueuePage(db, { ...DEFAULT_FILTERS, ...filters, q }, article, q ? containsPattern(q) : null, PAGE_SIZE);

describe(`query plans over ${COMMENTS.toLocaleString('en-US')} comments`, () => {
  it('seeded what the plans are about', async () => {
    const { count } = (await db('comments').count<{ count: string }>({ count: '*' }).first())!;
    assert.equal(Number(count), COMMENTS);
    const counts = await countByStatus(db, null);
    assert.equal(counts.pending, COMMENTS * 0.2);
  });

  it('the article page: its approved comments, a commenter’s own held ones, their avatars', async () => {
    await assertIndexedReads('listVisibleComments', () => listVisibleComments(db, articleId, []));
    const held = await db('comments').select('id').where({ article_id: articleId, status: 'pending' }).limit(2);
    await assertIndexedReads('listVisibleComments with own held comments', () =>
      listVisibleComments(
        db,
        articleId,
        held.map((row) => String(row.id)),
      ),
    );
    const shown = await db('comments').select('id').where({ article_id: articleId, status: 'approved' }).limit(50);
    await assertIndexedReads('listCommentEmails', () =>
      listCommentEmails(
        db,
        shown.map((row) => String(row.id)),
      ),
    );
  });

  it('the moderation queue’s first page for every status and All', async () => {
    for (const view of QUEUE_VIEWS) {
      const page = await queue({ view });
      assert.equal(page.rows.length, PAGE_SIZE);
      await assertIndexedReads(`queue ${view}`, () => queue({ view }));
      await assertIndexedReads(`queue ${view}, next page`, () => queue({ view, before: page.older }));
    }
  });

  it('the queue filtered by article', async () => {
    for (const view of ['pending', 'all'] as const) {
      await assertIndexedReads(`queue ${view} of one article`, () => queue({ view, article: articleSlug }, articleId));
    }
  });

  it('the queue searched, by a rare and a common text, through the trigram index when it pays', async () => {
    // Across all statuses nothing but the search index avoids reading every comment.
    const rare = await assertIndexedReads('queue all searched for a rare text', () => queue({ view: 'all' }, null, sample.author_email));
    const indexes = rare.flatMap(({ nodes }) => nodes.map((node) => node['Index Name'] ?? []));
    assert.ok(indexes.includes('comments_search_trgm_idx'), `a rare search uses the search index, not ${indexes.join(', ')}`);
    for (const view of ['pending', 'all'] as const) {
      await assertIndexedReads(`queue ${view} searched for a rare text`, () => queue({ view }, null, sample.author_email));
      await assertIndexedReads(`queue ${view} searched for a common text`, () => queue({ view }, null, 'sanctions'));
      await assertIndexedReads(`queue ${view} of one article, searched`, () => queue({ view }, articleId, sample.ip));
    }
  });

  it('the status counts come from the kept counts, never from comments', async () => {
    await assertIndexedReads('countByStatus', () => countByStatus(db, null), false);
    await assertIndexedReads('countByStatus of one article', () => countByStatus(db, articleId), false);
    await assertIndexedReads('countPendingComments', () => countPendingComments(db), false);
  });

  it('posting a comment: the rules’ reads, and the store', async () => {
    const comment = {
      article_id: sample.article_id,
      parent_id: sample.id,
      author_name: sample.author_name,
      author_email: sample.author_email,
      body: sample.body,
    };
    await assertIndexedReads('readPostingChecks', () => readPostingChecks(db, randomUUID(), comment, sample.ip));
    await assertIndexedReads('readPostingChecks of a new comment', () =>
      readPostingChecks(db, randomUUID(), { ...comment, parent_id: null }, sample.ip),
    );
    const { newId } = await readPostingChecks(db, null, comment, sample.ip);
    const stored = {
      ...comment,
      id: newId,
      author_url: '',
      status: 'pending' as const,
      status_reasons: [],
      ip: sample.ip,
      user_agent: 'planner',
      submission_id: randomUUID(),
      approved_at: null,
      notify_on_reply: false,
      notify_on_approval: false,
    };
    // Planned as sent, then undone: the other plans here expect the comments seeded.
    const undone = new Error('undone');
    const storeAndUndo = () =>
      db
        .transaction(async (trx) => {
          const flood = { keys: [`flood:ip:${sample.ip}`], durationMs: 15_000, nowMs: Date.now(), allowed: 1 };
          await storePostedComment(trx, stored, flood, []);
          throw undone;
        })
        .catch((error: unknown) => assert.equal(error, undone));
    await assertIndexedReads('storePostedComment', storeAndUndo);
    await assertIndexedReads('findCommentBySubmissionId', () => findCommentBySubmissionId(db, stored.submission_id));
  });

  it('a comment’s permalink, its queue row facts and its log', async () => {
    await assertIndexedReads('findComment', () => findComment(db, sample.id));
    await assertIndexedReads('findArticleById', () => findArticleById(db, sample.article_id), false);
    await assertIndexedReads('findEditableComment', () => findEditableComment(db, sample.id));
    await assertIndexedReads('findCommenter', () => findCommenter(db, sample.id));
    const logged = await db('moderation_log').select('comment_id').orderBy('id', 'desc').limit(PAGE_SIZE);
    await assertIndexedReads(
      'listRecentLog',
      () =>
        listRecentLog(
          db,
          logged.map((row) => String(row.comment_id)),
        ),
      false,
    );
  });

  it('the feeds and the home page: articles with their approved-comment counts', async () => {
    await assertIndexedReads('listPublishedArticles', () => listPublishedArticles(db, 20, 0));
    await assertIndexedReads('the comment feed', () => listVisibleComments(db, articleId, []));
  });
});

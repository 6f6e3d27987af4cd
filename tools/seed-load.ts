import { parseArgs } from 'node:util';
import { loadConfig } from '../src/platform/config.js';
import type { Database } from '../src/platform/db/connection.js';
import { connectForMigrations, migrateToLatest } from '../src/platform/db/migrate.js';
import { locateDatabase } from '../src/platform/db/open.js';
import { up as buildSearchIndex } from '../migrations/20261129_12_add_comment_search_index.js';
import { seedDemoArticle } from '../src/platform/db/seed-demo.js';
import { runCommand } from './run-command.js';

/**
 * npm run seed:load -- --comments 1000000 [--articles 20] [--batch 50000]
 *
 * Fills the database with realistic articles and comments for load tests:
 * 20 % pending, 70 % approved, 7 % spam, 3 % trash, spread over the last year.
 * Rows are made inside PostgreSQL (INSERT … SELECT over generate_series), one
 * batch per transaction, with the per-row triggers off and the search index
 * dropped; the counts, page versions and index are rebuilt once at the end.
 */

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloé',
  'Dmitri',
  'Eun-ji',
  'Farah',
  'Gustavo',
  'Hana',
  'Ivan',
  'Jade',
  'Kwame',
  'Lena',
  'Mateo',
  'Nadia',
  'Olu',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoë',
];
const LAST_NAMES = [
  'Abara',
  'Berg',
  'Chen',
  'Dubois',
  'Evans',
  'Fischer',
  'García',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Rossi',
  'Silva',
  'Tanaka',
  'Umarov',
  'Varga',
  'Wong',
];
const SENTENCES = [
  'This is the clearest account of the meeting I have read so far.',
  'I am not convinced the sanctions argument holds up over a longer period.',
  'The point about semiconductors deserves a piece of its own.',
  'Good reporting, though the headline oversells it a little.',
  'Does anyone have a source for the figures on export markets?',
  'Beijing has always kept its options open; this is no different.',
  'The Arctic angle is underrated in most coverage of this.',
  'I would like to see more on what this means for Central Asia.',
  'Thanks for linking the original transcript.',
  'History suggests these partnerships are less stable than they look.',
];

function progressBar(done: number, total: number, startedAt: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (Date.now() - startedAt) / 1000);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} comments, ${Math.round(rate).toLocaleString('en-US')}/s`;
}

async function ensureArticles(db: Database, wanted: number): Promise<string[]> {
  await seedDemoArticle(db);
  await db.raw(
    `INSERT INTO articles (slug, title, author_name, body, status, published_at)
     SELECT 'load-test-article-' || n, 'Load test article ' || n, 'Load Tester',
            repeat('A paragraph of text for the load test. ', 40) || E'\\n\\n' || repeat('Another paragraph. ', 30),
            'published', now() - (n || ' days')::interval
       FROM generate_series(1, ?) AS n
     ON CONFLICT (slug) DO NOTHING`,
    [Math.max(0, wanted - 1)],
  );
  const rows = await db('articles').select<{ id: string }[]>('id').where({ status: 'published' }).orderBy('id').limit(wanted);
  return rows.map((row) => String(row.id));
}

async function insertBatch(db: Database, articleIds: string[], from: number, count: number): Promise<void> {
  await db.raw(
    `INSERT INTO comments (article_id, status, author_name, author_email, author_url, body, ip, user_agent, created_at, approved_at, status_reasons)
     SELECT a.ids[1 + (n % array_length(a.ids, 1))]::bigint,
            s.status,
            f.first || ' ' || l.last,
            lower(f.first) || '.' || lower(l.last) || n || '@example.org',
            CASE WHEN n % 4 = 0 THEN 'https://' || lower(l.last) || n || '.example.net/' ELSE '' END,
            t.sentences[1 + (n % array_length(t.sentences, 1))] || ' ' || t.sentences[1 + ((n / 7) % array_length(t.sentences, 1))],
            ('10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256)::inet,
            'Mozilla/5.0 (load test)',
            c.created,
            CASE WHEN s.status = 'approved' THEN c.created + interval '1 hour' END,
            CASE WHEN s.status = 'pending' THEN '[{"code":"first_time_commenter","text":"held: no earlier approved comment from this name and email"}]'::jsonb ELSE '[]'::jsonb END
       FROM generate_series(?::bigint, ?::bigint) AS n
       CROSS JOIN (SELECT ?::text[] AS ids) AS a
       CROSS JOIN (SELECT ?::text[] AS sentences, ?::text[] AS firsts, ?::text[] AS lasts) AS t
       CROSS JOIN LATERAL (SELECT t.firsts[1 + (n % array_length(t.firsts, 1))] AS first) AS f
       CROSS JOIN LATERAL (SELECT t.lasts[1 + ((n / 3) % array_length(t.lasts, 1))] AS last) AS l
       CROSS JOIN LATERAL (SELECT CASE WHEN n % 100 < 20 THEN 'pending' WHEN n % 100 < 90 THEN 'approved'
                                       WHEN n % 100 < 97 THEN 'spam' ELSE 'trash' END AS status) AS s
       CROSS JOIN LATERAL (SELECT now() - ((n * 31536) % 31536000 || ' seconds')::interval AS created) AS c`,
    [from, from + count - 1, articleIds, SENTENCES, FIRST_NAMES, LAST_NAMES],
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      comments: { type: 'string', default: '1000000' },
      articles: { type: 'string', default: '20' },
      batch: { type: 'string', default: '50000' },
    },
  });
  const total = Number(values.comments);
  const articleCount = Number(values.articles);
  const batchSize = Number(values.batch);
  if (![total, articleCount, batchSize].every((n) => Number.isInteger(n) && n > 0)) {
    process.stderr.write('--comments, --articles and --batch take whole numbers above 0\n');
    return 2;
  }
  const say = (message: string) => process.stdout.write(`${message}\n`);
  const location = await locateDatabase(loadConfig(), say);
  // No statement timeout: the batches and the index rebuild take longer than any request may.
  const db = connectForMigrations(location.url);
  try {
    await migrateToLatest(db, say);
    const articleIds = await ensureArticles(db, articleCount);
    say(`Adding ${total.toLocaleString('en-US')} comments over ${articleIds.length} articles…`);
    const startedAt = Date.now();
    const base = Number((await db('comments').max<{ max: string | null }>({ max: 'id' }).first())?.max ?? 0);
    // Filling one GIN index row by row is far slower than building it once after.
    await db.raw('DROP INDEX IF EXISTS comments_search_trgm_idx');
    await db.raw('ALTER TABLE comments DISABLE TRIGGER USER');
    try {
      for (let done = 0; done < total; done += batchSize) {
        await insertBatch(db, articleIds, base + done + 1, Math.min(batchSize, total - done));
        process.stdout.write(`\r${progressBar(Math.min(total, done + batchSize), total, startedAt)}`);
      }
    } finally {
      await db.raw('ALTER TABLE comments ENABLE TRIGGER USER');
    }
    process.stdout.write('\n');
    say('Rebuilding comment counts and page versions…');
    await db.transaction(async (trx) => {
      await trx('comment_counts').delete();
      await trx.raw(
        'INSERT INTO comment_counts (article_id, status, count) SELECT article_id, status, count(*) FROM comments GROUP BY article_id, status',
      );
      await trx.raw(`UPDATE articles SET cache_version = nextval('page_version_seq')`);
    });
    say('Rebuilding the comment search index…');
    await db.transaction((trx) => buildSearchIndex(trx));
    // As after any bulk load: fresh planner statistics, and a visibility map so index-only scans need not visit the rows.
    say('Vacuuming and gathering planner statistics (VACUUM ANALYZE)…');
    await db.raw('VACUUM (ANALYZE) comments, comment_counts, articles');
    say(`Done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
    return 0;
  } finally {
    await db.destroy();
    await location.stop();
  }
}

runCommand('Seeding failed', main);

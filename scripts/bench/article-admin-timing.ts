import * as cheerio from 'cheerio';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { timeGets, type BenchClient, type Timings } from './http-client.js';
import { percentile, verdict, whole, type Say, type Verdict } from './scale-kit.js';

const median = (times: number[]) => percentile(times, 0.5);
const p95 = (times: number[]) => percentile(times, 0.95);

/**
 * Rows of the articles admin, run inside the queue row's scratch database
 * (its million comments already there): the article list's first page
 * with its exact per-status counts over `articles` articles, and saving an
 * article of 5,000 words through the editor's form (render, sanitise,
 * revision, one transaction). The verdicts take the server's own time
 * (its Server-Timing header on staff pages); the client's, over loopback
 * with keep-alive, is shown beside it.
 */

export const ARTICLE_LIST_TARGET_MS = 10;
export const ARTICLE_SAVE_TARGET_MS = 50;
const SAVED_WORDS = 5_000;

/** Articles in every status, spread over a year, as a blog ten years old might have. */
async function seedArticles(db: Database, articles: number): Promise<void> {
  await db.raw(
    `INSERT INTO articles (slug, title, author_name, body, body_format, body_html, word_count, summary, status, published_at, created_at, updated_at)
       SELECT 'bench-article-' || n, 'Bench article ' || n, 'Bench Writer', 'Paragraph ' || n || '.', 'markdown',
              '<p>Paragraph ' || n || '.</p>', 2, 'Paragraph ' || n || '.',
              CASE WHEN n % 10 < 7 THEN 'published' WHEN n % 10 < 9 THEN 'draft' ELSE 'trash' END,
              now() - n * interval '1 hour', now() - n * interval '1 hour', now() - n * interval '1 hour'
         FROM generate_series(1, ?) AS n`,
    [articles],
  );
  // A blog's articles table is vacuumed (autovacuum's steady state), not a bulk insert a moment old: its
  // index-only scans (the counts per status) need the visibility map that only VACUUM sets.
  await db.raw('VACUUM (ANALYZE) articles');
}

async function storedArticleCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db('articles').select('status').count<Array<{ status: string; count: string }>>({ count: '*' }).groupBy('status');
  const counts: Record<string, number> = { draft: 0, scheduled: 0, published: 0, trash: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

async function firstArticleId(db: Database): Promise<string> {
  const row = await db('articles').min<{ id: string }>('id as id').first();
  if (!row?.id) throw new Error('no article to save');
  return String(row.id);
}

/** The counts the list's status tabs show, keyed by status. */
function shownArticleCounts(html: string): Record<string, number> {
  const page = cheerio.load(html);
  const labels: Record<string, string> = { drafts: 'draft', scheduled: 'scheduled', published: 'published', trash: 'trash' };
  const counts: Record<string, number> = {};
  page('a, span, strong').each((_index, element) => {
    const match = /^(Drafts|Scheduled|Published|Trash) \(([\d,]+)\)$/.exec(page(element).text().replace(/\s+/g, ' ').trim());
    if (match) counts[labels[match[1]!.toLowerCase()]!] = Number(match[2]!.replaceAll(',', ''));
  });
  return counts;
}

const words = (count: number) =>
  Array.from({ length: count }, (_, index) => (index % 120 === 119 ? 'end.\n\n' : index % 40 === 0 ? '**word**' : 'word')).join(' ');

/** Saves one article again and again through the editor's form, each time with the version the editor shows. */
async function timeSaves(client: BenchClient, articleId: string, samples: number): Promise<{ times: number[]; serverTimes: number[] }> {
  const times: number[] = [];
  const serverTimes: number[] = [];
  for (let index = 0; index < samples + 3; index++) {
    const editor = await client.get(`/admin/articles/${articleId}/edit`);
    if (editor.status !== 200) throw new Error(`the editor answered ${editor.status}`);
    const page = cheerio.load(editor.body);
    const fields: Record<string, string> = {};
    page('#editor-form')
      .find('input[name], textarea[name], select[name]')
      .each((_i, element) => {
        const field = page(element);
        const type = field.attr('type');
        if (type === 'submit' || type === 'file' || ((type === 'checkbox' || type === 'radio') && field.attr('checked') === undefined))
          return;
        fields[field.attr('name')!] = element.tagName === 'textarea' ? field.text() : String(field.val() ?? '');
      });
    const answer = await client.postForm(`/admin/articles/${articleId}`, {
      ...fields,
      body: `${words(SAVED_WORDS)} (save ${index})`,
      action: 'save',
    });
    if (answer.status !== 303) throw new Error(`saving answered ${answer.status}`);
    if (index >= 3) {
      times.push(answer.ms);
      if (answer.serverMs === undefined) throw new Error('saving answered without a Server-Timing header');
      serverTimes.push(answer.serverMs);
    }
  }
  return { times, serverTimes };
}

export async function measureArticleAdmin(input: {
  client: BenchClient;
  databaseUrl: string;
  articles: number;
  comments: number;
  samples: number;
  say: Say;
}): Promise<Verdict[]> {
  const { client, databaseUrl, articles, samples, say } = input;
  say(`  article list at ${whole(articles)} articles (and the ${whole(input.comments)} comments): seeding…`);
  const db = connectDatabase(databaseUrl);
  let list: Timings;
  let stored: Record<string, number>;
  let articleId: string;
  try {
    await seedArticles(db, articles);
    list = await timeGets(client, '/admin/articles', samples);
    stored = await storedArticleCounts(db);
    articleId = await firstArticleId(db);
  } finally {
    await db.destroy();
  }
  const shown = shownArticleCounts(list.last);
  const mismatched = Object.keys(stored).filter((status) => shown[status] !== stored[status]);
  const listLine = `server median ${median(list.serverTimes).toFixed(1)} ms, p95 ${p95(list.serverTimes).toFixed(1)} ms; client median ${median(list.times).toFixed(1)} ms`;
  say(`  article list: ${listLine}`);

  say(`  saving an article of ${whole(SAVED_WORDS)} words, ${samples} times…`);
  const saves = await timeSaves(client, articleId, samples);
  const saveLine = `server median ${median(saves.serverTimes).toFixed(1)} ms, p95 ${p95(saves.serverTimes).toFixed(1)} ms; client median ${median(saves.times).toFixed(1)} ms`;
  say(`  save: ${saveLine}`);
  return [
    verdict(
      `admin article list, ${whole(articles)} articles, ${whole(input.comments)} comments`,
      `median ${median(list.serverTimes).toFixed(1)} ms${mismatched.length ? `; counts differ: ${mismatched.join(', ')}` : ', counts exact'}`,
      `≤ ${ARTICLE_LIST_TARGET_MS} ms median server time, exact counts`,
      median(list.serverTimes) <= ARTICLE_LIST_TARGET_MS && mismatched.length === 0,
      [`first page (all but trash): ${listLine}`],
    ),
    verdict(
      `saving an article of ${whole(SAVED_WORDS)} words`,
      `median ${median(saves.serverTimes).toFixed(1)} ms`,
      `≤ ${ARTICLE_SAVE_TARGET_MS} ms median server time`,
      median(saves.serverTimes) <= ARTICLE_SAVE_TARGET_MS,
      [`render, sanitise, revision and the row in one transaction: ${saveLine}`],
    ),
  ];
}

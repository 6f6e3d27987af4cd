import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { once } from 'node:events';
import { writeWordpressExport } from '../../src/moving/wordpress-export.js';
import { importWordpress } from '../../src/moving/wordpress-import.js';
import type { Database } from '../../src/platform/db/connection.js';
import { useTestDatabase } from '../helpers/database.js';
import { seedSite } from '../helpers/moving-seed.js';

/**
 * The export proven without WordPress: a site exported, the file imported
 * into an empty database with the WordPress importer, and every field the
 * export promises compared, article by article and comment by comment.
 */

const testDb = useTestDatabase();
const BASE_URL = 'https://old.example.org';
let folder: string;

before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-round-trip-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

interface ArticleFacts {
  id: string;
  slug: string;
  title: string;
  status: string;
  published_at: Date | null;
  author_name: string;
  excerpt: string | null;
  body: string;
  body_format: string;
  body_html: string;
  comments_open: boolean;
  figure_image: string | null;
  figure_alt: string | null;
  figure_caption: string | null;
  figure_after_paragraph: number;
  source_id: string | null;
  tags: string[];
}

async function articlesOf(db: Database): Promise<ArticleFacts[]> {
  const rows = await db('articles')
    .select(
      'id',
      'slug',
      'title',
      'status',
      'published_at',
      'author_name',
      'excerpt',
      'body',
      'body_format',
      'body_html',
      'comments_open',
      'figure_image',
      'figure_alt',
      'figure_caption',
      'figure_after_paragraph',
      'source_id',
      db.raw(
        `coalesce((SELECT array_agg(t.slug || ' ' || t.name ORDER BY t.slug) FROM article_tags at JOIN tags t ON t.id = at.tag_id
                   WHERE at.article_id = articles.id), '{}') AS tags`,
      ),
    )
    .orderBy('slug');
  return rows.map((row: ArticleFacts) => ({ ...row, id: String(row.id) }));
}

interface CommentFacts {
  id: string;
  source_id: string | null;
  article_id: string;
  parent_id: string | null;
  status: string;
  author_name: string;
  author_email: string;
  author_url: string;
  ip: string | null;
  body: string;
  created_at: Date;
  is_site_reply: boolean;
  imported_from: string | null;
}

async function commentsOf(db: Database): Promise<CommentFacts[]> {
  const rows = await db('comments')
    .select(
      'id',
      'source_id',
      'article_id',
      'parent_id',
      'status',
      'author_name',
      'author_email',
      'author_url',
      db.raw('host(ip) AS ip'),
      'body',
      'created_at',
      'is_site_reply',
      'imported_from',
    )
    .orderBy('id');
  return rows.map((row: CommentFacts) => ({
    ...row,
    id: String(row.id),
    article_id: String(row.article_id),
    parent_id: row.parent_id === null ? null : String(row.parent_id),
  }));
}

async function exportTo(file: string): Promise<void> {
  const out = createWriteStream(file);
  await writeWordpressExport(testDb.db, out, { baseUrl: BASE_URL, siteName: 'Broadsheet', timeZone: 'America/New_York', now: new Date() });
  out.end();
  await once(out, 'finish');
}

/** Every row of the site gone: the database as a fresh install holds it, before the demo article. */
async function emptyDatabase(db: Database): Promise<void> {
  await db.raw('TRUNCATE articles, comments, tags, users RESTART IDENTITY CASCADE');
}

describe('a WordPress export imported into an empty Broadsheet', () => {
  it('brings back every article and comment as it was', async () => {
    const site = await seedSite(testDb.db);
    const articlesBefore = await articlesOf(testDb.db);
    const commentsBefore = await commentsOf(testDb.db);
    const file = path.join(folder, 'site.xml');
    await exportTo(file);

    await emptyDatabase(testDb.db);
    const summary = await importWordpress(testDb.db, file, { dryRun: false, skipPages: false, withPingbacks: false, mapAuthor: {} });
    assert.deepEqual(summary.skipped, []);
    assert.equal(summary.counts.articles, articlesBefore.length);
    assert.equal(summary.counts.comments, commentsBefore.length);

    const articlesAfter = await articlesOf(testDb.db);
    assert.equal(articlesAfter.length, articlesBefore.length);
    const importedArticleIdOf = new Map<string, string>();
    for (const before of articlesBefore) {
      const imported = articlesAfter.find((row) => row.source_id === before.id);
      assert.ok(imported, `article ${before.slug} came back`);
      importedArticleIdOf.set(before.id, imported.id);
      const facts = (row: ArticleFacts) => ({
        slug: row.slug,
        title: row.title,
        status: row.status,
        // A draft was never published: WordPress keeps no date for that, so only the others are compared.
        published_at: row.status === 'draft' ? null : row.published_at?.toISOString(),
        author_name: row.author_name,
        excerpt: row.excerpt || null,
        tags: row.tags,
        comments_open: row.comments_open,
        // What readers see, whatever the source (WordPress's paragraphs end the HTML with a line break).
        body_html: row.body_html.trim(),
      });
      assert.deepEqual(facts(imported), facts(before), `article ${before.slug}`);
    }

    const commentsAfter = await commentsOf(testDb.db);
    assert.equal(commentsAfter.length, commentsBefore.length);
    const sourceOf = new Map(commentsAfter.map((row) => [row.id, row.source_id]));
    for (const before of commentsBefore) {
      const imported = commentsAfter.find((row) => row.source_id === before.id);
      assert.ok(imported, `comment ${before.id} came back`);
      assert.equal(imported.imported_from, 'wordpress');
      assert.equal(imported.article_id, importedArticleIdOf.get(before.article_id), `comment ${before.id} is on its article`);
      assert.equal(
        imported.parent_id === null ? null : sourceOf.get(imported.parent_id),
        before.parent_id,
        `comment ${before.id}'s parent`,
      );
      const facts = (row: CommentFacts) => ({
        status: row.status,
        author_name: row.author_name,
        author_email: row.author_email,
        author_url: row.author_url,
        ip: row.ip,
        body: row.body,
        created_at: row.created_at.toISOString(),
        is_site_reply: row.is_site_reply,
      });
      assert.deepEqual(facts(imported), facts(before), `comment ${before.id}`);
    }
    // The thread the seed made: a reply from the site under a reader's comment, and a reply under that.
    const reply = commentsAfter.find((row) => row.source_id === site.comments.deepReply)!;
    const middle = commentsAfter.find((row) => row.id === reply.parent_id)!;
    assert.equal(middle.source_id, site.comments.siteReply);
    assert.equal(middle.is_site_reply, true);
  });

  it('brings Markdown articles back as Markdown, HTML ones as HTML, with their figures', async () => {
    await seedSite(testDb.db);
    const before = await articlesOf(testDb.db);
    const file = path.join(folder, 'sources.xml');
    await exportTo(file);
    await emptyDatabase(testDb.db);
    await importWordpress(testDb.db, file, { dryRun: false, skipPages: false, withPingbacks: false, mapAuthor: {} });
    const after = await articlesOf(testDb.db);
    const source = (row: ArticleFacts) => ({
      body_format: row.body_format,
      // The Markdown as written; for an HTML article, the HTML its readers saw.
      body: row.body_format === 'markdown' ? row.body : row.body_html.trim(),
      figure: [
        row.figure_image,
        row.figure_alt,
        row.figure_caption,
        row.figure_image || row.figure_caption ? row.figure_after_paragraph : null,
      ],
    });
    for (const original of before) {
      const imported = after.find((row) => row.source_id === original.id);
      assert.ok(imported, `article ${original.slug} came back`);
      assert.deepEqual(source(imported), source(original), `article ${original.slug}`);
    }
  });

  it('adds nothing when the same export is imported again', async () => {
    await seedSite(testDb.db);
    const file = path.join(folder, 'again.xml');
    await exportTo(file);
    await emptyDatabase(testDb.db);
    const options = { dryRun: false, skipPages: false, withPingbacks: false, mapAuthor: {} };
    await importWordpress(testDb.db, file, options);
    const articles = (await articlesOf(testDb.db)).length;
    const comments = (await commentsOf(testDb.db)).length;
    const second = await importWordpress(testDb.db, file, options);
    assert.equal(second.counts.articles ?? 0, 0);
    assert.equal(second.counts.comments ?? 0, 0);
    assert.equal((await articlesOf(testDb.db)).length, articles);
    assert.equal((await commentsOf(testDb.db)).length, comments);
  });
});

import { prepareArticleBody } from '../../src/articles/article-body.js';
import type { ArticleRow } from '../../src/articles/article-queries.js';
import type { Database } from '../../src/platform/db/connection.js';

/**
 * Articles written straight into the test database, with the rendered body,
 * word count and summary a save would store, so a test can set one up
 * without going through the editor it may be testing.
 */

export type ArticleOverrides = Partial<Omit<ArticleRow, 'id' | 'body_html' | 'word_count' | 'summary'>> & {
  /** Names of tags to attach, created when missing (slug made from the name). */
  tags?: string[];
};

let count = 0;

export async function insertArticle(db: Database, overrides: ArticleOverrides = {}): Promise<ArticleRow> {
  count += 1;
  const { tags = [], ...fields } = overrides;
  const body = fields.body ?? `First paragraph of article ${count}.\n\nSecond paragraph.`;
  const format = fields.body_format ?? 'markdown';
  const excerpt = fields.excerpt ?? null;
  const prepared = prepareArticleBody(body, format, excerpt);
  const status = fields.status ?? 'published';
  const [row] = await db('articles')
    .insert({
      slug: `test-article-${count}`,
      title: `Test article ${count}`,
      author_name: 'Test Author',
      comments_open: true,
      figure_after_paragraph: 1,
      published_at: status === 'draft' ? null : new Date(Date.UTC(2024, 0, 1, 9, count % 60)),
      ...fields,
      status,
      body,
      body_format: format,
      excerpt,
      body_html: prepared.html,
      word_count: prepared.wordCount,
      summary: prepared.summary,
    })
    .returning<ArticleRow[]>('*');
  for (const name of tags) await tagArticle(db, row!.id, name);
  return row!;
}

/** Attaches a tag by name, creating it when missing; returns the tag's slug. */
export async function tagArticle(db: Database, articleId: string, name: string): Promise<string> {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const [tag] = await db('tags').insert({ slug, name }).onConflict('slug').merge(['slug']).returning<Array<{ id: string }>>('id');
  await db('article_tags').insert({ article_id: articleId, tag_id: tag!.id }).onConflict(['article_id', 'tag_id']).ignore();
  return slug;
}

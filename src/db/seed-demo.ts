import { readFile } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { contentDir } from '../paths.js';
import { insertArticleIfMissing } from '../queries/articles.js';
import type { Database } from './connection.js';

const frontMatter = z.object({
  title: z.string().min(1),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  author: z.string().min(1),
  published_at: z.coerce.date(),
  figure_caption: z.string().optional(),
  figure_after_paragraph: z.number().int().min(1).default(1),
  comments_open: z.boolean().default(true),
});

export const demoArticleFile = path.join(contentDir, 'seed-article.md');

/** Loads the demo article once; an article with its slug is never overwritten. */
export async function seedDemoArticle(db: Database, file = demoArticleFile): Promise<boolean> {
  const { data, content } = matter(await readFile(file, 'utf8'));
  const fields = frontMatter.parse(data);
  return insertArticleIfMissing(db, {
    slug: fields.slug,
    title: fields.title,
    author_name: fields.author,
    body: content.trim(),
    figure_caption: fields.figure_caption ?? null,
    figure_after_paragraph: fields.figure_after_paragraph,
    comments_open: fields.comments_open,
    status: 'published',
    published_at: fields.published_at,
  });
}

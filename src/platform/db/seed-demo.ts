import { readFile } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { contentDir } from '../paths.js';
import { insertArticleIfMissing, setFigureImageWhereUnset } from '../../articles/index.js';
import { prepareArticleBody } from '../../articles/index.js';
import { renderUnrenderedBodies } from '../../articles/index.js';
import type { Database } from './connection.js';
import { SLUG_PATTERN } from '../http/route-patterns.js';

/** As the articles table's check allows: a file under /images/, no dot segments. */
const IMAGE_PATH = /^\/images\/[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

const frontMatter = z
  .object({
    title: z.string().min(1),
    slug: z.string().regex(SLUG_PATTERN),
    author: z.string().min(1),
    published_at: z.coerce.date(),
    figure_caption: z.string().optional(),
    figure_image: z.string().regex(IMAGE_PATH, 'figure_image must be a path under /images/').optional(),
    figure_alt: z.string().max(1000).optional(),
    figure_after_paragraph: z.number().int().min(1).default(1),
    comments_open: z.boolean().default(true),
  })
  .refine((fields) => fields.figure_image === undefined || fields.figure_alt !== undefined, {
    message: 'figure_image needs figure_alt (an empty string for a decorative image)',
    path: ['figure_alt'],
  });

export const demoArticleFile = path.join(contentDir, 'seed-article.md');

/**
 * Loads the demo article once; an article with its slug is never overwritten,
 * except that one stored before articles named their figure image gets it.
 * Articles stored before bodies were rendered at save time get rendered here,
 * the one step every start runs after migrating.
 */
export async function seedDemoArticle(db: Database, file = demoArticleFile): Promise<boolean> {
  const { data, content } = matter(await readFile(file, 'utf8'));
  const fields = frontMatter.parse(data);
  const source = content.trim();
  const body = prepareArticleBody(source, 'markdown', null);
  const inserted = await insertArticleIfMissing(db, {
    slug: fields.slug,
    title: fields.title,
    author_name: fields.author,
    body: source,
    body_format: 'markdown',
    body_html: body.html,
    word_count: body.wordCount,
    summary: body.summary,
    excerpt: null,
    figure_caption: fields.figure_caption ?? null,
    figure_image: fields.figure_image ?? null,
    figure_alt: fields.figure_alt ?? null,
    figure_after_paragraph: fields.figure_after_paragraph,
    comments_open: fields.comments_open,
    status: 'published',
    published_at: fields.published_at,
  });
  if (!inserted && fields.figure_image !== undefined) {
    await setFigureImageWhereUnset(db, fields.slug, fields.figure_image, fields.figure_alt ?? '');
  }
  await renderUnrenderedBodies(db);
  return inserted;
}

import type { Database } from '../platform/db/connection.js';
import type { ArticleListPages, ArticleSummary, PageMeta } from '../platform/rendering/models.js';
import { lookUpMedia } from '../media/index.js';
import { listTagsOfArticles } from '../tags/index.js';
import { tagLinksOf } from '../tags/index.js';
import type { ArticleSummaryRow } from './article-queries.js';
import { articlePath, figureMediaOf, uploadsAmong } from './article-page.js';
import { readingMinutes } from './reading.js';
import { renderedBodyOf } from './stored-bodies.js';

/** Articles a list shows (the home page, a tag's page): what each summary needs, in two queries for the lot. */
export async function summarizeArticles(db: Database, rows: readonly ArticleSummaryRow[]): Promise<ArticleSummary[]> {
  const [tags, media] = await Promise.all([
    listTagsOfArticles(
      db,
      rows.map((row) => row.id),
    ),
    lookUpMedia(db, uploadsAmong(rows.map((row) => row.figure_image))),
  ]);
  return rows.map((row) => {
    const body = renderedBodyOf(row);
    return {
      path: articlePath(row.slug),
      title: row.title,
      authorName: row.author_name,
      publishedAt: row.published_at ?? row.created_at,
      excerpt: body.summary,
      readingMinutes: readingMinutes(body.wordCount),
      approvedCommentCount: row.approved_comment_count,
      figure: row.figure_image
        ? { image: row.figure_image, alt: row.figure_alt ?? '', media: figureMediaOf(row.figure_image, media) }
        : null,
      tags: tagLinksOf(tags.get(String(row.id)) ?? []),
    };
  });
}

/**
 * Page `page` of a list whose first page is at `firstPath` and the others at
 * `?page=N`: the links between them, and the canonical and rel links its
 * head carries (each page is its own page to a search engine, not a copy of
 * the first).
 */
export function listPagesOf(
  firstPath: string,
  page: number,
  pageCount: number,
): { pages: ArticleListPages; meta: Pick<PageMeta, 'canonicalPath' | 'pageLinks'> } {
  const pathOf = (number: number) => (number === 1 ? firstPath : `${firstPath}?page=${number}`);
  const newerHref = page > 1 ? pathOf(page - 1) : null;
  const olderHref = page < pageCount ? pathOf(page + 1) : null;
  return {
    pages: { page, pageCount, newerHref, olderHref },
    meta: { canonicalPath: pathOf(page), pageLinks: { prev: newerHref, next: olderHref } },
  };
}

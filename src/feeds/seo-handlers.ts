import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { listPublishedArticles } from '../articles/index.js';
import { articlePath, siteOf } from '../articles/index.js';
import { listPublishedTags } from '../tags/index.js';
import { tagPath } from '../tags/index.js';

/** The sitemap protocol's limit for one file. */
const SITEMAP_MAX_URLS = 50_000;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** GET /robots.txt — everything but the admin may be crawled. */
export function showRobots(req: Request, res: Response) {
  const { baseUrl } = siteOf(req);
  res.type('text/plain').send(['User-agent: *', 'Disallow: /admin', 'Allow: /', '', `Sitemap: ${baseUrl}/sitemap.xml`, ''].join('\n'));
}

/** GET /sitemap.xml — the home page, every published article and the page of every tag they carry, with when each last changed. */
export async function showSitemap(req: Request, res: Response) {
  const { db } = contextOf(req);
  const { baseUrl } = siteOf(req);
  const [articles, tags] = await Promise.all([listPublishedArticles(db, SITEMAP_MAX_URLS - 1, 0), listPublishedTags(db)]);
  const entries = articles.map((article) => {
    const published = article.published_at ?? article.created_at;
    const changed = article.updated_at > published ? article.updated_at : published;
    return { loc: `${baseUrl}${articlePath(article.slug)}`, lastmod: changed };
  });
  const newest = entries.reduce<Date | null>((latest, entry) => (latest && latest > entry.lastmod ? latest : entry.lastmod), null);
  const tagEntries = tags
    .slice(0, SITEMAP_MAX_URLS - 1 - articles.length)
    .map((tag) => ({ loc: `${baseUrl}${tagPath(tag.slug)}`, lastmod: tag.changed_at }));
  const urls = [{ loc: `${baseUrl}/`, lastmod: newest }, ...entries, ...tagEntries].map(
    ({ loc, lastmod }) => `  <url><loc>${escapeXml(loc)}</loc>${lastmod ? `<lastmod>${lastmod.toISOString()}</lastmod>` : ''}</url>`,
  );
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...urls,
    '</urlset>',
    '',
  ].join('\n');
  res.set('Content-Type', 'application/xml; charset=utf-8').send(xml);
}

import type { Database } from '../db/connection.js';
import { findPublishedArticleBySlug, type ArticleRow } from '../../articles/index.js';
import { loadDiscussionSettings } from '../../settings/index.js';
import type { ChangeFollowedMemo } from './change-followed-memo.js';
import type { DiscussionSettings } from '../../settings/index.js';
import { articleTag, SETTINGS_TAG } from './page-cache.js';

/**
 * What every comment post reads before anything else, through the memo:
 * while the page-change listener hears every change, a post asks the
 * database for neither. Values are frozen: one object serves every request.
 */

export async function rememberedDiscussionSettings(db: Database, memo: ChangeFollowedMemo): Promise<DiscussionSettings> {
  const settings = await memo.read(SETTINGS_TAG, async () => ({
    value: Object.freeze(await loadDiscussionSettings(db)),
    tags: [SETTINGS_TAG],
  }));
  return settings!;
}

/** The published article at `slug`, or null; an unknown slug is asked about every time. */
export async function rememberedPublishedArticle(db: Database, memo: ChangeFollowedMemo, slug: string): Promise<ArticleRow | null> {
  return memo.read(`article-by-slug:${slug}`, async () => {
    const article = await findPublishedArticleBySlug(db, slug);
    return article ? { value: Object.freeze(article), tags: [articleTag(article.id)] } : null;
  });
}

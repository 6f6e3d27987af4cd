/**
 * The page cache's door. A handler calls cachePage() with a key, and a
 * render that says which tags the page shows and when it expires; app.ts
 * installs serveCachedPages() in front of everything, which answers a
 * request a handler has already answered from the cache. Everything else in
 * this folder is private to it (docs/architecture.md, "The page cache").
 */
export { cachePage } from './cache-page.js';
export { serveCachedPages } from './fast-path.js';
export { articleTag, HOME_TAG, PageCache, SETTINGS_TAG, type RenderedPage } from './page-cache.js';
/** The process's wiring: the listener that keeps the cache (and the memo) current. */
export { startPageChangeListener, type PageChangeListener } from './page-change-listener.js';
/** Small values every comment post reads, kept current by the same listener. */
export { ChangeFollowedMemo } from './change-followed-memo.js';
export { rememberedDiscussionSettings, rememberedPublishedArticle } from './remembered-lookups.js';

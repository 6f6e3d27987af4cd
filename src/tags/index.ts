/** What the rest of the app may use of tags: everything else in this folder is its own. */
export { tagLinksOf, tagPath } from './tag-links.js';
export { listPublishedTags, listTagsOfArticles } from './tag-queries.js';

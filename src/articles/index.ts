/** What the rest of the app may use of articles: everything else in this folder is its own. */
export { prepareArticleBody } from './article-body.js';
export type { PreparedBody } from './article-body.js';
export { ARTICLES_PER_PAGE, pageNumber } from './article-handlers.js';
export { articlePath, buildArticlePage, loadPublishedArticle, movedArticleLocation, ownCommentLocation, siteOf } from './article-page.js';
export type { FormState } from './article-page.js';
export {
  countPublishedArticles,
  findArticleById,
  findPublishedArticleBySlug,
  insertArticleIfMissing,
  listPublishedArticles,
  setFigureImageWhereUnset,
} from './article-queries.js';
export type { ArticleFormat, ArticleRow, ArticleStatus } from './article-queries.js';
export { listPagesOf, summarizeArticles } from './article-summaries.js';
export { AUTHOR_NAME_MAX, EXCERPT_MAX, SLUG_MAX, TITLE_MAX } from './editor-form.js';
export { firstFreeSlug } from './editor-queries.js';
export { renderEditorAfterUpload } from './editor-upload.js';
export { startScheduler } from './scheduler.js';
export { parseLocalDateTime } from './site-time.js';
export { renderBodyForSaving, renderUnrenderedBodies, renderedBodyOf } from './stored-bodies.js';
export { websiteSocialMeta } from './structured-data.js';
export type { SocialMetaTag } from './structured-data.js';
export { TAGS_PER_ARTICLE_MAX, TAG_NAME_MAX, addressSlug } from './tag-names.js';
export type { TagName } from './tag-names.js';

import { Router, type RequestHandler } from 'express';
import { changePassword, showAccount, updateAccount } from './admin-auth/account-handlers.js';
import { login, logout, showLogin } from './admin-auth/sign-in-handlers.js';
import { blockCommenterOfComment, liftBlock, showBlocks } from './moderation/block-handlers.js';
import { adminChrome } from './moderation/admin-chrome.js';
import { showEditForm, updateComment } from './moderation/comment-edit-handlers.js';
import {
  applyBulkAction,
  deleteComment,
  emptyStatus,
  replyToComment,
  restoreComment,
  setCommentStatus,
  undoModeration,
} from './moderation/comment-action-handlers.js';
import { showLog } from './moderation/log-handlers.js';
import { saveScreenOptions } from './moderation/queue-preference-handlers.js';
import { showQueue, showQueuedComment } from './moderation/queue-handlers.js';
import { BULK_IDS_MAX } from './moderation/queue-address.js';
import { showDiscussionSettings, updateDiscussionSettings } from './settings/settings-handlers.js';
import { showArticle, showCommentPage, showCommentPermalink, showHome } from './articles/article-handlers.js';
import { showArticleList } from './articles/admin-list-handlers.js';
import { confirmArticleDelete, deleteArticle, setArticleStatus } from './articles/article-status-handlers.js';
import {
  createArticleFromEditor,
  editorFormBody,
  previewArticle,
  saveArticleFromEditor,
  showEditor,
  showNewArticle,
} from './articles/editor-handlers.js';
import { autosaveArticle, editorJsonBody, previewBody } from './articles/editor-script-handlers.js';
import { restoreArticleRevision, showRevision } from './articles/revision-handlers.js';
import { showAvatar } from './comments/avatar-handlers.js';
import { answerUploadError, requireAdminToUpload, showMedia, uploadMedia } from './media/media-handlers.js';
import { uploadBody } from './media/upload-parsing.js';
import { createComment } from './comments/posting-handlers.js';
import {
  confirmWithdrawOwnComment,
  showOwnCommentEdit,
  updateOwnCommentText,
  withdrawOwnComment,
} from './comments/own-comment-handlers.js';
import { showArticleFeed, showCommentFeed } from './feeds/feed-handlers.js';
import { showTag, showTagFeed } from './tags/tag-handlers.js';
import { showHealth, showReadiness } from './platform/health-handlers.js';
import { showRobots, showSitemap } from './feeds/seo-handlers.js';
import { confirmUnsubscribe, showUnsubscribe } from './mail/unsubscribe-handlers.js';
import { requireAdmin, saveSessionBeforeRedirect } from './admin-auth/admin-session.js';
import { bulkFormBody } from './platform/http/form-body.js';
import { verifyCsrf, verifyCsrfFieldOrHeader } from './admin-auth/csrf.js';

interface RouteMiddleware {
  formBody: RequestHandler;
  session: RequestHandler;
}

/** Admin pages are private: never cached, never indexed. */
const privatePage: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex, nofollow');
  next();
};

/** Every URL the site answers. */
export function createRoutes({ formBody, session }: RouteMiddleware): Router {
  const router = Router();
  router.get('/', showHome);
  router.get('/articles/:slug', showArticle);
  router.get('/articles/:slug/comment-page-:page', showCommentPage);
  router.post('/articles/:slug/comments', formBody, createComment);
  router.get('/articles/:slug/comments/feed.xml', showCommentFeed);
  router.get('/comments/:id', showCommentPermalink);
  router.get('/comments/:id/edit', showOwnCommentEdit);
  router.post('/comments/:id/edit', formBody, updateOwnCommentText);
  router.get('/comments/:id/withdraw', confirmWithdrawOwnComment);
  router.post('/comments/:id/withdraw', formBody, withdrawOwnComment);
  router.get('/unsubscribe', showUnsubscribe);
  router.post('/unsubscribe', formBody, confirmUnsubscribe);
  router.get('/feed.xml', showArticleFeed);
  router.get('/tags/:slug', showTag);
  router.get('/tags/:slug/feed.xml', showTagFeed);
  router.get('/robots.txt', showRobots);
  router.get('/sitemap.xml', showSitemap);
  router.get('/avatars/:hash.svg', showAvatar);
  router.get('/media/:file', showMedia);
  router.get('/healthz', showHealth);
  router.get('/readyz', showReadiness);

  // Only /admin ever sees a session: readers and commenters never get one.
  router.use('/admin', privatePage, session, saveSessionBeforeRedirect);
  router.get('/admin', requireAdmin, (_req, res) => res.redirect(303, '/admin/comments'));
  router.get('/admin/login', showLogin);
  router.post('/admin/login', formBody, login);
  router.post('/admin/logout', formBody, requireAdmin, verifyCsrf, logout);
  router.get('/admin/account', requireAdmin, adminChrome, showAccount);
  router.post('/admin/account', formBody, requireAdmin, verifyCsrf, updateAccount);
  router.post('/admin/account/password', formBody, requireAdmin, verifyCsrf, changePassword);
  // Multipart, parsed (after sign-in is checked) by uploadBody instead of formBody; refusals answered as the sender reads them.
  router.post('/admin/media', requireAdminToUpload, uploadBody, verifyCsrfFieldOrHeader, uploadMedia, answerUploadError);
  router.get('/admin/articles', requireAdmin, adminChrome, showArticleList);
  // The editor: its fixed paths before the /:id ones; its bodies (up to 1 MB of text) are parsed after the session check.
  router.get('/admin/articles/new', requireAdmin, adminChrome, showNewArticle);
  router.post('/admin/articles', requireAdmin, editorFormBody, verifyCsrf, createArticleFromEditor);
  router.post('/admin/articles/preview-body', requireAdmin, editorJsonBody, verifyCsrfFieldOrHeader, previewBody);
  router.get('/admin/articles/:id/edit', requireAdmin, adminChrome, showEditor);
  router.get('/admin/articles/:id/preview', requireAdmin, previewArticle);
  router.post('/admin/articles/:id', requireAdmin, editorFormBody, verifyCsrf, saveArticleFromEditor);
  router.post('/admin/articles/:id/autosave', requireAdmin, editorJsonBody, verifyCsrfFieldOrHeader, autosaveArticle);
  router.get('/admin/articles/:id/revisions/:revision', requireAdmin, adminChrome, showRevision);
  router.post('/admin/articles/:id/revisions/:revision/restore', formBody, requireAdmin, verifyCsrf, restoreArticleRevision);
  router.post('/admin/articles/:id/status', formBody, requireAdmin, verifyCsrf, setArticleStatus);
  router.get('/admin/articles/:id/delete', requireAdmin, adminChrome, confirmArticleDelete);
  router.post('/admin/articles/:id/delete', formBody, requireAdmin, verifyCsrf, deleteArticle);
  router.get('/admin/comments', requireAdmin, adminChrome, showQueue);
  router.post('/admin/comments/bulk', bulkFormBody(BULK_IDS_MAX), requireAdmin, verifyCsrf, applyBulkAction);
  router.post('/admin/comments/empty', formBody, requireAdmin, verifyCsrf, emptyStatus);
  router.post('/admin/comments/preferences', formBody, requireAdmin, verifyCsrf, saveScreenOptions);
  router.get('/admin/comments/:id', requireAdmin, adminChrome, showQueuedComment);
  router.post('/admin/comments/undo', formBody, requireAdmin, verifyCsrf, undoModeration);
  router.post('/admin/comments/:id/status', formBody, requireAdmin, verifyCsrf, setCommentStatus);
  router.post('/admin/comments/:id/restore', formBody, requireAdmin, verifyCsrf, restoreComment);
  router.post('/admin/comments/:id/delete', formBody, requireAdmin, verifyCsrf, deleteComment);
  router.post('/admin/comments/:id/reply', formBody, requireAdmin, verifyCsrf, replyToComment);
  router.post('/admin/comments/:id/block', formBody, requireAdmin, verifyCsrf, blockCommenterOfComment);
  router.get('/admin/comments/:id/edit', requireAdmin, adminChrome, showEditForm);
  router.post('/admin/comments/:id/edit', formBody, requireAdmin, verifyCsrf, updateComment);
  router.get('/admin/log', requireAdmin, adminChrome, showLog);
  router.get('/admin/blocks', requireAdmin, adminChrome, showBlocks);
  router.post('/admin/blocks/:id/delete', formBody, requireAdmin, verifyCsrf, liftBlock);
  router.get('/admin/settings/discussion', requireAdmin, adminChrome, showDiscussionSettings);
  router.post('/admin/settings/discussion', formBody, requireAdmin, verifyCsrf, updateDiscussionSettings);
  return router;
}

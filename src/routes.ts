import { Router, type RequestHandler } from 'express';
import { changePassword, showAccount, updateAccount } from './controllers/admin-account.js';
import { login, logout, showLogin } from './controllers/admin-auth.js';
import { blockCommenterOfComment, liftBlock, showBlocks } from './controllers/admin-blocks.js';
import { adminChrome } from './controllers/admin-chrome.js';
import { showEditForm, updateComment } from './controllers/admin-comment-edit.js';
import {
  applyBulkAction,
  deleteComment,
  emptyStatus,
  replyToComment,
  restoreComment,
  setCommentStatus,
  undoModeration,
} from './controllers/admin-comments.js';
import { showLog } from './controllers/admin-log.js';
import { saveScreenOptions } from './controllers/admin-queue-preferences.js';
import { showQueue, showQueuedComment } from './controllers/admin-queue.js';
import { showDiscussionSettings, updateDiscussionSettings } from './controllers/admin-settings.js';
import { showArticle, showCommentPage, showCommentPermalink, showHome } from './controllers/articles.js';
import { showAvatar } from './controllers/avatars.js';
import { createComment } from './controllers/comments.js';
import { confirmWithdrawOwnComment, showOwnCommentEdit, updateOwnCommentText, withdrawOwnComment } from './controllers/commenter.js';
import { showArticleFeed, showCommentFeed } from './controllers/feeds.js';
import { showHealth, showReadiness } from './controllers/health.js';
import { showRobots, showSitemap } from './controllers/seo.js';
import { confirmUnsubscribe, showUnsubscribe } from './controllers/unsubscribe.js';
import { requireAdmin, saveSessionBeforeRedirect } from './middleware/admin-session.js';
import { bulkFormBody } from './middleware/form-body.js';
import { provideCsrfToken, verifyCsrf } from './middleware/csrf.js';

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
  router.get('/robots.txt', showRobots);
  router.get('/sitemap.xml', showSitemap);
  router.get('/avatars/:hash.svg', showAvatar);
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
  router.get('/admin/comments', requireAdmin, adminChrome, showQueue);
  router.post('/admin/comments/bulk', bulkFormBody, requireAdmin, verifyCsrf, applyBulkAction);
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

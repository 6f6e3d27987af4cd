import { Router, type RequestHandler } from 'express';
import { changePassword, showAccount, signOutOtherSessions, updateAccount } from './admin-auth/account-handlers.js';
import { noteSessionDeviceOnEachRequest } from './admin-auth/session-devices.js';
import {
  choosePasswordWithLink,
  requestPasswordReset,
  showPasswordResetChoose,
  showPasswordResetRequest,
} from './admin-auth/password-reset-handlers.js';
import { login, logout, showLogin } from './admin-auth/sign-in-handlers.js';
import { loginTwoFactor, showTwoFactorLogin } from './admin-auth/two-factor-sign-in.js';
import { enrolTwoFactor, removeTwoFactor } from './admin-auth/two-factor-handlers.js';
import { holdUntilTwoFactorEnrolled } from './admin-auth/two-factor-policy.js';
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
import { showAccountLog } from './people/account-log-handlers.js';
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
import { requirePermission } from './people/permissions.js';
import type { Permission } from './people/roles.js';
import { requireOwnArticle, requireOwnComment } from './people/ownership.js';
import { createPersonWithPassword, deletePerson, showPeople, updatePerson } from './people/people-handlers.js';
import { acceptInvitation, invitePerson, showInvitation } from './people/invitation-handlers.js';
import { bulkFormBody } from './platform/http/form-body.js';
import { serverTiming } from './platform/http/server-timing.js';
import { verifyCsrf, verifyCsrfFieldOrHeader } from './admin-auth/csrf.js';
// imports: moving in and out
import { redirectLegacyPath, redirectWordpressComment } from './moving/legacy-address-handlers.js';
import { downloadExport, showExport } from './moving/wordpress-export-handlers.js';
import { answerImportUploadError, showImport, showImportJob, startImportFromUpload } from './moving/import-page-handlers.js';
import { importUploadBody } from './moving/import-upload.js';
// imports: keeping less
import { showPrivacyNotice } from './privacy/privacy-notice-handlers.js';
// imports: privacy requests
import { confirmRequest, requestYourData, showConfirmRequest, showYourData } from './privacy/your-data-handlers.js';
import {
  confirmForPerson,
  postEraseRequest,
  postExportRequest,
  showEraseRequests,
  showExportRequests,
} from './privacy/admin-privacy-handlers.js';

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
  // reader routes: keeping less
  router.get('/privacy', showPrivacyNotice);
  // reader routes: privacy requests
  router.get('/your-data', showYourData);
  router.post('/your-data', formBody, requestYourData);
  router.get('/your-data/confirm', showConfirmRequest);
  router.post('/your-data/confirm', formBody, confirmRequest);

  // Only /admin ever sees a session: readers and commenters never get one.
  router.use('/admin', serverTiming, privatePage, session, saveSessionBeforeRedirect, noteSessionDeviceOnEachRequest);
  router.use('/admin', holdUntilTwoFactorEnrolled);
  // Each admin area: signed in, then the role's permission (the contract's roles table); an author's own articles only.
  const allow = (permission: Permission) => [requireAdmin, requirePermission(permission)];
  const ownArticle = [...allow('articles'), requireOwnArticle];
  const ownComment = [...allow('comments'), requireOwnComment];
  const mediaUploader = [requireAdminToUpload, requirePermission('media')];
  router.get('/admin', requireAdmin, (_req, res) => res.redirect(303, '/admin/comments'));
  router.get('/admin/login', showLogin);
  router.post('/admin/login', formBody, login);
  // Signed out by nature: no requireAdmin, and no session is made (same-origin checked app-wide).
  router.get('/admin/password-reset', showPasswordResetRequest);
  router.post('/admin/password-reset', formBody, requestPasswordReset);
  router.get('/admin/password-reset/:token', showPasswordResetChoose);
  router.post('/admin/password-reset/:token', formBody, choosePasswordWithLink);
  router.get('/admin/login/two-factor', showTwoFactorLogin);
  router.post('/admin/login/two-factor', formBody, loginTwoFactor);
  router.post('/admin/account/two-factor', formBody, requireAdmin, verifyCsrf, enrolTwoFactor);
  router.post('/admin/account/two-factor/disable', formBody, requireAdmin, verifyCsrf, removeTwoFactor);
  router.post('/admin/logout', formBody, requireAdmin, verifyCsrf, logout);
  router.get('/admin/account', requireAdmin, adminChrome, showAccount);
  router.post('/admin/account', formBody, requireAdmin, verifyCsrf, updateAccount);
  router.post('/admin/account/password', formBody, requireAdmin, verifyCsrf, changePassword);
  router.post('/admin/account/sessions/sign-out-others', formBody, requireAdmin, verifyCsrf, signOutOtherSessions);
  // Multipart, parsed (after sign-in is checked) by uploadBody instead of formBody; refusals answered as the sender reads them.
  router.post('/admin/media', mediaUploader, uploadBody, verifyCsrfFieldOrHeader, uploadMedia, answerUploadError);
  router.get('/admin/articles', allow('articles'), showArticleList);
  // The editor: its fixed paths before the /:id ones; its bodies (up to 1 MB of text) are parsed after the session check.
  router.get('/admin/articles/new', allow('articles'), adminChrome, showNewArticle);
  router.post('/admin/articles', allow('articles'), editorFormBody, verifyCsrf, createArticleFromEditor);
  router.post('/admin/articles/preview-body', allow('articles'), editorJsonBody, verifyCsrfFieldOrHeader, previewBody);
  router.get('/admin/articles/:id/edit', ownArticle, adminChrome, showEditor);
  router.get('/admin/articles/:id/preview', ownArticle, previewArticle);
  router.post('/admin/articles/:id', ownArticle, editorFormBody, verifyCsrf, saveArticleFromEditor);
  router.post('/admin/articles/:id/autosave', ownArticle, editorJsonBody, verifyCsrfFieldOrHeader, autosaveArticle);
  router.get('/admin/articles/:id/revisions/:revision', ownArticle, adminChrome, showRevision);
  router.post('/admin/articles/:id/revisions/:revision/restore', formBody, ownArticle, verifyCsrf, restoreArticleRevision);
  router.post('/admin/articles/:id/status', formBody, ownArticle, verifyCsrf, setArticleStatus);
  router.get('/admin/articles/:id/delete', ownArticle, adminChrome, confirmArticleDelete);
  router.post('/admin/articles/:id/delete', formBody, ownArticle, verifyCsrf, deleteArticle);
  // Loads the layout's chrome itself, beside the queue's own queries (as the article list does).
  router.get('/admin/comments', allow('comments'), showQueue);
  router.post('/admin/comments/bulk', bulkFormBody(BULK_IDS_MAX), allow('comments'), verifyCsrf, applyBulkAction);
  router.post('/admin/comments/empty', formBody, allow('comments'), verifyCsrf, emptyStatus);
  router.post('/admin/comments/preferences', formBody, allow('comments'), verifyCsrf, saveScreenOptions);
  router.get('/admin/comments/:id', ownComment, adminChrome, showQueuedComment);
  router.post('/admin/comments/undo', formBody, allow('comments'), verifyCsrf, undoModeration);
  router.post('/admin/comments/:id/status', formBody, ownComment, verifyCsrf, setCommentStatus);
  router.post('/admin/comments/:id/restore', formBody, ownComment, verifyCsrf, restoreComment);
  router.post('/admin/comments/:id/delete', formBody, ownComment, verifyCsrf, deleteComment);
  router.post('/admin/comments/:id/reply', formBody, ownComment, verifyCsrf, replyToComment);
  router.post('/admin/comments/:id/block', formBody, allow('blocks'), verifyCsrf, blockCommenterOfComment);
  router.get('/admin/comments/:id/edit', ownComment, adminChrome, showEditForm);
  router.post('/admin/comments/:id/edit', formBody, ownComment, verifyCsrf, updateComment);
  router.get('/admin/log', allow('moderation-log'), adminChrome, showLog);
  router.get('/admin/people/log', allow('people'), adminChrome, showAccountLog);
  router.get('/admin/people', allow('people'), adminChrome, showPeople);
  router.post('/admin/people', formBody, allow('people'), verifyCsrf, createPersonWithPassword);
  router.post('/admin/people/invite', formBody, allow('people'), verifyCsrf, invitePerson);
  router.post('/admin/people/:id', formBody, allow('people'), verifyCsrf, updatePerson);
  router.post('/admin/people/:id/delete', formBody, allow('people'), verifyCsrf, deletePerson);
  // An invitation is opened by someone with no account yet: no session is needed, the link is the key.
  router.get('/admin/invitation/:token', showInvitation);
  router.post('/admin/invitation/:token', formBody, acceptInvitation);
  router.get('/admin/blocks', allow('blocks'), adminChrome, showBlocks);
  router.post('/admin/blocks/:id/delete', formBody, allow('blocks'), verifyCsrf, liftBlock);
  router.get('/admin/settings/discussion', allow('settings'), adminChrome, showDiscussionSettings);
  router.post('/admin/settings/discussion', formBody, allow('settings'), verifyCsrf, updateDiscussionSettings);
  // admin routes: moving in and out
  router.get('/admin/export', allow('import-export'), adminChrome, showExport);
  router.get('/admin/export/download', allow('import-export'), downloadExport);
  const importer = allow('import-export');
  // Multipart: the export streams to a temporary file (after sign-in and the token) and is imported by a child process.
  router.get('/admin/import', importer, adminChrome, showImport);
  router.post('/admin/import', importer, importUploadBody, verifyCsrfFieldOrHeader, startImportFromUpload, answerImportUploadError);
  router.get('/admin/import/:id', importer, adminChrome, showImportJob);
  // admin routes: privacy requests
  router.get('/admin/privacy/export', allow('privacy'), adminChrome, showExportRequests);
  router.post('/admin/privacy/export', formBody, allow('privacy'), verifyCsrf, postExportRequest);
  router.get('/admin/privacy/erase', allow('privacy'), adminChrome, showEraseRequests);
  router.post('/admin/privacy/erase', formBody, allow('privacy'), verifyCsrf, postEraseRequest);
  router.post('/admin/privacy/requests/:id/confirm', formBody, allow('privacy'), verifyCsrf, confirmForPerson);
  // old WordPress addresses, last: they never shadow a route of the site
  router.get('/comments/wp/:id', redirectWordpressComment);
  router.use(redirectLegacyPath);
  return router;
}

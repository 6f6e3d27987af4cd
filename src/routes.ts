import { Router, type RequestHandler } from 'express';
import { login, logout, showLogin } from './controllers/admin-auth.js';
import { showArticle, showHome } from './controllers/articles.js';
import { createComment } from './controllers/comments.js';
import { showHealth, showReadiness } from './controllers/health.js';
import { requireAdmin } from './middleware/admin-session.js';
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
  router.post('/articles/:slug/comments', formBody, createComment);
  router.get('/healthz', showHealth);
  router.get('/readyz', showReadiness);

  // Only /admin ever sees a session: readers and commenters never get one.
  router.use('/admin', privatePage, session);
  router.get('/admin', requireAdmin, (_req, res) => res.redirect(303, '/admin/comments'));
  router.get('/admin/login', showLogin);
  router.post('/admin/login', formBody, login);
  router.post('/admin/logout', formBody, requireAdmin, verifyCsrf, logout);
  return router;
}

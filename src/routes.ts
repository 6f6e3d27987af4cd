import { Router } from 'express';
import { showArticle, showHome } from './controllers/articles.js';
import { createComment } from './controllers/comments.js';
import { showHealth, showReadiness } from './controllers/health.js';

/** Every URL the site answers. */
export function createRoutes(formBody: ReturnType<typeof import('express').urlencoded>): Router {
  const router = Router();
  router.get('/', showHome);
  router.get('/articles/:slug', showArticle);
  router.post('/articles/:slug/comments', formBody, createComment);
  router.get('/healthz', showHealth);
  router.get('/readyz', showReadiness);
  return router;
}

import type { RequestHandler, Router } from 'express';
import { HttpError } from '../http-error.js';

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/**
 * After the routes: a request no route answered, to a path that some route
 * does answer with another method, gets 405 and an Allow header, not 404.
 */
export function methodNotAllowed(router: Router): RequestHandler {
  return (req, _res, next) => {
    const allowed = new Set<string>();
    for (const layer of router.stack as unknown as RouteLayer[]) {
      if (!layer.route || !layer.match(req.path)) continue;
      for (const method of Object.keys(layer.route.methods)) allowed.add(method.toUpperCase());
    }
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    next(new HttpError(405, `This address does not accept ${req.method} requests.`, { Allow: [...allowed].sort().join(', ') }));
  };
}

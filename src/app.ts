import cookieParser from 'cookie-parser';
import ejs from 'ejs';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type pg from 'pg';
import type { AppContext } from './platform/context.js';
import type { Logger } from './platform/logger.js';
import { errorHandler, notFound } from './platform/http/errors.js';
import { adminSession } from './admin-auth/admin-session.js';
import { ChangeFollowedMemo, PageCache, serveCachedPages } from './platform/page-cache/index.js';
import { formBodyParser } from './platform/http/form-body.js';
import { requestLog } from './platform/http/request-log.js';
import { methodNotAllowed } from './platform/http/method-not-allowed.js';
import { sameOriginOnly } from './platform/http/same-origin.js';
import { serveStaticAssets } from './platform/http/static-assets.js';
import { createFloodControl } from './comments/flood-control.js';
import { createHeldMailBudget } from './mail/held-mail-budget.js';
import { createLoginThrottle } from './admin-auth/login-throttle.js';
import { viewsDir } from './platform/paths.js';
import { viewHelpers } from './platform/rendering/format.js';
import { createRoutes } from './routes.js';

export interface AppDependencies extends Omit<AppContext, 'now' | 'loginThrottle' | 'flood' | 'heldMailBudget' | 'pageCache' | 'memo'> {
  logger: Logger;
  /** The pool behind admin sessions (connect-pg-simple). */
  sessionPool: pg.Pool;
  now?: () => number;
  /** Memory for the rendered-page cache; its own default when left out. */
  pageCacheBytes?: number;
}

/** The cache of rendered pages, for the process that feeds it change notifications. */
export function pageCacheOf(app: Express): PageCache {
  return (app.locals.context as AppContext).pageCache;
}

/** The memo of what comment posts read, for the process that feeds it change notifications. */
export function memoOf(app: Express): ChangeFollowedMemo {
  return (app.locals.context as AppContext).memo;
}

function securityOptions(production: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Articles may show images from other https sites (an imported blog's old host, say); the sanitiser
        // lets no other scheme through. Comments carry no images; Gravatar's avatars come only when enabled.
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  };
}

/**
 * The headers a middleware sets, as flat name/value pairs. Helmet's depend
 * only on its options, so the cached-page fast path sends them without
 * running helmet for every hit.
 */
function headersSetBy(middleware: RequestHandler): string[] {
  const headers: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push(name, String(value)),
    removeHeader: () => {},
  };
  middleware({} as Request, recorder as unknown as Response, () => {});
  return headers;
}

/** Builds the whole site as a value; server.ts is what listens. */
export function createApp(dependencies: AppDependencies): Express {
  const { config, logger } = dependencies;
  const production = config.env === 'production';
  const app = express();

  app.disable('x-powered-by');
  app.set('etag', false);
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.set('views', viewsDir);
  // EJS 7 ignores Express's `view options`: give it its options here, or
  // production would compile every template with line tracking on.
  app.engine(
    'ejs',
    (file: string, data: object, done: (error: Error | null, html?: string) => void) =>
      void ejs.renderFile(file, data as ejs.Data, { cache: production, compileDebug: !production, views: [viewsDir] }, done),
  );
  app.set('view engine', 'ejs');
  app.set('view cache', production);
  const context: AppContext = {
    config,
    db: dependencies.db,
    cookieSecret: dependencies.cookieSecret,
    now: dependencies.now ?? Date.now,
    loginThrottle: createLoginThrottle(dependencies.db),
    flood: createFloodControl(dependencies.now ?? Date.now),
    heldMailBudget: createHeldMailBudget(),
    pageCache: new PageCache({ now: dependencies.now ?? Date.now, maxBytes: dependencies.pageCacheBytes }),
    memo: new ChangeFollowedMemo(),
  };
  app.locals.context = context;
  Object.assign(app.locals, viewHelpers, { siteName: 'Broadsheet', baseUrl: config.baseUrl });

  const security = helmet(securityOptions(production));
  // Cached pages go out first, before the per-request work of everything
  // below (request log included: it logs hits more cheaply itself).
  app.use(serveCachedPages(headersSetBy(security), logger));
  app.use(requestLog(logger));
  app.use(security);
  app.use(serveStaticAssets({ production }));
  app.use(cookieParser(dependencies.cookieSecret));
  const site = new URL(config.baseUrl);
  app.use(sameOriginOnly(site.origin));

  const formBody = formBodyParser();
  // An https site's cookie is always Secure. Otherwise it follows the request
  // (TRUST_PROXY tells a proxy's https apart), so a site tried out over plain
  // http, such as the compose profiles on localhost, can still be signed in to.
  const secure = site.protocol === 'https:' ? true : 'auto';
  const session = adminSession({ pool: dependencies.sessionPool, secret: dependencies.cookieSecret, secure });
  const routes = createRoutes({ formBody, session });
  app.use(routes);
  app.use(methodNotAllowed(routes));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { AppContext } from './context.js';
import type { Logger } from './logger.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { adminSession } from './middleware/admin-session.js';
import { requestLog } from './middleware/request-log.js';
import { methodNotAllowed } from './middleware/method-not-allowed.js';
import { sameOriginOnly } from './middleware/same-origin.js';
import { createFloodControl } from './services/flood-control.js';
import { createLoginThrottle } from './services/login-throttle.js';
import { PageCache } from './services/page-cache.js';
import { publicDir, viewsDir } from './paths.js';
import { viewHelpers } from './rendering/format.js';
import { createRoutes } from './routes.js';

export interface AppDependencies extends Omit<AppContext, 'now' | 'loginThrottle' | 'flood' | 'pageCache'> {
  logger: Logger;
  /** The pool behind admin sessions (connect-pg-simple). */
  sessionPool: pg.Pool;
  now?: () => number;
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
  app.set('view engine', 'ejs');
  app.set('view cache', production);
  app.set('view options', { compileDebug: !production, rmWhitespace: false });
  const context: AppContext = {
    config,
    db: dependencies.db,
    cookieSecret: dependencies.cookieSecret,
    now: dependencies.now ?? Date.now,
    loginThrottle: createLoginThrottle(dependencies.db),
    flood: createFloodControl(dependencies.db),
    pageCache: new PageCache(),
  };
  app.locals.context = context;
  Object.assign(app.locals, viewHelpers, { siteName: 'Broadsheet', baseUrl: config.baseUrl });

  app.use(requestLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    }),
  );
  // Static files live under a few known folders; other paths skip the disk lookup.
  for (const folder of ['css', 'js', 'images']) {
    app.use(`/${folder}`, express.static(path.join(publicDir, folder), { maxAge: production ? '1d' : 0, index: false }));
  }
  app.use(cookieParser(dependencies.cookieSecret));
  app.use(sameOriginOnly(new URL(config.baseUrl).origin));

  const formBody = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 50 });
  const session = adminSession({ pool: dependencies.sessionPool, secret: dependencies.cookieSecret, secure: production });
  const routes = createRoutes({ formBody, session });
  app.use(routes);
  app.use(methodNotAllowed(routes));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

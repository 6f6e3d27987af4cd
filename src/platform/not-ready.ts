import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

const RETRY_AFTER_SECONDS = '5';

/*
 * Answered before the app and its templates are loaded, so it is a fixed
 * page with nothing that could fail to load: no stylesheet, no script.
 */
const STARTING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Temporarily unavailable – Broadsheet</title></head>
<body>
<main>
<h1>Temporarily unavailable</h1>
<p>The site is starting and cannot reach its database yet. Please try again in a moment.</p>
</main>
</body>
</html>
`;

function securityHeaders(production: boolean): Record<string, string> {
  return {
    'Content-Security-Policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...(production ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** While not ready: the process is up (/healthz 200), everything else is 503 with Retry-After. */
function answerNotReady(production: boolean): RequestListener {
  const headers = securityHeaders(production);
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const [status, type, body] =
      path === '/healthz'
        ? [200, 'text/plain; charset=utf-8', 'ok']
        : path === '/readyz'
          ? [503, 'text/plain; charset=utf-8', 'starting: the database is not ready']
          : [503, 'text/html; charset=utf-8', STARTING_PAGE];
    res.writeHead(status, {
      ...headers,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      ...(status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export interface Gate {
  /** The server's request handler: not-ready answers until `open`, then the app. */
  readonly handle: RequestListener;
  open(app: RequestListener): void;
  readonly isOpen: boolean;
}

/**
 * Stands in front of the app while the database is being reached and
 * migrated, so that the port answers at once and nothing half-initialised
 * ever serves: the app is swapped in whole, once it is ready.
 */
export function createGate(options: { production: boolean }): Gate {
  let current = answerNotReady(options.production);
  let isOpen = false;
  return {
    handle: (req, res) => current(req, res),
    open(app) {
      current = app;
      isOpen = true;
    },
    get isOpen() {
      return isOpen;
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { contextOf, type AppContext } from '../context.js';
import type { Logger } from '../logger.js';
import { readArticlePageVersion, readHomePageVersion, type HomePageVersion } from './page-versions.js';
import { readSettingsVersion } from '../../settings/settings-queries.js';
import { isKnownCommenterByHeader } from '../../comments/commenter-cookies.js';
import { type CachedPage, type PerResponseValue } from './page-cache.js';
import { gzipPieces, identityPieces } from './page-encoding.js';
import { stampForm } from '../signed-tokens.js';

/**
 * Cached pages on the wire: the fast path that answers them before the
 * router, and the sender the controllers use too. A cached page goes out
 * with precomputed validators (304 for If-None-Match / If-Modified-Since),
 * gzip or brotli chosen by Accept-Encoding, and fresh per-response values.
 */

/** Where a page lives in the cache, and how to ask the database for its version. */
export type PageAddress = { key: string } & ({ kind: 'article'; slug: string; replyTo: string | null } | { kind: 'home' });

export const articleAddress = (slug: string, commentPage: number | null, replyTo: string | null = null): PageAddress => ({
  key: `article:${slug}${commentPage === null ? '' : `:page:${commentPage}`}${replyTo === null ? '' : `:replytocom:${replyTo}`}`,
  kind: 'article',
  slug,
  replyTo,
});

export const homeAddress = (page: number): PageAddress => ({ key: `home:${page}`, kind: 'home' });

/**
 * What a query parameter does to a cached page: `values` are those that
 * make a page of their own; any other value is `ignored` (the page is the
 * one without it) or sends the request to the `router` (which answers it,
 * a 404 for a page number that is none). A rule of just `router` says the
 * parameter makes the request another route's (as WordPress's `/?p=ID`
 * would be).
 */
type ParameterRule = { values: RegExp; otherwise: 'ignored' | 'router' } | 'router';

/**
 * The query parameters each cached route declares; every other parameter
 * (utm_source, fbclid, a cache-busting nonce) is ignored, and the request is
 * answered as if it were not there.
 */
const ROUTE_PARAMETERS = {
  home: { page: { values: /^[1-9]\d{0,5}$/, otherwise: 'router' } },
  article: { replytocom: { values: /^[1-9]\d{0,17}$/, otherwise: 'ignored' } },
} satisfies Record<PageAddress['kind'], Record<string, ParameterRule>>;

/** The declared parameters' values in a query; null when one sends the request to the router. */
function declaredParameters(rules: Record<string, ParameterRule>, search: string): Map<string, string> | null {
  const found = new Map<string, string>();
  if (!search) return found;
  const query = new URLSearchParams(search);
  for (const [name, rule] of Object.entries(rules)) {
    const values = query.getAll(name);
    if (values.length === 0) continue;
    if (rule === 'router') return null;
    // A repeated parameter has no one value: as a value that is none.
    if (values.length === 1 && rule.values.test(values[0]!)) found.set(name, values[0]!);
    else if (rule.otherwise === 'router') return null;
  }
  return found;
}

/** The query part of a URL, without its `?`. */
const searchOf = (url: string) => {
  const mark = url.indexOf('?');
  return mark < 0 ? '' : url.slice(mark + 1);
};

/** The cached article page a request for this article (and comment page) stands for, whatever else its query holds. */
export function articleAddressFor(slug: string, commentPage: number | null, url: string): PageAddress {
  const parameters = declaredParameters(ROUTE_PARAMETERS.article, searchOf(url));
  return articleAddress(slug, commentPage, parameters?.get('replytocom') ?? null);
}

/** The cached page of the article list a request stands for; null when the router must answer it (a page number that is none). */
export function homeAddressFor(url: string): PageAddress | null {
  const parameters = declaredParameters(ROUTE_PARAMETERS.home, searchOf(url));
  if (!parameters) return null;
  return homeAddress(Number(parameters.get('page') ?? 1));
}

const ARTICLE_PATH = /^\/articles\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\/comment-page-([1-9]\d{0,5}))?\/?$/;

/**
 * The cached page a request may be answered with, judged from its raw URL
 * and cookies; null: ask the router. A reader known as a commenter (by
 * cookies signed or shaped as this site writes them) has an article page of
 * their own; junk cookies do not make one.
 */
export function addressOf(url: string, cookieHeader: string | undefined, cookieSecret: string): PageAddress | null {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  if (path === '/') return homeAddressFor(url);
  const article = path.startsWith('/articles/') ? ARTICLE_PATH.exec(path) : null;
  if (!article || isKnownCommenterByHeader(cookieHeader, cookieSecret)) return null;
  return articleAddressFor(article[1]!, article[2] ? Number(article[2]) : null, url);
}

/**
 * Answers GET and HEAD for cached pages ahead of the rest of the app, with
 * the security headers helmet would have set (`securityHeaders`, flat
 * name/value pairs), a request id, and the line the request log would have
 * written. Anything it cannot answer goes on untouched.
 */
export function cachedPages(securityHeaders: readonly string[], logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const { pageCache, cookieSecret } = contextOf(req);
    const address = addressOf(req.url, req.headers.cookie, cookieSecret);
    if (!address) return next();
    const page = pageCache.peek(address.key);
    if (!page) return next();
    const startedAt = Date.now();
    const requestId = randomUUID();
    const headers = securityHeaders.concat('X-Request-Id', requestId);
    if (pageCache.listening && !pageCache.localWritesHeard()) {
      sendCachedPage(req, res, page, 'hit', headers);
      return logHit(logger, req, res, requestId, startedAt);
    }
    // Whatever goes wrong here, the full path answers (and logs) instead.
    serveCachedPage(req, res, address, headers).then(
      (served) => (served ? logHit(logger, req, res, requestId, startedAt) : next()),
      () => (res.headersSent ? res.destroy() : next()),
    );
  };
}

/**
 * The line pino-http writes for a request, without its per-request child
 * logger and listeners: under load those cost a tenth of a hit's time,
 * more than anything else the app adds to sending the bytes.
 */
function logHit(logger: Logger, req: Request, res: Response, id: string, startedAt: number): void {
  if (!logger.isLevelEnabled('info')) return;
  res.once('finish', () => {
    logger.info(
      { req: { id, method: req.method, path: req.url.split('?')[0] }, res: { status: res.statusCode }, responseTime: Date.now() - startedAt },
      'request completed',
    );
  });
}

/**
 * Sends the cached page at `address` if it is current; false when there is
 * none. While listening, a page held is current once this process's own
 * writes have been heard; otherwise its version is checked in the database.
 * `rendered` is a page a render under way handed over without keeping it
 * (too large for the cache): it is sent under the same checks.
 */
export async function serveCachedPage(
  req: Request,
  res: Response,
  address: PageAddress,
  extraHeaders: readonly string[] = [],
  rendered: CachedPage | null = null,
): Promise<boolean> {
  const context = contextOf(req);
  const { pageCache } = context;
  const find = () => pageCache.peek(address.key) ?? (rendered && pageCache.isCurrent(rendered) ? rendered : null);
  if (!find()) return false;
  let current: string | null = null;
  if (pageCache.listening) {
    await pageCache.localWritesHeard();
  } else {
    current = await currentVersion(context, address);
  }
  const page = find();
  if (!page || (current !== null && page.version !== current)) return false;
  // The cache may have stopped listening while we waited; then only the version check counts.
  if (current === null && !pageCache.listening) return false;
  sendCachedPage(req, res, page, page === rendered ? 'shared' : 'hit', extraHeaders);
  return true;
}

async function currentVersion({ db }: AppContext, address: PageAddress): Promise<string | null> {
  if (address.kind === 'home') return (await readHomeListVersion(db)).version;
  return readArticlePageVersion(db, address.slug);
}

/** The article list's version, with the settings' (its dates are in the site's zone). */
export async function readHomeListVersion(db: AppContext['db']): Promise<HomePageVersion> {
  const [list, settings] = await Promise.all([readHomePageVersion(db), readSettingsVersion(db)]);
  return { ...list, version: `${list.version}:${settings}` };
}

/** Writes a cached page: 304 when the reader's copy is current, else its bytes in the best encoding they accept. */
export function sendCachedPage(
  req: Request,
  res: Response,
  page: CachedPage,
  /** shared: not kept (too large), but rendered for a request this one waited on. */
  state: 'hit' | 'miss' | 'shared',
  extraHeaders: readonly string[] = [],
): void {
  const headers = extraHeaders.concat(
    'Vary', 'Accept-Encoding',
    'Cache-Control', 'no-cache',
    'ETag', page.etag,
    'Last-Modified', page.lastModified,
    'X-Page-Cache', state,
  );
  if (isNotModified(req, page)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const encoding = chooseEncoding(req.headers['accept-encoding'], page.brotli !== null);
  let pieces: Buffer[];
  if (encoding === 'br') {
    pieces = [page.brotli!];
  } else {
    const values = freshValues(contextOf(req), page.gaps);
    pieces = encoding === 'gzip' ? gzipPieces(page, values) : identityPieces(page, values);
  }
  let length = 0;
  for (const piece of pieces) length += piece.length;
  headers.push('Content-Type', 'text/html; charset=utf-8', 'Content-Length', String(length));
  if (encoding !== 'identity') headers.push('Content-Encoding', encoding);
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // Node corks the socket for writes in one tick: the pieces go out together, uncopied.
  for (let index = 0; index < pieces.length - 1; index++) res.write(pieces[index]);
  res.end(pieces[pieces.length - 1]);
}

let lastStamp = { secret: '', ms: -1, stamp: '' };

/** The form's stamp has millisecond resolution: under load many responses share one HMAC. */
function formStamp(secret: string, ms: number): string {
  if (lastStamp.ms !== ms || lastStamp.secret !== secret) lastStamp = { secret, ms, stamp: stampForm(secret, ms) };
  return lastStamp.stamp;
}

/** A fresh value for each gap of a cached page, in order. */
export function freshValues(context: AppContext, gaps: readonly PerResponseValue[]): Buffer[] {
  return gaps.map((kind) =>
    Buffer.from(kind === 'submission-id' ? randomUUID() : formStamp(context.cookieSecret, Math.floor(context.now())), 'latin1'),
  );
}

/**
 * If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). ETags compare
 * weakly: ours are weak, the page read being the same while its form tokens
 * differ per response.
 */
function isNotModified(req: Request, page: CachedPage): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const opaque = page.etag.slice(2);
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === opaque;
    });
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince === undefined || !page.honoursIfModifiedSince) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && since >= page.lastModifiedMs;
}

type Encoding = 'br' | 'gzip' | 'identity';
const acceptedByHeader = new Map<string, { br: number; gzip: number }>();

/** Browsers send the same few Accept-Encoding values: each is parsed once. */
function chooseEncoding(header: string | undefined, brotliAvailable: boolean): Encoding {
  if (!header) return 'identity';
  let accepted = acceptedByHeader.get(header);
  if (!accepted) {
    accepted = parseAcceptEncoding(header);
    if (acceptedByHeader.size >= 200) acceptedByHeader.clear();
    acceptedByHeader.set(header, accepted);
  }
  if (brotliAvailable && accepted.br > 0 && accepted.br >= accepted.gzip) return 'br';
  return accepted.gzip > 0 ? 'gzip' : 'identity';
}

/** The q-value given to br and to gzip (RFC 9110 12.5.3); `*` covers what is not named. */
export function parseAcceptEncoding(header: string): { br: number; gzip: number } {
  const named = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [coding = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (!coding) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    named.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0);
  }
  const wildcard = named.get('*') ?? 0;
  return { br: named.get('br') ?? wildcard, gzip: named.get('gzip') ?? wildcard };
}

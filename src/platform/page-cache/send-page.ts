import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { contextOf, type AppContext } from '../context.js';
import { stampForm } from '../signed-tokens.js';
import type { CachedPage, Slot } from './page-cache.js';
import { gzipPieces, identityPieces } from './page-encoding.js';

/**
 * A cached page on the wire: 304 when the reader's copy is current (by the
 * precomputed validators), else its bytes in the best encoding they accept,
 * with fresh form values in its slots.
 */
export function sendPage(
  req: Request,
  res: Response,
  page: CachedPage,
  /** shared: not kept (too large), but rendered for a request this one waited on. */
  state: 'hit' | 'miss' | 'shared',
  extraHeaders: readonly string[] = [],
): void {
  const headers = extraHeaders.concat(
    'Vary',
    'Accept-Encoding',
    'Cache-Control',
    'no-cache',
    'ETag',
    page.etag,
    'Last-Modified',
    page.lastModified,
    'X-Page-Cache',
    state,
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
    const values = freshValues(contextOf(req), page.slots);
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

/** A fresh value for each slot of a cached page, in order. */
function freshValues(context: AppContext, slots: readonly Slot[]): Buffer[] {
  return slots.map((slot) =>
    Buffer.from(slot === 'submission-id' ? randomUUID() : formStamp(context.cookieSecret, Math.floor(context.now())), 'latin1'),
  );
}

/**
 * If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). ETags compare
 * weakly: ours are weak, the page read being the same while its form values
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

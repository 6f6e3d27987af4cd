import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { publicDir } from '../paths.js';

/**
 * The files under public/, read and hashed once at start. Pages link each one
 * by a name carrying its content's hash (`/css/site.1a2b3c4d.css`), so that
 * name can be cached for a year: a changed file is a new name. The plain name
 * (`/css/site.css`) still answers, briefly cached, for pages rendered before.
 *
 * Files are served from memory, exactly the bytes that were hashed: a file
 * edited under a running process cannot appear under its old hash. public/
 * is small (stylesheets, scripts, a few SVGs); a change takes a restart.
 */

export interface Asset {
  /** As templates name it: `css/site.css`. */
  name: string;
  /** 8 hex digits of the SHA-256 of the content. */
  hash: string;
  /** `/css/site.1a2b3c4d.css` */
  hashedPath: string;
  body: Buffer;
  /** For SVG and PNG images: the intrinsic size, so a page can reserve the room before the image arrives. */
  size: { width: number; height: number } | null;
}

export interface AssetManifest {
  /** By name (`css/site.css`). */
  readonly byName: ReadonlyMap<string, Asset>;
}

const HASHED_NAME = /^(.+)\.([0-9a-f]{8})(\.[^./]+)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Plain names and stale hashes: long enough to spare a burst of requests, short enough to pick up a release. */
const SHORT_LIVED = 'public, max-age=600';

function hashedPathOf(name: string, hash: string): string {
  const extension = path.posix.extname(name);
  const stem = extension ? name.slice(0, -extension.length) : name;
  return `/${stem}.${hash}${extension}`;
}

/** Every file below `folder`, as `/`-separated names relative to `root`; dotfiles and dot-folders are never served. */
function filesUnder(root: string, folder = ''): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const name = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return filesUnder(root, name);
      return entry.isFile() ? [name] : [];
    });
}

const SVG_ROOT = /<svg\b[^>]*>/;
const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** An SVG's width and height attributes (plain numbers), else its viewBox; a PNG's IHDR. */
function intrinsicSize(name: string, body: Buffer): Asset['size'] {
  const extension = path.posix.extname(name).toLowerCase();
  if (extension === '.png' && body.length >= 24 && body.toString('latin1', 12, 16) === 'IHDR') {
    return { width: body.readUInt32BE(16), height: body.readUInt32BE(20) };
  }
  if (extension !== '.svg') return null;
  const tag = SVG_ROOT.exec(body.toString('utf8'))?.[0] ?? '';
  const width = Number(attribute(tag, 'width'));
  const height = Number(attribute(tag, 'height'));
  if (width > 0 && height > 0) return { width, height };
  const box = (attribute(tag, 'viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  return box.length === 4 && box[2]! > 0 && box[3]! > 0 ? { width: box[2]!, height: box[3]! } : null;
}

/** Reads and hashes every file under `root`. */
export function buildAssetManifest(root: string): AssetManifest {
  const byName = new Map<string, Asset>();
  for (const name of filesUnder(root).sort()) {
    const body = readFileSync(path.join(root, name));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
    byName.set(name, { name, hash, hashedPath: hashedPathOf(name, hash), body, size: intrinsicSize(name, body) });
  }
  return { byName };
}

const publicAssets = buildAssetManifest(publicDir);

/**
 * The address to link a file of public/ by: `assetPath('css/site.css')` is
 * `/css/site.<hash>.css`. A leading slash is allowed (`/images/x.svg`, as
 * articles store their figure). A name public/ does not hold comes back as a
 * plain path, so a page that names a missing image still renders.
 */
export function assetPath(name: string): string {
  const relative = name.replace(/^\/+/, '');
  return publicAssets.byName.get(relative)?.hashedPath ?? `/${relative}`;
}

/** The intrinsic size of an image in public/, or null when it is not known. */
export function assetSize(name: string): Asset['size'] {
  return publicAssets.byName.get(name.replace(/^\/+/, ''))?.size ?? null;
}

interface Found {
  asset: Asset;
  cacheControl: string;
}

/**
 * What a request path names: a file by its current hashed name (kept for a
 * year), by its plain name, or by a hash that is no longer current (an
 * instance still on the previous release, or a page rendered before one):
 * the current file, briefly cached, rather than a page without its styles.
 */
function findAsset(manifest: AssetManifest, requestPath: string, plainCacheControl: string): Found | null {
  const name = requestPath.slice(1);
  const plain = manifest.byName.get(name);
  if (plain) return { asset: plain, cacheControl: plainCacheControl };
  const match = HASHED_NAME.exec(name);
  if (!match) return null;
  const asset = manifest.byName.get(`${match[1]}${match[3]}`);
  if (!asset) return null;
  return { asset, cacheControl: asset.hash === match[2] ? IMMUTABLE : plainCacheControl };
}

function send(req: Request, res: Response, { asset, cacheControl }: Found) {
  res.set('Cache-Control', cacheControl);
  // A strong validator from the content, so a brief lifetime costs a 304, not the file.
  res.set('ETag', `"${asset.hash}"`);
  res.type(path.posix.extname(asset.name));
  if (req.fresh) return void res.status(304).end();
  res.send(asset.body);
}

export interface StaticAssetOptions {
  production: boolean;
  /** Tests serve a folder of their own; the site serves public/. */
  manifest?: AssetManifest;
}

/**
 * Serves public/: hashed names for a year, plain names briefly (not cached at
 * all in development), `/favicon.ico` as the site's SVG icon, which browsers
 * ask for whatever the page links. Only names found when public/ was read can
 * match, so path tricks and dotfiles never reach the disk; anything else
 * falls through to the next route and, in the end, the 404 page.
 */
export function serveStaticAssets(options: StaticAssetOptions): Router {
  const manifest = options.manifest ?? publicAssets;
  const plainCacheControl = options.production ? SHORT_LIVED : 'no-cache';
  const router = Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const requestPath = req.path === '/favicon.ico' ? '/favicon.svg' : req.path;
    const found = findAsset(manifest, requestPath, plainCacheControl);
    if (!found) return next();
    send(req, res, found);
  });
  return router;
}

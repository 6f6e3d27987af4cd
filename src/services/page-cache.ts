import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PageShelf } from './page-shelf.js';

/**
 * Rendered pages that many readers see alike, kept in this process with
 * their gzip and brotli forms and validators, so a hit costs no rendering,
 * no compression and, while a listener hears every change, no query.
 *
 * A page depends on tags (an article, the article list, the settings). A
 * change notification drops every page with that tag. To keep a page read
 * before a change but stored after its notification from living on, a
 * render takes a ticket before reading anything; a page whose tags were
 * invalidated since its ticket is not stored.
 *
 * Without a listener (or after losing it) nothing is known to be current:
 * callers then compare the version each page was stored with against the
 * database before serving it.
 *
 * Pages rendered for one reader alone (a commenter's own article page) are
 * kept on a shelf of their own, with their own small budget, under the same
 * tags and tickets: they never push an anonymous page out.
 */

export const HOME_TAG = 'home';
export const SETTINGS_TAG = 'settings';
export const articleTag = (articleId: string) => `article:${articleId}`;

/** A value that differs in every response; the sender makes a fresh one each time. */
export type PerResponseValue = 'submission-id' | 'form-stamp';

export interface Ticket {
  seq: number;
  /** When the render started reading, in ms: the page is at least this fresh. */
  at: number;
}

export interface PageSource {
  html: string;
  /** Each per-response value as rendered in `html` (where it must occur exactly once). */
  perResponse: ReadonlyArray<{ kind: PerResponseValue; rendered: string }>;
  tags: readonly string[];
  /** The database version read before the page's data. */
  version: string;
  /** When the page goes stale with no write at all (a scheduled article, comments closing); ms. */
  expiresAt: number;
}

export interface CachedPage {
  tags: readonly string[];
  version: string;
  expiresAt: number;
  ticket: Ticket;
  /** Weak: per-response values differ, the page read is the same. */
  etag: string;
  lastModified: string;
  lastModifiedMs: number;
  /** Only set by store(): whether If-Modified-Since can be trusted for this page. */
  honoursIfModifiedSince: boolean;
  /** Fixed bytes around the per-response values, and which value fills each gap. */
  parts: Buffer[];
  gaps: PerResponseValue[];
  /** The gzip header and one raw-deflate segment per part; every segment but the last ends byte-aligned and not final. */
  gzipSegments: Buffer[];
  /** CRC-32 of parts[0]: a response only checksums what follows it. */
  firstPartCrc: number;
  /** Only pages without per-response values: brotli output cannot be spliced. */
  brotli: Buffer | null;
  bytes: number;
}

/**
 * A page as rendered for one reader, sent only to requests that would render
 * it alike. Sent as the uncached page is (uncompressed, no validators), so
 * only its text is kept.
 */
export interface PrivatePage {
  parts: Buffer[];
  gaps: PerResponseValue[];
  tags: readonly string[];
  version: string;
  /** The state of the reader's own comments, read before the page's data: checked on every hit. */
  ownComments: string;
  expiresAt: number;
  ticket: Ticket;
  bytes: number;
}

const deflateRaw = promisify(zlib.deflateRaw);
const brotliCompress = promisify(zlib.brotliCompress);
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/**
 * Splits, compresses and fingerprints a rendered page. Null when a
 * per-response value is missing or repeated: such a page cannot be filled
 * in safely and is not cached.
 */
export async function preparePage(source: PageSource, ticket: Ticket): Promise<CachedPage | null> {
  const split = splitAround(source.html, source.perResponse);
  if (!split) return null;
  const { parts, gaps } = split;
  const last = parts.length - 1;
  const [segments, brotli] = await Promise.all([
    Promise.all(
      parts.map((part, index) =>
        deflateRaw(part, { finishFlush: index === last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH }),
      ),
    ),
    gaps.length === 0
      ? brotliCompress(parts[0]!, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: parts[0]!.length },
        })
      : null,
  ]);
  segments[0] = Buffer.concat([GZIP_HEADER, segments[0]!]);
  const fingerprint = createHash('sha256');
  for (const [index, part] of parts.entries()) fingerprint.update(part).update(gaps[index] ?? '');
  const lastModifiedMs = Math.floor(ticket.at / 1000) * 1000;
  const sizeOf = (buffers: Buffer[]) => buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  return {
    tags: source.tags,
    version: source.version,
    expiresAt: source.expiresAt,
    ticket,
    etag: `W/"${fingerprint.digest('base64url').slice(0, 27)}"`,
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
    honoursIfModifiedSince: false,
    parts,
    gaps,
    gzipSegments: segments,
    firstPartCrc: crc32(parts[0]!, 0),
    brotli,
    bytes: sizeOf(parts) + sizeOf(segments) + (brotli?.length ?? 0),
  };
}

/** Splits a page rendered for one reader around its per-response values; null when it cannot be filled in safely. */
export function preparePrivatePage(source: PageSource & { ownComments: string }, ticket: Ticket): PrivatePage | null {
  const split = splitAround(source.html, source.perResponse);
  if (!split) return null;
  return {
    ...split,
    tags: source.tags,
    version: source.version,
    ownComments: source.ownComments,
    expiresAt: source.expiresAt,
    ticket,
    bytes: split.parts.reduce((sum, part) => sum + part.length, 0),
  };
}

function splitAround(html: string, values: PageSource['perResponse']): Pick<CachedPage, 'parts' | 'gaps'> | null {
  const positions = values.map(({ kind, rendered }) => ({ kind, rendered, at: html.indexOf(rendered) }));
  for (const { rendered, at } of positions) {
    if (rendered.length === 0 || at < 0 || html.indexOf(rendered, at + 1) >= 0) return null;
  }
  positions.sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { rendered, at } of positions) {
    if (at < from) return null;
    parts.push(Buffer.from(html.slice(from, at)));
    from = at + rendered.length;
  }
  parts.push(Buffer.from(html.slice(from)));
  return { parts, gaps: positions.map((position) => position.kind) };
}

/** The page's bytes with these per-response values, one per gap, as pieces to write in order. */
export function identityPieces(page: Pick<CachedPage, 'parts' | 'gaps'>, values: readonly Buffer[]): Buffer[] {
  const pieces: Buffer[] = [page.parts[0]!];
  for (let gap = 0; gap < page.gaps.length; gap++) pieces.push(values[gap]!, page.parts[gap + 1]!);
  return pieces;
}

/**
 * The gzip form with these values: one gzip member whose deflate stream is
 * the precompressed segments with each value between them as a stored
 * (uncompressed) block. Segments were compressed independently, so none
 * refers back across a value; only the trailer's checksum is per response.
 */
export function gzipPieces(page: CachedPage, values: readonly Buffer[]): Buffer[] {
  const pieces: Buffer[] = [page.gzipSegments[0]!];
  let crc = page.firstPartCrc;
  let size = page.parts[0]!.length;
  for (let gap = 0; gap < page.gaps.length; gap++) {
    const value = values[gap]!;
    const part = page.parts[gap + 1]!;
    // A stored block holds at most 65,535 bytes (ours hold a few dozen).
    for (let offset = 0; offset < value.length; offset += 0xffff) {
      const chunk = value.subarray(offset, offset + 0xffff);
      pieces.push(storedBlockHeader(chunk.length), chunk);
    }
    pieces.push(page.gzipSegments[gap + 1]!);
    crc = crc32(part, crc32(value, crc));
    size += value.length + part.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  pieces.push(trailer);
  return pieces;
}

/** A non-final stored deflate block of `length` bytes (RFC 1951 3.2.4); we are byte-aligned here. */
function storedBlockHeader(length: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 as gzip needs it, continuing from `crc`: zlib's own where Node has it (20.15+). */
export function crc32(data: Buffer, crc: number, native: typeof zlib.crc32 | undefined = zlib.crc32): number {
  // Node 20's zlib.crc32 answers 0 for some empty buffers instead of `crc`.
  if (data.length === 0) return crc;
  if (typeof native === 'function') return native(data, crc);
  let c = ~crc;
  for (let index = 0; index < data.length; index++) c = CRC_TABLE[(c ^ data[index]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Invalidation {
  seq: number;
  at: number;
}

export interface PageCacheOptions {
  /** Memory for pages, their compressed forms included. */
  maxBytes?: number;
  /** The shelf for pages rendered for one reader alone. */
  privatePages?: { maxBytes: number; maxPages: number };
  now?: () => number;
}

export class PageCache {
  private readonly shared: PageShelf<CachedPage>;
  /** Pages rendered for one reader; see storePrivate(). */
  private readonly privatePages: PageShelf<PrivatePage>;
  private readonly invalidated = new Map<string, Invalidation>();
  private readonly renders = new Map<string, Promise<void>>();
  private seq = 0;
  private cleared: Invalidation = { seq: 0, at: 0 };
  private heard = false;
  private readonly now: () => number;

  /**
   * Set by the listener: resolves once changes committed by this process so
   * far have been heard; null when none are outstanding.
   */
  localWritesHeard: () => Promise<void> | null = () => null;

  constructor(options: PageCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.shared = new PageShelf({ maxBytes: options.maxBytes ?? 32 * 1024 * 1024, maxPages: Infinity }, this.now);
    this.privatePages = new PageShelf(options.privatePages ?? { maxBytes: 8 * 1024 * 1024, maxPages: 300 }, this.now);
  }

  /**
   * True while a listener hears every committed change: a page held is then
   * current without asking the database. When this changes either way, what
   * was held is dropped: it was kept under the other rule.
   */
  get listening(): boolean {
    return this.heard;
  }

  set listening(heard: boolean) {
    if (heard === this.heard) return;
    this.clear();
    this.heard = heard;
  }

  /** Taken before a render reads anything from the database. */
  ticket(): Ticket {
    return { seq: this.seq, at: this.now() };
  }

  /**
   * A ticket taken once this process's own writes have been heard, so that
   * their notifications, still on their way, cannot refuse the page.
   */
  async freshTicket(): Promise<Ticket> {
    await this.localWritesHeard();
    return this.ticket();
  }

  /** The page under `key`, unless it has expired. */
  peek(key: string): CachedPage | null {
    return this.shared.peek(key);
  }

  /** The page kept for one reader under `key`, unless it has expired; the caller checks what is theirs alone. */
  peekPrivate(key: string): PrivatePage | null {
    return this.privatePages.peek(key);
  }

  /**
   * Marks a render of `key` as under way until the returned function is
   * called, so that concurrent misses can wait for it rather than all
   * rendering the same page (after a change, under load, they would).
   */
  startRender(key: string): () => void {
    let finish!: () => void;
    const render = new Promise<void>((resolve) => (finish = resolve));
    if (!this.renders.has(key)) this.renders.set(key, render);
    return () => {
      if (this.renders.get(key) === render) this.renders.delete(key);
      finish();
    };
  }

  /** Resolves when the render of `key` under way ends; null when there is none. */
  renderUnderWay(key: string): Promise<void> | null {
    return this.renders.get(key) ?? null;
  }

  /** Keeps the page unless something it shows changed since its ticket was taken. */
  store(key: string, page: CachedPage): boolean {
    if (!this.shared.fits(page) || page.expiresAt <= this.now()) return false;
    const lastChange = this.lastChangeBefore(page.ticket, page.tags);
    if (lastChange === null) return false;
    // A copy read in the same second as the last change may predate it, with
    // the same Last-Modified: only a page read in a later second can tell.
    page.honoursIfModifiedSince = this.heard && Math.floor(page.ticket.at / 1000) > Math.floor(lastChange / 1000);
    return this.shared.put(key, page);
  }

  /**
   * Keeps a page rendered for one reader on its own shelf, under the same
   * rule as store(). Whatever is theirs alone (their own comments) the
   * caller checks on every hit: no notification tells of it.
   */
  storePrivate(key: string, page: PrivatePage): boolean {
    if (page.expiresAt <= this.now() || this.lastChangeBefore(page.ticket, page.tags) === null) return false;
    return this.privatePages.put(key, page);
  }

  /** When a page with these tags last changed; null when that was after the ticket was taken. */
  private lastChangeBefore(ticket: Ticket, tags: readonly string[]): number | null {
    if (ticket.seq < this.cleared.seq) return null;
    let lastChange = this.cleared.at;
    for (const tag of tags) {
      const change = this.invalidated.get(tag);
      if (!change) continue;
      if (change.seq > ticket.seq) return null;
      lastChange = Math.max(lastChange, change.at);
    }
    return lastChange;
  }

  /** Drops every page with this tag, and any render of one already under way. */
  invalidate(tag: string): void {
    // Remembering every tag ever changed would grow without end; forgetting
    // them all at once is safe because clear() refuses older tickets too.
    if (this.invalidated.size >= 10_000) return this.clear();
    this.invalidated.set(tag, { seq: ++this.seq, at: this.now() });
    this.shared.dropTag(tag);
    this.privatePages.dropTag(tag);
  }

  /** Drops every page, and any render under way. */
  clear(): void {
    this.cleared = { seq: ++this.seq, at: this.now() };
    this.shared.clear();
    this.privatePages.clear();
    this.invalidated.clear();
  }

  /** Pages for every reader (those kept for one reader are counted apart). */
  get size(): number {
    return this.shared.size;
  }

  get storedBytes(): number {
    return this.shared.storedBytes;
  }

  get privateSize(): number {
    return this.privatePages.size;
  }
}

import { ChangeFollower } from './change-follower.js';
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

export class PageCache extends ChangeFollower {
  private readonly shared: PageShelf<CachedPage>;
  /** Pages rendered for one reader; see storePrivate(). */
  private readonly privatePages: PageShelf<PrivatePage>;
  private readonly invalidated = new Map<string, Invalidation>();
  private readonly renders = new Map<string, Promise<CachedPage | null>>();
  private seq = 0;
  private cleared: Invalidation = { seq: 0, at: 0 };
  private readonly now: () => number;

  constructor(options: PageCacheOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.shared = new PageShelf({ maxBytes: options.maxBytes ?? 32 * 1024 * 1024, maxPages: Infinity }, this.now);
    this.privatePages = new PageShelf(options.privatePages ?? { maxBytes: 8 * 1024 * 1024, maxPages: 300 }, this.now);
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
   * rendering the same page (after a change, under load, they would). The
   * render hands its page to the function: a page too large to keep still
   * serves those who waited for it, if it is current (see isCurrent).
   */
  startRender(key: string): (page?: CachedPage | null) => void {
    let finish!: (page: CachedPage | null) => void;
    const render = new Promise<CachedPage | null>((resolve) => (finish = resolve));
    if (!this.renders.has(key)) this.renders.set(key, render);
    return (page = null) => {
      if (this.renders.get(key) === render) this.renders.delete(key);
      finish(page);
    };
  }

  /** Resolves with its page when the render of `key` under way ends; null when there is none. */
  renderUnderWay(key: string): Promise<CachedPage | null> | null {
    return this.renders.get(key) ?? null;
  }

  /** Whether a page not in the cache (a render's, too large to keep) is still as current as a stored one would be. */
  isCurrent(page: CachedPage): boolean {
    return page.expiresAt > this.now() && this.lastChangeBefore(page.ticket, page.tags) !== null;
  }

  /** Keeps the page unless something it shows changed since its ticket was taken. */
  store(key: string, page: CachedPage): boolean {
    if (!this.shared.fits(page) || page.expiresAt <= this.now()) return false;
    const lastChange = this.lastChangeBefore(page.ticket, page.tags);
    if (lastChange === null) return false;
    // A copy read in the same second as the last change may predate it, with
    // the same Last-Modified: only a page read in a later second can tell.
    page.honoursIfModifiedSince = this.listening && Math.floor(page.ticket.at / 1000) > Math.floor(lastChange / 1000);
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
  override invalidate(tag: string): void {
    // Remembering every tag ever changed would grow without end; forgetting
    // them all at once is safe because clear() refuses older tickets too.
    if (this.invalidated.size >= 10_000) return this.clear();
    this.invalidated.set(tag, { seq: ++this.seq, at: this.now() });
    this.shared.dropTag(tag);
    this.privatePages.dropTag(tag);
  }

  /** Drops every page, and any render under way. */
  override clear(): void {
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

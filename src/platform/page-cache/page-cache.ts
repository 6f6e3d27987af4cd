import { ChangeFollower } from './change-follower.js';
import { PageStore } from './page-store.js';

/**
 * Rendered pages that many readers see alike, kept in this process with
 * their gzip and brotli forms and validators, so a hit costs no rendering,
 * no compression and no query. Pages are kept only while the page-change
 * listener hears every committed change: without it nothing is known to be
 * current, so nothing is kept and every page is rendered.
 *
 * A page depends on tags (an article, the article list, the settings). A
 * change notification drops every page with that tag. To keep a page read
 * before a change but stored after its notification from living on, a
 * render notes its read start before reading anything; a page whose tags
 * were invalidated since its read start is not stored.
 */

export const HOME_TAG = 'home';
export const SETTINGS_TAG = 'settings';
export const articleTag = (articleId: string) => `article:${articleId}`;

/** What a handler's render hands the cache. */
export interface RenderedPage {
  html: string;
  /** What the page shows: a change to any of them drops it. */
  tags: readonly string[];
  /** When the page goes stale with no write at all (a scheduled article, comments closing); ms. */
  expiresAt: number;
  /** The comment form's submission id and time stamp as rendered in `html`, if it has the form: every response gets its own. */
  formValues: { submissionId: string; stamp: string } | null;
}

/** A value that differs in every response; the sender makes a fresh one for each slot. */
export type Slot = 'submission-id' | 'form-stamp';

/** When a render started reading: `seq` orders it among the changes heard, `at` is the clock in ms. */
export interface ReadStart {
  seq: number;
  at: number;
}

export interface CachedPage {
  tags: readonly string[];
  expiresAt: number;
  readStart: ReadStart;
  /** Weak: the form values differ, the page read is the same. */
  etag: string;
  lastModified: string;
  lastModifiedMs: number;
  /** Only set by store(): whether If-Modified-Since can be trusted for this page. */
  honoursIfModifiedSince: boolean;
  /** Fixed bytes around the slots, and which value fills each slot. */
  parts: Buffer[];
  slots: Slot[];
  /** The gzip header and one raw-deflate segment per part; every segment but the last ends byte-aligned and not final. */
  gzipSegments: Buffer[];
  /** CRC-32 of parts[0]: a response only checksums what follows it. */
  firstPartCrc: number;
  /** Only pages without slots: brotli output cannot be joined around a value. */
  brotli: Buffer | null;
  bytes: number;
}

interface Change {
  seq: number;
  at: number;
}

export interface PageCacheOptions {
  /** Memory for pages, their compressed forms included. */
  maxBytes?: number;
  now?: () => number;
}

/** How many request URLs (with their cookies) the fast path remembers the page of. */
const MAX_REMEMBERED_REQUESTS = 10_000;
/** Longer URLs and cookie headers are left to the router rather than kept. */
const MAX_REQUEST_LENGTH = 2048;

export class PageCache extends ChangeFollower {
  private readonly pages: PageStore<CachedPage>;
  private readonly changed = new Map<string, Change>();
  private readonly renders = new Map<string, Promise<CachedPage | null>>();
  /** Which page the handlers gave a request (URL and Cookie header): the fast path answers the same request alike. */
  private readonly keyByRequest = new Map<string, string>();
  private seq = 0;
  private cleared: Change = { seq: 0, at: 0 };
  private readonly now: () => number;

  constructor(options: PageCacheOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.pages = new PageStore(options.maxBytes ?? 32 * 1024 * 1024, this.now);
  }

  /** Noted before a render reads anything from the database. */
  readStart(): ReadStart {
    return { seq: this.seq, at: this.now() };
  }

  /**
   * A read start noted once this process's own writes have been heard, so
   * that their notifications, still on their way, cannot refuse the page.
   */
  async freshReadStart(): Promise<ReadStart> {
    await this.localWritesHeard();
    return this.readStart();
  }

  /** The page under `key`, unless it has expired. */
  peek(key: string): CachedPage | null {
    return this.pages.peek(key);
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
    return this.listening && page.expiresAt > this.now() && this.lastChangeBefore(page.readStart, page.tags) !== null;
  }

  /** Keeps the page unless nobody listens for changes or something it shows changed since its read start. */
  store(key: string, page: CachedPage): boolean {
    if (!this.listening || !this.pages.fits(page) || page.expiresAt <= this.now()) return false;
    const lastChange = this.lastChangeBefore(page.readStart, page.tags);
    if (lastChange === null) return false;
    // A copy read in the same second as the last change may predate it, with
    // the same Last-Modified: only a page read in a later second can tell.
    page.honoursIfModifiedSince = Math.floor(page.readStart.at / 1000) > Math.floor(lastChange / 1000);
    return this.pages.put(key, page);
  }

  /** Remembers that this request (URL and Cookie header) is answered with the page under `key`. */
  rememberRequest(url: string, cookieHeader: string | undefined, key: string): void {
    const request = requestKey(url, cookieHeader);
    if (request === null || this.keyByRequest.get(request) === key) return;
    if (this.keyByRequest.size >= MAX_REMEMBERED_REQUESTS) this.keyByRequest.delete(this.keyByRequest.keys().next().value!);
    this.keyByRequest.set(request, key);
  }

  /** The page a handler gave this very request before, if it is still kept. */
  pageForRequest(url: string, cookieHeader: string | undefined): CachedPage | null {
    const request = requestKey(url, cookieHeader);
    const key = request === null ? undefined : this.keyByRequest.get(request);
    return key === undefined ? null : this.pages.peek(key);
  }

  /** When a page with these tags last changed; null when that was after its read start. */
  private lastChangeBefore(readStart: ReadStart, tags: readonly string[]): number | null {
    if (readStart.seq < this.cleared.seq) return null;
    let lastChange = this.cleared.at;
    for (const tag of tags) {
      const change = this.changed.get(tag);
      if (!change) continue;
      if (change.seq > readStart.seq) return null;
      lastChange = Math.max(lastChange, change.at);
    }
    return lastChange;
  }

  /** Drops every page with this tag, and refuses any render of one already under way. */
  override invalidate(tag: string): void {
    // Remembering every tag ever changed would grow without end; forgetting
    // them all at once is safe because clear() refuses older renders too.
    if (this.changed.size >= 10_000) return this.clear();
    this.changed.set(tag, { seq: ++this.seq, at: this.now() });
    this.pages.dropTag(tag);
  }

  /** Drops every page, and refuses any render under way. */
  override clear(): void {
    this.cleared = { seq: ++this.seq, at: this.now() };
    this.pages.clear();
    this.changed.clear();
    this.keyByRequest.clear();
  }

  get size(): number {
    return this.pages.size;
  }

  get storedBytes(): number {
    return this.pages.storedBytes;
  }
}

function requestKey(url: string, cookieHeader: string | undefined): string | null {
  const key = cookieHeader === undefined ? url : `${url}\n${cookieHeader}`;
  return key.length > MAX_REQUEST_LENGTH ? null : key;
}

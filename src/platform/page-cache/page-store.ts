/** What the store needs to know of a page it holds. */
export interface StoredPage {
  tags: readonly string[];
  /** When the page goes stale with no write at all; ms. */
  expiresAt: number;
  bytes: number;
}

/**
 * Pages by key within a memory bound, the least recently used
 * evicted first, indexed by tag so that a change drops every page it makes
 * stale. Whether a page may be kept at all is the PageCache's decision.
 */
export class PageStore<Page extends StoredPage> {
  private readonly pages = new Map<string, Page>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number,
  ) {}

  /** The page under `key`, unless it has expired. */
  peek(key: string): Page | null {
    const page = this.pages.get(key);
    if (!page) return null;
    if (this.now() >= page.expiresAt) {
      this.remove(key, page);
      return null;
    }
    // Most recently used last, so the oldest is evicted first.
    this.pages.delete(key);
    this.pages.set(key, page);
    return page;
  }

  /** Whether a page this large can be held at all. */
  fits(page: Page): boolean {
    return page.bytes <= this.maxBytes;
  }

  /** Holds the page, making room by evicting the least recently used; false when it cannot fit. */
  put(key: string, page: Page): boolean {
    if (!this.fits(page)) return false;
    const previous = this.pages.get(key);
    if (previous) this.remove(key, previous);
    while (this.bytes + page.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.pages.entries().next().value!;
      this.remove(oldestKey, oldest);
    }
    this.pages.set(key, page);
    this.bytes += page.bytes;
    for (const tag of page.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  /** Drops every page with this tag. */
  dropTag(tag: string): void {
    const keys = this.keysByTag.get(tag);
    if (!keys) return;
    for (const key of keys) {
      const page = this.pages.get(key);
      if (page) this.remove(key, page);
    }
    this.keysByTag.delete(tag);
  }

  clear(): void {
    this.pages.clear();
    this.keysByTag.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.pages.size;
  }

  get storedBytes(): number {
    return this.bytes;
  }

  private remove(key: string, page: Page): void {
    this.pages.delete(key);
    this.bytes -= page.bytes;
    for (const tag of page.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}

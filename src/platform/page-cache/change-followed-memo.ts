import { ChangeFollower } from './change-follower.js';

/**
 * Small values read on every comment post (the discussion settings, the
 * article posted to) kept in this process while the page-change listener
 * hears every change to them, so that a post does not ask for them again.
 * Without a listener, or while it is not listening, every read goes to the
 * database: nothing here is trusted that no notification would correct.
 *
 * A value is kept under tags, like a cached page: a notification for one of
 * them drops it. A read that started before a change and ends after its
 * notification is not kept. As with the page cache, a change committed by
 * this very process is heard before a kept value is used again.
 */

interface Entry {
  value: unknown;
  tags: readonly string[];
}

export interface Remembered<T> {
  value: T;
  tags: readonly string[];
}

export class ChangeFollowedMemo extends ChangeFollower {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every change heard: a read that saw a bump while it ran keeps nothing. */
  private generation = 0;

  constructor(private readonly maxEntries = 1000) {
    super();
  }

  /**
   * The value under `key`: kept, or read by `load` (and kept when it says
   * under which tags). A null from `load` is never kept: a missing article
   * may be published a moment later.
   */
  async read<T>(key: string, load: () => Promise<Remembered<T> | null>): Promise<T | null> {
    if (this.listening) await this.localWritesHeard();
    const kept = this.listening ? this.entries.get(key) : undefined;
    if (kept) return kept.value as T;
    const startedAt = this.generation;
    const loaded = await load();
    if (loaded && this.listening && this.generation === startedAt) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value: loaded.value, tags: loaded.tags });
    }
    return loaded?.value ?? null;
  }

  /** Drops every value kept under this tag. */
  override invalidate(tag: string): void {
    this.generation += 1;
    for (const [key, entry] of this.entries) {
      if (entry.tags.includes(tag)) this.entries.delete(key);
    }
  }

  override clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

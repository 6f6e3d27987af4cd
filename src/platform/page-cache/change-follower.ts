/**
 * What a page-change listener feeds (page-change-listener.ts): values held
 * in this process that go stale with the changes it hears, the rendered
 * pages (PageCache) and what comment posts read (ChangeFollowedMemo).
 */
export abstract class ChangeFollower {
  private heard = false;

  /**
   * Set by the listener: resolves once changes committed by this process so
   * far have been heard; null when none are outstanding.
   */
  localWritesHeard: () => Promise<void> | null = () => null;

  /**
   * True while a listener hears every committed change: what is held is
   * then current without asking the database. When this changes either way,
   * what was held is dropped: it was kept under the other rule.
   */
  get listening(): boolean {
    return this.heard;
  }

  set listening(heard: boolean) {
    if (heard === this.heard) return;
    this.clear();
    this.heard = heard;
  }

  /** Drops whatever was held under this tag. */
  abstract invalidate(tag: string): void;

  /** Drops everything held. */
  abstract clear(): void;
}

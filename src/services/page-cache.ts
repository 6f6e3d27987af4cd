/**
 * Rendered pages for anonymous readers, kept in this process and served only
 * while the database says their version is still current. A page holds a few
 * values that must differ per response (the form's submission id and time
 * stamp); it is stored split around them and filled in on every hit.
 */

export interface CachedPage {
  version: string;
  /** The fixed text between the per-response values. */
  parts: Buffer[];
  /** For each gap between parts, which per-response value goes there. */
  order: number[];
}

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();

  constructor(private readonly maxPages = 1000) {}

  /** The cached page, if it is of this version. */
  get(key: string, version: string): CachedPage | null {
    const page = this.pages.get(key);
    return page && page.version === version ? page : null;
  }

  /**
   * Keeps `html` for this version, split around `perResponse` values (each
   * must occur exactly once). Returns false when it cannot be split safely.
   */
  set(key: string, version: string, html: string, perResponse: readonly string[]): boolean {
    const split = splitAround(html, perResponse);
    if (!split) return false;
    if (!this.pages.has(key) && this.pages.size >= this.maxPages) {
      this.pages.delete(this.pages.keys().next().value!);
    }
    this.pages.set(key, { version, ...split });
    return true;
  }

  get size(): number {
    return this.pages.size;
  }
}

function splitAround(html: string, values: readonly string[]): Pick<CachedPage, 'parts' | 'order'> | null {
  const positions = values.map((value, index) => ({ value, index, at: html.indexOf(value) }));
  for (const { value, at } of positions) {
    if (value.length === 0 || at < 0 || html.indexOf(value, at + 1) >= 0) return null;
  }
  positions.sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { value, at } of positions) {
    parts.push(Buffer.from(html.slice(from, at)));
    from = at + value.length;
  }
  parts.push(Buffer.from(html.slice(from)));
  return { parts, order: positions.map((position) => position.index) };
}

/** The page with fresh per-response values, given in the same order as when it was stored. */
export function fillPage(page: Pick<CachedPage, 'parts' | 'order'>, values: readonly string[]): Buffer {
  const pieces: Buffer[] = [page.parts[0]!];
  page.order.forEach((valueIndex, gap) => pieces.push(Buffer.from(values[valueIndex]!), page.parts[gap + 1]!));
  return Buffer.concat(pieces);
}

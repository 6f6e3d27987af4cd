import type { Database } from '../platform/db/connection.js';
import { findMediaWidths } from './media-queries.js';
import { mediaUrl, parseMediaUrl, type MediaName } from './media-names.js';

/**
 * The media feature's door: what other features need to know of uploaded
 * images. Uploading and serving them are its own routes.
 */

export { mediaUrlsIn } from './media-names.js';
export { ACCEPTED_IMAGE_TYPES, MEGABYTE, formatMegabytes, uploadLimitText } from './upload-rules.js';

/** An uploaded image as pages show it: its size, and the widths it is served at. */
export interface MediaImage {
  url: string;
  width: number;
  height: number;
  /** The `srcset` value listing every stored width; '' when there is only the one. */
  srcset: string;
}

/** Keyed by the image's `/media/…` URL. */
export type MediaLookup = ReadonlyMap<string, MediaImage>;

/** The stored images among `urls` (others are simply absent), in one query. */
export async function lookUpMedia(db: Database, urls: readonly string[]): Promise<MediaLookup> {
  const names = new Map<string, MediaName>();
  for (const url of urls) {
    const name = parseMediaUrl(url);
    if (name) names.set(url, name);
  }
  const stored = await findMediaWidths(db, [...new Set([...names.values()].map((name) => name.hash))]);
  const byHash = new Map(stored.map((media) => [media.hash, media]));
  const found = new Map<string, MediaImage>();
  for (const [url, name] of names) {
    const media = byHash.get(name.hash);
    if (!media || media.ext !== name.ext) continue;
    // A narrower copy's own address is answered with its own size; the srcset is the image's.
    const shown = name.width === null ? media : media.renditions.find((rendition) => rendition.width === name.width);
    if (!shown || (name.width !== null && name.width >= media.width)) continue;
    const srcset =
      media.renditions.length < 2
        ? ''
        : media.renditions
            .map(({ width }) => `${mediaUrl(media.hash, media.ext, width === media.width ? null : width)} ${width}w`)
            .join(', ');
    found.set(url, { url, width: shown.width, height: shown.height, srcset });
  }
  return found;
}

import type { Database } from '../platform/db/connection.js';

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

/** The stored images among `urls` (others are simply absent). */
export async function lookUpMedia(_db: Database, _urls: readonly string[]): Promise<MediaLookup> {
  return Promise.resolve(new Map());
}

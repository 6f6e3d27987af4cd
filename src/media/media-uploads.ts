import type { Database } from '../platform/db/connection.js';
import { processImage, sourceHashOf } from './image-processing.js';
import { mediaUrl } from './media-names.js';
import { findMediaBySource, insertMedia } from './media-queries.js';

export interface StoredUpload {
  url: string;
  /** False when these bytes were stored already: the same address, no new row. */
  created: boolean;
}

/**
 * Stores an uploaded image once: the same file sent again is recognised by
 * its bytes before any decoding, and answered with the address it has.
 * Throws ImageRefused for anything that is not an image the site takes.
 */
export async function storeImage(db: Database, bytes: Buffer, originalName: string, uploadedBy: string | null): Promise<StoredUpload> {
  const sourceHash = sourceHashOf(bytes);
  const earlier = await findMediaBySource(db, sourceHash);
  if (earlier) return { url: mediaUrl(earlier.hash, earlier.ext), created: false };
  const image = await processImage(bytes);
  const stored = await insertMedia(db, { ...image, sourceHash, originalName, uploadedBy });
  return { url: mediaUrl(stored.hash, stored.ext), created: stored.created };
}

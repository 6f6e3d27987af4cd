import type { Database } from '../platform/db/connection.js';
import type { Rendition } from './image-processing.js';
import type { MediaExtension } from './media-names.js';

export interface StoredMedia {
  hash: string;
  ext: MediaExtension;
}

export interface NewMedia extends StoredMedia {
  sourceHash: string;
  originalName: string;
  uploadedBy: string | null;
  /** The full size first. */
  renditions: Rendition[];
}

/** The image an earlier upload of the same bytes stored. */
export async function findMediaBySource(db: Database, sourceHash: string): Promise<StoredMedia | null> {
  return (await db('media').select('hash', 'ext').where({ source_hash: sourceHash }).first<StoredMedia | undefined>()) ?? null;
}

/**
 * Stores an image with its renditions, unless the same upload or the same
 * full-size bytes are stored already (two sends at once included): then that
 * one is answered and nothing is written. `created` says which.
 */
export async function insertMedia(db: Database, media: NewMedia): Promise<StoredMedia & { created: boolean }> {
  return db.transaction(async (trx) => {
    const [full] = media.renditions;
    const [inserted] = await trx('media')
      .insert({
        hash: media.hash,
        source_hash: media.sourceHash,
        ext: media.ext,
        width: full!.width,
        height: full!.height,
        byte_size: full!.bytes.length,
        original_name: media.originalName,
        uploaded_by: media.uploadedBy,
      })
      .onConflict()
      .ignore()
      .returning<Array<{ id: string }>>('id');
    if (!inserted) {
      const existing = await trx('media')
        .select('hash', 'ext')
        .where({ source_hash: media.sourceHash })
        .orWhere({ hash: media.hash })
        .first<StoredMedia>();
      return { ...existing, created: false };
    }
    await trx('media_variants').insert(
      media.renditions.map(({ width, height, bytes }) => ({ media_id: inserted.id, width, height, bytes })),
    );
    return { hash: media.hash, ext: media.ext, created: true };
  });
}

export interface MediaFile {
  byteSize: number;
  /** Left out when only the headers are wanted. */
  bytes?: Buffer;
}

/** One rendition by its address's parts: `width` null is the full size. */
export async function findMediaFile(
  db: Database,
  name: { hash: string; ext: MediaExtension; width: number | null },
  withBytes: boolean,
): Promise<MediaFile | null> {
  const row = await db('media as m')
    .join('media_variants as v', 'v.media_id', 'm.id')
    .where({ 'm.hash': name.hash, 'm.ext': name.ext })
    // The full size has one address only: its own width is not a variant's.
    .whereRaw(name.width === null ? 'v.width = m.width' : 'v.width = ? AND v.width < m.width', name.width === null ? [] : [name.width])
    .first<{ byte_size: number; bytes?: Buffer } | undefined>(
      db.raw('octet_length(v.bytes)::integer AS byte_size'),
      ...(withBytes ? ['v.bytes'] : []),
    );
  return row ? { byteSize: row.byte_size, bytes: row.bytes } : null;
}

export interface MediaWidths extends StoredMedia {
  /** The full size. */
  width: number;
  height: number;
  /** Every stored rendition, narrowest first. */
  renditions: Array<{ width: number; height: number }>;
}

/** The stored images among these hashes, with the widths each is served at. */
export async function findMediaWidths(db: Database, hashes: readonly string[]): Promise<MediaWidths[]> {
  if (hashes.length === 0) return [];
  return db('media as m')
    .join('media_variants as v', 'v.media_id', 'm.id')
    .whereIn('m.hash', hashes)
    .groupBy('m.id')
    .select<MediaWidths[]>(
      'm.hash',
      'm.ext',
      'm.width',
      'm.height',
      db.raw(`json_agg(json_build_object('width', v.width, 'height', v.height) ORDER BY v.width) AS renditions`),
    );
}

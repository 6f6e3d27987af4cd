import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { CachedPage, ReadStart, RenderedPage, Slot } from './page-cache.js';

/**
 * A rendered page made ready for the cache, and put back together for the
 * wire. The comment form carries two values that must differ in every
 * response (its submission id and signed time stamp), so the page is kept
 * as the fixed text around those slots. It is compressed once: gzip as raw
 * deflate segments, one per fixed part, that a response joins with its own
 * values in between as stored (uncompressed) blocks; brotli, whose output
 * cannot be joined that way, only for pages without slots.
 */

const deflateRaw = promisify(zlib.deflateRaw);
const brotliCompress = promisify(zlib.brotliCompress);
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/**
 * Splits, compresses and fingerprints a rendered page. Null when a form
 * value is missing or repeated: such a page cannot be filled in safely and
 * is not cached.
 */
export async function preparePage(source: RenderedPage, readStart: ReadStart): Promise<CachedPage | null> {
  const split = splitAround(source);
  if (!split) return null;
  const { parts, slots } = split;
  const last = parts.length - 1;
  const [segments, brotli] = await Promise.all([
    Promise.all(
      parts.map((part, index) => deflateRaw(part, { finishFlush: index === last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH })),
    ),
    slots.length === 0
      ? brotliCompress(parts[0]!, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: parts[0]!.length },
        })
      : null,
  ]);
  segments[0] = Buffer.concat([GZIP_HEADER, segments[0]!]);
  const fingerprint = createHash('sha256');
  for (const [index, part] of parts.entries()) fingerprint.update(part).update(slots[index] ?? '');
  const lastModifiedMs = Math.floor(readStart.at / 1000) * 1000;
  const sizeOf = (buffers: Buffer[]) => buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  return {
    tags: source.tags,
    expiresAt: source.expiresAt,
    readStart,
    etag: `W/"${fingerprint.digest('base64url').slice(0, 27)}"`,
    lastModified: new Date(lastModifiedMs).toUTCString(),
    lastModifiedMs,
    honoursIfModifiedSince: false,
    parts,
    slots,
    gzipSegments: segments,
    firstPartCrc: crc32(parts[0]!, 0),
    brotli,
    bytes: sizeOf(parts) + sizeOf(segments) + (brotli?.length ?? 0),
  };
}

function splitAround({ html, formValues }: RenderedPage): Pick<CachedPage, 'parts' | 'slots'> | null {
  const values: Array<{ slot: Slot; rendered: string }> = formValues
    ? [
        { slot: 'submission-id', rendered: formValues.submissionId },
        { slot: 'form-stamp', rendered: formValues.stamp },
      ]
    : [];
  const positions = values.map(({ slot, rendered }) => ({ slot, rendered, at: html.indexOf(rendered) }));
  for (const { rendered, at } of positions) {
    if (rendered.length === 0 || at < 0 || html.indexOf(rendered, at + 1) >= 0) return null;
  }
  positions.sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { rendered, at } of positions) {
    if (at < from) return null;
    parts.push(Buffer.from(html.slice(from, at)));
    from = at + rendered.length;
  }
  parts.push(Buffer.from(html.slice(from)));
  return { parts, slots: positions.map((position) => position.slot) };
}

/** The page's bytes with these values, one per slot, as pieces to write in order. */
export function identityPieces(page: Pick<CachedPage, 'parts' | 'slots'>, values: readonly Buffer[]): Buffer[] {
  const pieces: Buffer[] = [page.parts[0]!];
  for (let slot = 0; slot < page.slots.length; slot++) pieces.push(values[slot]!, page.parts[slot + 1]!);
  return pieces;
}

/**
 * The gzip form with these values: one gzip member whose deflate stream is
 * the precompressed segments with each value between them as a stored
 * block. Segments were compressed independently, so none refers back
 * across a value; only the trailer's checksum is per response.
 */
export function gzipPieces(page: CachedPage, values: readonly Buffer[]): Buffer[] {
  const pieces: Buffer[] = [page.gzipSegments[0]!];
  let crc = page.firstPartCrc;
  let size = page.parts[0]!.length;
  for (let slot = 0; slot < page.slots.length; slot++) {
    const value = values[slot]!;
    const part = page.parts[slot + 1]!;
    // A stored block holds at most 65,535 bytes (ours hold a few dozen).
    for (let offset = 0; offset < value.length; offset += 0xffff) {
      const chunk = value.subarray(offset, offset + 0xffff);
      pieces.push(storedBlockHeader(chunk.length), chunk);
    }
    pieces.push(page.gzipSegments[slot + 1]!);
    crc = crc32(part, crc32(value, crc));
    size += value.length + part.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  pieces.push(trailer);
  return pieces;
}

/** A non-final stored deflate block of `length` bytes (RFC 1951 3.2.4); we are byte-aligned here. */
function storedBlockHeader(length: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 as gzip needs it, continuing from `crc`: zlib's own where Node has it (20.15+). */
export function crc32(data: Buffer, crc: number, native: typeof zlib.crc32 | undefined = zlib.crc32): number {
  // Node 20's zlib.crc32 answers 0 for some empty buffers instead of `crc`.
  if (data.length === 0) return crc;
  if (typeof native === 'function') return native(data, crc);
  let c = ~crc;
  for (let index = 0; index < data.length; index++) c = CRC_TABLE[(c ^ data[index]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

import { createHash } from 'node:crypto';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import type { MediaExtension } from './media-names.js';

/**
 * What is done to an upload before anything is stored: its type read from
 * its bytes (never its name), turned upright by its EXIF orientation, and
 * re-encoded in its own format at full size and a few narrower widths.
 * Re-encoding drops all metadata (EXIF with its GPS position, XMP, IPTC,
 * ICC profiles after conversion to sRGB): nothing of it is served.
 *
 * Animated GIF and WebP stay animated, every frame resized; other formats
 * are still images (for AVIF, its primary image).
 */

/** The widths an image is also served at, when it is wider. */
export const VARIANT_WIDTHS = [480, 960, 1600] as const;

/** Beyond this an image is refused before it is decoded: a small file can claim billions of pixels. */
export const MAX_PIXELS = 100_000_000;

/** An image this site will not take, with the reason in the words the uploader sees. */
export class ImageRefused extends Error {
  override name = 'ImageRefused';
}

export interface Rendition {
  width: number;
  height: number;
  bytes: Buffer;
}

export interface ProcessedImage {
  ext: MediaExtension;
  /** The first 32 hex digits of the SHA-256 of the full-size bytes: the image's address. */
  hash: string;
  /** The full size first, then each narrower width. */
  renditions: Rendition[];
}

const ACCEPTED = 'JPEG, PNG, WebP, GIF or AVIF';

/**
 * The image library, loaded at the first upload: libvips is a third of a
 * reader-serving process's memory, and most processes never see an upload.
 */
let loading: Promise<typeof import('sharp')> | undefined;
const sharpLibrary = async () => (await (loading ??= import('sharp'))).default;

function extensionOf(metadata: Metadata): MediaExtension | null {
  switch (metadata.format) {
    case 'jpeg':
      return 'jpg';
    case 'png':
    case 'webp':
    case 'gif':
      return metadata.format;
    case 'heif':
      // HEIF holds AVIF (AV1) and HEIC (HEVC); only AVIF is one browsers show.
      return metadata.compression === 'av1' ? 'avif' : null;
    default:
      return null;
  }
}

async function readMetadata(input: Buffer): Promise<Metadata> {
  try {
    const sharp = await sharpLibrary();
    return await sharp(input).metadata();
  } catch {
    throw new ImageRefused(`That file is not an image this site accepts. Upload a ${ACCEPTED} file.`);
  }
}

function encode(pipeline: Sharp, ext: MediaExtension): Sharp {
  switch (ext) {
    case 'jpg':
      return pipeline.jpeg({ quality: 85, progressive: true });
    case 'png':
      return pipeline.png();
    case 'webp':
      return pipeline.webp({ quality: 85 });
    case 'gif':
      return pipeline.gif();
    case 'avif':
      // AVIF encoding is slow; a lower effort keeps an upload to a few seconds.
      return pipeline.avif({ quality: 60, effort: 2 });
  }
}

async function render(input: Buffer, options: SharpOptions, ext: MediaExtension, width: number | null): Promise<Rendition> {
  const sharp = await sharpLibrary();
  let pipeline = sharp(input, options);
  if (width !== null) pipeline = pipeline.resize({ width });
  const { data, info } = await encode(pipeline, ext).toBuffer({ resolveWithObject: true });
  // For an animated image, info.height counts every frame; one frame's height is what a page reserves.
  return { width: info.width, height: info.pageHeight ?? info.height, bytes: data };
}

/** Every rendition of an upload, or ImageRefused saying why not. */
export async function processImage(input: Buffer): Promise<ProcessedImage> {
  const metadata = await readMetadata(input);
  const ext = extensionOf(metadata);
  if (ext === null) {
    const what = metadata.format === 'svg' ? 'SVG images are not accepted' : 'That type of image is not accepted';
    throw new ImageRefused(`${what}. Upload a ${ACCEPTED} file.`);
  }
  const frames = metadata.pages ?? 1;
  const pixels = metadata.width * (metadata.pageHeight ?? metadata.height);
  if (pixels * frames > MAX_PIXELS) {
    throw new ImageRefused(`That image has too many pixels to process. Upload one of at most ${MAX_PIXELS / 1_000_000} megapixels.`);
  }
  const animated = frames > 1 && (ext === 'gif' || ext === 'webp');
  const options: SharpOptions = { animated, autoOrient: true, limitInputPixels: MAX_PIXELS };
  const fullWidth = metadata.autoOrient.width;
  try {
    const renditions = await Promise.all([
      render(input, options, ext, null),
      ...VARIANT_WIDTHS.filter((width) => width < fullWidth).map((width) => render(input, options, ext, width)),
    ]);
    const hash = createHash('sha256').update(renditions[0].bytes).digest('hex').slice(0, 32);
    return { ext, hash, renditions };
  } catch {
    throw new ImageRefused(
      `That ${ext.toUpperCase()} image is damaged or incomplete and could not be read. Upload it again, or export it anew.`,
    );
  }
}

/** The SHA-256 of the bytes as uploaded, in hex: how a second upload of the same file is recognised. */
export function sourceHashOf(input: Buffer): string {
  return createHash('sha256').update(input).digest('hex');
}

/**
 * The addresses of uploaded images. The full size is `/media/<hash>.<ext>`;
 * a narrower copy is `/media/<hash>-<width>.<ext>`. The hash names the bytes,
 * so an address always serves the same image and may be cached for good.
 */

export const MEDIA_EXTENSIONS = ['jpg', 'png', 'webp', 'gif', 'avif'] as const;
export type MediaExtension = (typeof MEDIA_EXTENSIONS)[number];

export const CONTENT_TYPES: Readonly<Record<MediaExtension, string>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
};

/** What an address names: an image, and a width when it is a narrower copy. */
export interface MediaName {
  hash: string;
  ext: MediaExtension;
  /** null: the full size. */
  width: number | null;
}

const FILE_NAME = /^([0-9a-f]{32})(?:-([1-9]\d{0,4}))?\.(jpg|png|webp|gif|avif)$/;
const MEDIA_URL = /\/media\/[0-9a-f]{32}(?:-[1-9]\d{0,4})?\.(?:jpg|png|webp|gif|avif)\b/g;

export function mediaUrl(hash: string, ext: MediaExtension, width: number | null = null): string {
  return width === null ? `/media/${hash}.${ext}` : `/media/${hash}-${width}.${ext}`;
}

/** The name after `/media/`, or null when it is not one this site makes. */
export function parseMediaFileName(file: string): MediaName | null {
  const match = FILE_NAME.exec(file);
  if (!match) return null;
  return { hash: match[1]!, width: match[2] === undefined ? null : Number(match[2]), ext: match[3] as MediaExtension };
}

export function parseMediaUrl(url: string): MediaName | null {
  return url.startsWith('/media/') ? parseMediaFileName(url.slice('/media/'.length)) : null;
}

/** The upload addresses a body mentions, each once, in order: what an article's save looks up. */
export function mediaUrlsIn(source: string): string[] {
  return [...new Set(source.match(MEDIA_URL) ?? [])];
}

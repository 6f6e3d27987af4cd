/** What an uploader is told about the limits, in one place for the upload control and the refusals. */

/** For an upload control's `accept`: the types the site takes (it checks the bytes, whatever this lets through). */
export const ACCEPTED_IMAGE_TYPES = 'image/jpeg,image/png,image/webp,image/gif,image/avif';

export const MEGABYTE = 1024 * 1024;

/** One decimal at most, rounded up: a file just over the limit never reads as the limit. */
export function formatMegabytes(bytes: number): string {
  return `${Math.ceil((bytes / MEGABYTE) * 10) / 10} MB`;
}

/** What an upload control says beside it, e.g. "JPEG, PNG, WebP, GIF or AVIF, up to 10 MB." */
export function uploadLimitText(maxBytes: number): string {
  return `JPEG, PNG, WebP, GIF or AVIF, up to ${formatMegabytes(maxBytes)}.`;
}

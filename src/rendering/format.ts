import { assetPath, assetSize } from '../middleware/static-assets.js';

/**
 * Date formats as a WordPress site shows them: "January 2, 2023 at 9:00 am",
 * in UTC. Written out by hand because Intl formatting per comment was a
 * measurable share of rendering a long thread.
 */

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

export function formatDate(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
}

export function formatDateTime(date: Date): string {
  const hours = date.getUTCHours();
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  return `${formatDate(date)} at ${hours % 12 || 12}:${minutes} ${hours < 12 ? 'am' : 'pm'}`;
}

export function isoDate(date: Date): string {
  return date.toISOString();
}

/** Everything templates may call, besides their own model. */
export const viewHelpers = { formatDate, formatDateTime, isoDate, assetPath, assetSize };

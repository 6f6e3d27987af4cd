/** Date formats as a WordPress site shows them: "January 2, 2023 at 9:00 am". */

const dateFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});
const timeFormat = new Intl.DateTimeFormat('en-US', {
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: 'UTC',
});

export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

export function formatDateTime(date: Date): string {
  return `${dateFormat.format(date)} at ${timeFormat.format(date).replace(' AM', ' am').replace(' PM', ' pm')}`;
}

export function isoDate(date: Date): string {
  return date.toISOString();
}

export const viewHelpers = { formatDate, formatDateTime, isoDate };

import { isSupportedTimeZone, parseLocalDateTime as parseInZone } from '../platform/rendering/format.js';

/**
 * Times staff enter and read as `YYYY-MM-DDTHH:MM` (an `<input
 * type="datetime-local">`'s value) in the site's time zone, while the
 * database keeps UTC instants. The reading is the rendering module's one
 * rule, so a time typed in the editor, in the list and on a page agree.
 */

/**
 * The instant a wall-clock time names in `timeZone`, or null when the text
 * is no such time. A time the clocks skip moves on by the change; a time
 * that happens twice is the first of the two.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  return parseInZone(text, timeZone);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const zone = isSupportedTimeZone(timeZone) ? timeZone : 'UTC';
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock time of `date` in `timeZone` (UTC when the zone is unknown), as an input's value. */
export function formatLocalDateTime(date: Date, timeZone: string): string {
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) fields[part.type] = part.value;
  const year = (fields.year ?? '').padStart(4, '0');
  return `${year}-${fields.month}-${fields.day}T${fields.hour}:${fields.minute}`;
}

import { assetPath, assetSize } from '../http/static-assets.js';

/**
 * Date formats as a WordPress site shows them: "January 2, 2023 at 9:00 am",
 * in the site's time zone. The text is written out by hand from UTC fields
 * because Intl formatting per comment was a measurable share of rendering a
 * long thread; another zone only shifts the instant by its offset, which
 * Intl is asked for once per quarter hour of time shown (every zone's
 * changes of offset fall on quarter hours), so a thread of thousands of
 * comments asks it a handful of times.
 */

export const DEFAULT_TIME_ZONE = 'UTC';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const MINUTE_MS = 60_000;
const QUARTER_HOUR_MS = 15 * MINUTE_MS;

let listedZones: ReadonlySet<string> | null = null;

/** Names already looked up; bounded, since the settings form passes whatever is typed. */
const canonicalNames = new Map<string, string | null>();

/**
 * The zone's name as the site keeps it, or null when it is none the
 * runtime lists (`Intl.supportedValuesOf`). A listed zone's other names
 * (Asia/Kathmandu for the listed Asia/Katmandu) are kept as given; one
 * differing only in case is spelt as listed.
 */
export function canonicalTimeZone(name: string): string | null {
  listedZones ??= new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);
  if (listedZones.has(name)) return name;
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    canonical = lookUpTimeZone(name, listedZones);
    if (canonicalNames.size >= 1_000) canonicalNames.clear();
    canonicalNames.set(name, canonical);
  }
  return canonical;
}

function lookUpTimeZone(name: string, listed: ReadonlySet<string>): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (!listed.has(resolved)) return null;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/** Whether `name` is a zone the site may keep, spelt as it keeps it. */
export function isSupportedTimeZone(name: string): boolean {
  return canonicalTimeZone(name) === name;
}

/** Every zone a site may choose, `UTC` first. */
export function supportedTimeZones(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
}

function datePart(shifted: Date): string {
  return `${MONTHS[shifted.getUTCMonth()]} ${shifted.getUTCDate()}, ${shifted.getUTCFullYear()}`;
}

function dateTimePart(shifted: Date): string {
  const hours = shifted.getUTCHours();
  const minutes = String(shifted.getUTCMinutes()).padStart(2, '0');
  return `${datePart(shifted)} at ${hours % 12 || 12}:${minutes} ${hours < 12 ? 'am' : 'pm'}`;
}

/** In UTC. */
export function formatDate(date: Date): string {
  return datePart(date);
}

/** In UTC. */
export function formatDateTime(date: Date): string {
  return dateTimePart(date);
}

export function isoDate(date: Date): string {
  return date.toISOString();
}

/** How far a zone's wall clock is ahead of UTC at each instant, asked of Intl once per quarter hour. */
class ZoneOffsets {
  private readonly parts: Intl.DateTimeFormat;
  private readonly byQuarter = new Map<number, number | null>();

  constructor(timeZone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The offset in ms at `ms`. */
  at(ms: number): number {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.byQuarter.get(quarter);
    if (offset === undefined) {
      const start = this.exact(quarter * QUARTER_HOUR_MS);
      // Null: the offset changes inside this quarter hour (only in the distant past); asked exactly each time.
      offset = start === this.exact((quarter + 1) * QUARTER_HOUR_MS - 1) ? start : null;
      if (this.byQuarter.size >= 50_000) this.byQuarter.clear();
      this.byQuarter.set(quarter, offset);
    }
    return offset ?? this.exact(ms);
  }

  private exact(ms: number): number {
    const fields: Record<string, number> = {};
    for (const part of this.parts.formatToParts(ms)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day, fields.hour, fields.minute, fields.second);
    return wall - Math.floor(ms / 1000) * 1000;
  }
}

const offsetsByZone = new Map<string, ZoneOffsets>();

/** The offsets of a supported zone, made once per zone (there are a few hundred). */
function zoneOffsetsIn(timeZone: string): ZoneOffsets {
  let offsets = offsetsByZone.get(timeZone);
  if (!offsets) {
    offsets = new ZoneOffsets(timeZone);
    offsetsByZone.set(timeZone, offsets);
  }
  return offsets;
}

/** The helpers templates format dates with; bound to one zone, and called unbound (they use no `this`). */
export interface DateFormats {
  formatDate: (date: Date) => string;
  formatDateTime: (date: Date) => string;
}

const UTC_FORMATS: DateFormats = { formatDate, formatDateTime };
const formatsByZone = new Map<string, DateFormats>([[DEFAULT_TIME_ZONE, UTC_FORMATS]]);

/** Date helpers for the zone (made once per zone); an unknown zone formats in UTC. */
export function dateFormatsIn(timeZone: string): DateFormats {
  let formats = formatsByZone.get(timeZone);
  if (!formats) {
    if (!isSupportedTimeZone(timeZone)) return UTC_FORMATS;
    const offsets = zoneOffsetsIn(timeZone);
    const shifted = (date: Date) => new Date(date.getTime() + offsets.at(date.getTime()));
    formats = {
      formatDate: (date) => datePart(shifted(date)),
      formatDateTime: (date) => dateTimePart(shifted(date)),
    };
    formatsByZone.set(timeZone, formats);
  }
  return formats;
}

/** As dateFormatsIn, with the zone named after each time, for staff who may be anywhere: "… at 9:00 am UTC". */
export function namedDateFormatsIn(timeZone: string): DateFormats {
  const formats = dateFormatsIn(timeZone);
  const zone = isSupportedTimeZone(timeZone) ? timeZone : DEFAULT_TIME_ZONE;
  const label = zone === 'UTC' ? 'UTC' : `(${zone.replaceAll('_', ' ')})`;
  return { formatDate: formats.formatDate, formatDateTime: (date) => `${formats.formatDateTime(date)} ${label}` };
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * A wall-clock time entered as `YYYY-MM-DDTHH:MM` (an `<input
 * type="datetime-local">`) read in the site's zone; null when it is not such
 * a time. A time the clocks skip is read with the offset before the change
 * (2:30 on a spring-forward night is 3:30); a time that happens twice is the
 * first of the two.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  if (!isSupportedTimeZone(timeZone) || timeZone === 'UTC') return check;
  const offsets = zoneOffsetsIn(timeZone);
  // The offsets in force a day either side bracket every reading of this wall time.
  const candidates = [...new Set([offsets.at(wall - 86_400_000), offsets.at(wall + 86_400_000)])]
    .map((offset) => wall - offset)
    .filter((ms) => ms + offsets.at(ms) === wall)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - offsets.at(wall - 86_400_000));
}

/** Everything templates may call, besides their own model; renderPage binds the date helpers to the site's zone. */
export const viewHelpers = { formatDate, formatDateTime, isoDate, assetPath, assetSize };

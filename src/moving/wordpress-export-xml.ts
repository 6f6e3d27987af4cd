/**
 * The pieces of a WXR 1.2 file as WordPress's own export writes them
 * (wp-admin/includes/export.php): text made safe for XML 1.0, CDATA
 * sections, WordPress's date formats, and our statuses in its words.
 */

/** Characters XML 1.0 cannot carry at all (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF): dropped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/** Text for an element or attribute, escaped. */
export function xmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A CDATA section; a `]]>` inside is split across two sections, as WordPress's wxr_cdata does. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlSafe(text).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** The date WordPress never set (an unpublished draft's post_date_gmt). */
export const NO_DATE = '0000-00-00 00:00:00';

const pad = (value: number) => String(value).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` in UTC: WordPress's `*_gmt` columns. */
export function wpDateGmt(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets from UTC by zone and quarter hour (every change of offset happens on one): formatting each date through Intl is slow. */
const offsets = new Map<string, number>();
const QUARTER_HOUR_MS = 15 * 60 * 1000;

function offsetMs(date: Date, timeZone: string): number {
  const quarter = Math.floor(date.getTime() / QUARTER_HOUR_MS);
  const key = `${timeZone} ${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    let formatter = formatters.get(timeZone);
    if (!formatter) {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      formatters.set(timeZone, formatter);
    }
    const at = new Date(quarter * QUARTER_HOUR_MS);
    const parts: Record<string, number> = {};
    for (const part of formatter.formatToParts(at)) parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute);
    offset = wall - at.getTime();
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** `YYYY-MM-DD HH:MM:SS` on the site's clock: WordPress's local `post_date` and `comment_date`. */
export function wpDateLocal(date: Date, timeZone: string): string {
  return wpDateGmt(new Date(date.getTime() + offsetMs(date, timeZone)));
}

/** RSS's `pubDate`: `Tue, 27 Jan 2015 14:56:57 +0000`. */
export function rfc822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

export const WP_POST_STATUS = { published: 'publish', scheduled: 'future', draft: 'draft', trash: 'trash' } as const;

export const WP_COMMENT_APPROVED = { approved: '1', pending: '0', spam: 'spam', trash: 'trash' } as const;

/**
 * A comment's plain text as WordPress keeps comment_content: the HTML a
 * reader's text stands for (markup characters escaped; WordPress makes
 * paragraphs of blank lines itself).
 */
export function commentContentOf(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<name>value</name>` with the value in CDATA, as WordPress writes its text fields. */
export function cdataElement(name: string, value: string): string {
  return `<${name}>${cdata(value)}</${name}>`;
}

/** `<name>value</name>` with the value escaped (numbers, URLs, plain words). */
export function textElement(name: string, value: string | number): string {
  return `<${name}>${xmlText(String(value))}</${name}>`;
}

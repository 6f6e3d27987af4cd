import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalTimeZone,
  dateFormatsIn,
  formatDate,
  formatDateTime,
  isSupportedTimeZone,
  namedDateFormatsIn,
  parseLocalDateTime,
} from '../../src/platform/rendering/format.js';

describe('date formats', () => {
  it('reads like WordPress, in UTC', () => {
    assert.equal(formatDate(new Date('2023-01-02T09:00:00Z')), 'January 2, 2023');
    assert.equal(formatDateTime(new Date('2023-01-02T09:05:00Z')), 'January 2, 2023 at 9:05 am');
    assert.equal(formatDateTime(new Date('2023-12-31T00:00:00Z')), 'December 31, 2023 at 12:00 am');
    assert.equal(formatDateTime(new Date('2023-06-15T12:30:00Z')), 'June 15, 2023 at 12:30 pm');
    assert.equal(formatDateTime(new Date('2023-06-15T23:59:00Z')), 'June 15, 2023 at 11:59 pm');
  });

  it('agrees with Intl for every hour of a day', () => {
    const intl = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'UTC' });
    for (let hour = 0; hour < 24; hour += 1) {
      const date = new Date(Date.UTC(2024, 1, 29, hour, 7));
      const expected = intl
        .format(date)
        .replace(/\u202f|\s/g, ' ')
        .replace(' AM', ' am')
        .replace(' PM', ' pm');
      assert.equal(formatDateTime(date), `February 29, 2024 at ${expected}`);
    }
  });
});

describe('dates in the site’s time zone', () => {
  const intlDateTime = (zone: string, date: Date) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hour12: true,
    }).formatToParts(date);
    const get = (type: string) => parts.find((part) => part.type === type)!.value;
    return `${get('month')} ${get('day')}, ${get('year')} at ${get('hour')}:${get('minute')} ${get('dayPeriod').toLowerCase()}`;
  };

  it('shows the wall-clock time of the zone, across its changes of offset', () => {
    const newYork = dateFormatsIn('America/New_York');
    assert.equal(newYork.formatDate(new Date('2023-01-02T03:00:00Z')), 'January 1, 2023');
    assert.equal(newYork.formatDateTime(new Date('2023-01-03T02:30:00Z')), 'January 2, 2023 at 9:30 pm');
    assert.equal(newYork.formatDateTime(new Date('2026-07-01T12:00:00Z')), 'July 1, 2026 at 8:00 am');
    for (const zone of [
      'America/New_York',
      'Europe/Paris',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
    ]) {
      const formats = dateFormatsIn(zone);
      // Every 7 minutes through a year, so each change of offset is crossed.
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7 * 60_000 * 97) {
        assert.equal(formats.formatDateTime(new Date(ms)), intlDateTime(zone, new Date(ms)), `${zone} ${new Date(ms).toISOString()}`);
      }
      for (const edge of [
        '2026-03-08T06:59:00Z',
        '2026-03-08T07:00:00Z',
        '2026-03-29T00:59:00Z',
        '2026-03-29T01:00:00Z',
        '2026-10-25T00:59:00Z',
        '2026-10-25T01:00:00Z',
        '2026-11-01T05:59:00Z',
        '2026-11-01T06:00:00Z',
        '2026-04-04T14:59:00Z',
        '2026-04-04T15:00:00Z',
      ]) {
        assert.equal(formats.formatDateTime(new Date(edge)), intlDateTime(zone, new Date(edge)), `${zone} ${edge}`);
      }
    }
  });

  it('keeps the hand-written path for UTC and one set of helpers per zone', () => {
    assert.equal(dateFormatsIn('UTC').formatDateTime, formatDateTime);
    assert.equal(dateFormatsIn('Europe/Paris'), dateFormatsIn('Europe/Paris'));
    assert.equal(dateFormatsIn('Not/A_Zone').formatDateTime, formatDateTime, 'an unknown zone formats in UTC');
  });

  it('asks Intl about a zone’s offset once per quarter hour of time shown, however many dates are formatted', () => {
    const formats = dateFormatsIn('Europe/Berlin');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .call(this) and put back on the prototype
    const original = Intl.DateTimeFormat.prototype.formatToParts;
    let calls = 0;
    Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
      calls += 1;
      return original.call(this, date);
    };
    try {
      const start = Date.UTC(2025, 5, 1, 10, 0);
      // Ten thousand comments within one quarter hour.
      for (let index = 0; index < 10_000; index += 1) formats.formatDateTime(new Date(start + index * 50));
    } finally {
      Intl.DateTimeFormat.prototype.formatToParts = original;
    }
    assert.ok(calls <= 2, `Intl asked ${calls} times`);
  });

  it('names the zone after a time for staff', () => {
    assert.equal(namedDateFormatsIn('UTC').formatDateTime(new Date('2026-12-07T09:00:00Z')), 'December 7, 2026 at 9:00 am UTC');
    assert.equal(
      namedDateFormatsIn('America/New_York').formatDateTime(new Date('2026-12-07T14:00:00Z')),
      'December 7, 2026 at 9:00 am (America/New York)',
    );
  });

  it('knows the zones this runtime lists, and UTC', () => {
    assert.ok(isSupportedTimeZone('UTC'));
    assert.ok(isSupportedTimeZone('Europe/Paris'));
    assert.equal(canonicalTimeZone('europe/paris'), 'Europe/Paris');
    assert.ok(isSupportedTimeZone('Asia/Kathmandu'), 'another name of a listed zone');
    for (const name of ['Mars/Olympus', '', 'Europe/Paris ', '+02:00']) assert.ok(!isSupportedTimeZone(name), name);
  });

  it('reads a time entered in the site’s zone', () => {
    assert.equal(parseLocalDateTime('2026-12-07T09:00', 'UTC')?.toISOString(), '2026-12-07T09:00:00.000Z');
    assert.equal(parseLocalDateTime('2026-12-07T09:00', 'America/New_York')?.toISOString(), '2026-12-07T14:00:00.000Z');
    assert.equal(parseLocalDateTime('2026-07-07T09:00', 'America/New_York')?.toISOString(), '2026-07-07T13:00:00.000Z');
    assert.equal(
      parseLocalDateTime('2026-03-08T02:30', 'America/New_York')?.toISOString(),
      '2026-03-08T07:30:00.000Z',
      'a skipped time moves on',
    );
    assert.equal(
      parseLocalDateTime('2026-11-01T01:30', 'America/New_York')?.toISOString(),
      '2026-11-01T05:30:00.000Z',
      'a repeated time is the first',
    );
    for (const text of ['2026-02-30T09:00', '2026-12-07 09:00', '2026-12-07T24:00', '2026-12-07T09:60', '']) {
      assert.equal(parseLocalDateTime(text, 'UTC'), null, text);
    }
  });
});

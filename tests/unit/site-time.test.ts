import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocalDateTime, parseLocalDateTime } from '../../src/articles/site-time.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('a time entered in the site’s zone', () => {
  it('is read as UTC in UTC', () => {
    assert.equal(iso(parseLocalDateTime('2026-12-07T09:00', 'UTC')), '2026-12-07T09:00:00.000Z');
  });

  it('follows the zone’s offset in winter and in summer', () => {
    assert.equal(iso(parseLocalDateTime('2026-01-15T09:00', 'Europe/Berlin')), '2026-01-15T08:00:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-07-15T09:00', 'Europe/Berlin')), '2026-07-15T07:00:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-07-15T09:00', 'Australia/Sydney')), '2026-07-14T23:00:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-01-15T09:00', 'Australia/Sydney')), '2026-01-14T22:00:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-01-15T09:00', 'Asia/Kolkata')), '2026-01-15T03:30:00.000Z');
  });

  it('reads the hours either side of a spring-forward change', () => {
    // Europe/Berlin moves 02:00 → 03:00 on 29 March 2026.
    assert.equal(iso(parseLocalDateTime('2026-03-29T01:59', 'Europe/Berlin')), '2026-03-29T00:59:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-03-29T03:00', 'Europe/Berlin')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-03-29T02:30', 'Europe/Berlin')), '2026-03-29T01:30:00.000Z', 'a skipped time moves on');
  });

  it('takes the first of a time that happens twice at a fall-back change', () => {
    // America/New_York repeats 01:00–02:00 on 1 November 2026.
    assert.equal(iso(parseLocalDateTime('2026-11-01T01:30', 'America/New_York')), '2026-11-01T05:30:00.000Z');
    assert.equal(iso(parseLocalDateTime('2026-11-01T02:30', 'America/New_York')), '2026-11-01T07:30:00.000Z');
  });

  it('refuses what is no such time', () => {
    for (const text of ['', '2026-02-30T09:00', '2026-12-07 09:00', '2026-12-07T24:00', '2026-12-07T09:60', '2026-12-07T09:00:00']) {
      assert.equal(parseLocalDateTime(text, 'Europe/Berlin'), null, text);
    }
  });
});

describe('a time shown for the site’s zone', () => {
  it('is the wall clock there, as an input’s value', () => {
    assert.equal(formatLocalDateTime(new Date('2026-12-07T09:05:00Z'), 'UTC'), '2026-12-07T09:05');
    assert.equal(formatLocalDateTime(new Date('2026-01-15T08:00:00Z'), 'Europe/Berlin'), '2026-01-15T09:00');
    assert.equal(formatLocalDateTime(new Date('2026-07-15T07:00:00Z'), 'Europe/Berlin'), '2026-07-15T09:00');
    assert.equal(formatLocalDateTime(new Date('2026-07-14T23:30:00Z'), 'Australia/Sydney'), '2026-07-15T09:30');
  });

  it('shows midnight as 00, not 24', () => {
    assert.equal(formatLocalDateTime(new Date('2026-12-07T00:00:00Z'), 'UTC'), '2026-12-07T00:00');
  });

  it('falls back to UTC for a zone it does not know', () => {
    assert.equal(formatLocalDateTime(new Date('2026-12-07T09:05:00Z'), 'Mars/Olympus'), '2026-12-07T09:05');
  });

  it('reads back to the same instant on every hour of the months the clocks change', () => {
    const hoursOf = function* (year: number, month: number) {
      for (let ms = Date.UTC(year, month, 1); ms < Date.UTC(year, month + 1, 1); ms += 3_600_000) yield ms;
    };
    // March, April, October and November hold both changes of Europe, North America and Australia.
    const months = [2, 3, 9, 10];
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kathmandu']) {
      for (const ms of months.flatMap((month) => [...hoursOf(2026, month)])) {
        const instant = new Date(ms);
        const text = formatLocalDateTime(instant, zone);
        const back = parseLocalDateTime(text, zone);
        // A repeated hour reads as its first instance, an hour earlier.
        assert.ok(back && (back.getTime() === ms || back.getTime() === ms - 3_600_000), `${zone} ${instant.toISOString()} → ${text}`);
        assert.equal(formatLocalDateTime(back, zone), text);
      }
    }
  });
});

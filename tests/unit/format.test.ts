import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDate, formatDateTime } from '../../src/rendering/format.js';

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
      const expected = intl.format(date).replace(/\u202f|\s/g, ' ').replace(' AM', ' am').replace(' PM', ' pm');
      assert.equal(formatDateTime(date), `February 29, 2024 at ${expected}`);
    }
  });
});

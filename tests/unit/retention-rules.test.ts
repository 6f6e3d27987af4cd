import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commentIpDue,
  days,
  enrolmentAbandoned,
  expired,
  mailTextDue,
  retentionCutoffs,
  tokenDue,
} from '../../src/privacy/retention-rules.js';

const DAY = 24 * 60 * 60 * 1000;
const start = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(start.getTime() + ms);
const settings = { mailRetentionDays: 7, ipRetentionDays: 60 };
const at = (ms: number, given = settings) => retentionCutoffs(later(ms), given);

describe('what the clean-up removes, as time moves on', () => {
  it('clears sent mail after the mail period, counted from when it was sent', () => {
    const mail = { status: 'sent' as const, sent_at: start, next_attempt_at: later(-DAY) };
    assert.equal(mailTextDue(mail, at(7 * DAY)), false, 'exactly seven days on it is still kept');
    assert.equal(mailTextDue(mail, at(7 * DAY + 1)), true);
    assert.equal(mailTextDue(mail, at(DAY + 1, { ...settings, mailRetentionDays: 1 })), true, 'the period is the setting');
  });

  it('never clears mail still to be sent, and clears given-up mail from its last attempt', () => {
    assert.equal(mailTextDue({ status: 'pending', sent_at: null, next_attempt_at: start }, at(365 * DAY)), false);
    const failed = { status: 'failed' as const, sent_at: null, next_attempt_at: start };
    assert.equal(mailTextDue(failed, at(6 * DAY)), false);
    assert.equal(mailTextDue(failed, at(8 * DAY)), true);
  });

  it('clears the IP address of approved and trashed comments after the IP period, and keeps it on pending and spam', () => {
    const posted = { created_at: start };
    assert.equal(commentIpDue({ ...posted, status: 'approved' }, at(59 * DAY)), false);
    assert.equal(commentIpDue({ ...posted, status: 'approved' }, at(60 * DAY + 1)), true);
    assert.equal(commentIpDue({ ...posted, status: 'trash' }, at(60 * DAY + 1)), true);
    assert.equal(commentIpDue({ ...posted, status: 'pending' }, at(3650 * DAY)), false);
    assert.equal(commentIpDue({ ...posted, status: 'spam' }, at(3650 * DAY)), false);
  });

  it('deletes links a day after they expire or are used', () => {
    const fresh = { expires_at: later(2 * DAY), used_at: null };
    assert.equal(tokenDue(fresh, at(2 * DAY + 1)), false, 'just expired: a late click still hears “expired”');
    assert.equal(tokenDue(fresh, at(3 * DAY + 1)), true);
    const used = { expires_at: later(2 * DAY), used_at: start };
    assert.equal(tokenDue(used, at(DAY - 1)), false);
    assert.equal(tokenDue(used, at(DAY + 1)), true);
    assert.equal(tokenDue({ expires_at: null, used_at: null }, at(3650 * DAY)), false, 'an unused recovery code stays');
  });

  it('drops a two-factor enrolment left unconfirmed for a day', () => {
    assert.equal(enrolmentAbandoned({ pending_since: start }, at(DAY - 1)), false);
    assert.equal(enrolmentAbandoned({ pending_since: start }, at(DAY + 1)), true);
    assert.equal(enrolmentAbandoned({ pending_since: null }, at(3650 * DAY)), false);
  });

  it('ends sessions and rate-limit windows as soon as they expire', () => {
    assert.equal(expired(later(1000), at(999)), false);
    assert.equal(expired(later(1000), at(1001)), true);
  });

  it('says the periods in words', () => {
    assert.equal(days(1), '1 day');
    assert.equal(days(60), '60 days');
  });
});

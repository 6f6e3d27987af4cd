import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consentFor } from '../../src/mail/mail-consent.js';
import { askingCommentOf, readUnsubscribeToken, unsubscribeToken } from '../../src/mail/notifications.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123';
const at = (day: number) => new Date(Date.UTC(2025, 0, day));

describe('consentFor: an unsubscribe against a later ticked box', () => {
  it('sends when nothing was unsubscribed', () => {
    assert.equal(consentFor({ unsubscribedAt: null, askedAt: at(1) }), 'subscribed');
    assert.equal(consentFor({ unsubscribedAt: null, askedAt: null }), 'subscribed');
  });
  it('stops mail asked for before (or at) the unsubscribe, or by a comment that is gone', () => {
    assert.equal(consentFor({ unsubscribedAt: at(2), askedAt: at(1) }), 'unsubscribed');
    assert.equal(consentFor({ unsubscribedAt: at(2), askedAt: at(2) }), 'unsubscribed');
    assert.equal(consentFor({ unsubscribedAt: at(2), askedAt: null }), 'unsubscribed');
  });
  it('re-subscribes for a box ticked after the unsubscribe', () => {
    assert.equal(consentFor({ unsubscribedAt: at(2), askedAt: at(3) }), 'resubscribed');
  });
});

describe('unsubscribe tokens', () => {
  it('carry the address, the comment and the default scope, signed', () => {
    const token = unsubscribeToken(SECRET, 'Ada@Example.org', { commentId: '42', scope: 'conversation' });
    assert.match(token, /^[A-Za-z0-9_~.-]+$/, 'safe in a link and a header as it is');
    assert.deepEqual(readUnsubscribeToken(SECRET, token), { email: 'ada@example.org', commentId: '42', scope: 'conversation' });
    assert.deepEqual(
      readUnsubscribeToken(SECRET, unsubscribeToken(SECRET, 'ada@example.org', { commentId: '7', scope: 'all' }))?.scope,
      'all',
    );
  });
  it('read links from before conversations as "everything"', () => {
    assert.deepEqual(readUnsubscribeToken(SECRET, unsubscribeToken(SECRET, 'ada@example.org')), {
      email: 'ada@example.org',
      commentId: null,
      scope: 'all',
    });
  });
  it('refuse a changed comment or scope', () => {
    const token = unsubscribeToken(SECRET, 'ada@example.org', { commentId: '42', scope: 'conversation' });
    assert.equal(readUnsubscribeToken(SECRET, token.replace('~42~', '~43~')), null);
    assert.equal(readUnsubscribeToken(SECRET, token.replace('~c.', '~a.')), null);
    assert.equal(readUnsubscribeToken('another-secret-that-is-long-enough-99', token), null);
  });
});

describe('askingCommentOf', () => {
  it('names the recipient’s own comment for mail to commenters, nothing for staff mail', () => {
    assert.deepEqual(askingCommentOf({ kind: 'reply', dedupe_key: 'reply:9:to:4' }), { commentId: '4', box: 'notify_on_reply' });
    assert.deepEqual(askingCommentOf({ kind: 'approved', dedupe_key: 'approved:9' }), { commentId: '9', box: 'notify_on_approval' });
    assert.equal(askingCommentOf({ kind: 'held', dedupe_key: 'held:9' }), null);
    assert.equal(askingCommentOf({ kind: 'reply', dedupe_key: 'reply:9:to:x' }), null);
  });
});

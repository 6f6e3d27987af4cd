import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMENT_STATUSES, type CommentStatus } from '../../src/comments/comment-queries.js';
import {
  actionForStatus,
  bulkActionsFor,
  canReplyTo,
  describeLogEntry,
  describeOutcome,
  explainStatus,
  isUndoable,
  planAction,
  planReplyParent,
  planStatusChange,
  planUndo,
  rowActions,
  siteReplyEmail,
  trashWarning,
  type BulkAction,
  type Move,
} from '../../src/moderation/moderation.js';
import {
  containsPattern,
  decodeCursor,
  encodeCursor,
  filtersOfQueuePath,
  pageNumbers,
  parseIds,
  parseQueueQuery,
  queueHref,
  safeQueuePath,
} from '../../src/moderation/queue-address.js';

const to = (status: CommentStatus): Move => ({ kind: 'status', to: status });
const unchanged: Move = { kind: 'skip', reason: 'unchanged' };
const refused: Move = { kind: 'skip', reason: 'not-allowed' };

describe('planAction: what a bulk action does to each status', () => {
  const table: Array<[BulkAction, Record<CommentStatus, Move>]> = [
    ['approve', { pending: to('approved'), approved: unchanged, spam: to('approved'), trash: to('approved') }],
    ['unapprove', { pending: refused, approved: to('pending'), spam: refused, trash: refused }],
    ['spam', { pending: to('spam'), approved: to('spam'), spam: unchanged, trash: to('spam') }],
    ['trash', { pending: to('trash'), approved: to('trash'), spam: to('trash'), trash: unchanged }],
    ['restore', { pending: refused, approved: refused, spam: to('pending'), trash: to('pending') }],
    ['delete', { pending: refused, approved: refused, spam: { kind: 'delete' }, trash: { kind: 'delete' } }],
  ];
  for (const [action, expected] of table) {
    for (const status of COMMENT_STATUSES) {
      it(`${action} on ${status}`, () => assert.deepEqual(planAction(action, status, null), expected[status]));
    }
  }

  it('deletes permanently only from spam or trash', () => {
    const deletable = COMMENT_STATUSES.filter((status) => planAction('delete', status, null).kind === 'delete');
    assert.deepEqual(deletable, ['spam', 'trash']);
  });

  it('restores from trash to the status it had before', () => {
    assert.deepEqual(planAction('restore', 'trash', 'approved'), to('approved'));
    assert.deepEqual(planAction('restore', 'trash', 'pending'), to('pending'));
    assert.deepEqual(planAction('restore', 'trash', 'spam'), to('spam'));
  });

  it('restores from spam to where it was, but never back into the trash', () => {
    assert.deepEqual(planAction('restore', 'spam', 'approved'), to('approved'));
    assert.deepEqual(planAction('restore', 'spam', 'trash'), to('pending'));
  });

  it('falls back to pending when the log does not know', () => {
    assert.deepEqual(planAction('restore', 'trash', null), to('pending'));
    assert.deepEqual(planAction('restore', 'trash', 'trash'), to('pending'));
  });
});

describe('planStatusChange', () => {
  it('moves any status to any other', () => {
    for (const from of COMMENT_STATUSES) {
      for (const target of COMMENT_STATUSES) {
        assert.deepEqual(planStatusChange(from, target), from === target ? unchanged : to(target));
      }
    }
  });
});

describe('planUndo', () => {
  it('puts a comment back only while it is still where the action left it', () => {
    assert.deepEqual(planUndo({ id: '1', from: 'approved', to: 'spam' }, 'spam'), to('approved'));
    assert.deepEqual(planUndo({ id: '1', from: 'approved', to: 'spam' }, 'trash'), refused);
  });

  it('is offered after every status change (approvals too), never after a permanent delete', () => {
    assert.deepEqual(
      ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'].filter((a) => isUndoable(a as BulkAction)),
      ['approve', 'unapprove', 'spam', 'trash', 'restore'],
    );
  });
});

describe('trashWarning', () => {
  it('speaks only when readers see replies under the comment', () => {
    assert.equal(trashWarning(0), null);
    assert.equal(
      trashWarning(1),
      "This comment has 1 approved reply; they will stay on the article under a 'comment removed' placeholder. Move it to the trash?",
    );
    assert.match(trashWarning(3)!, /^This comment has 3 approved replies;/);
  });
});

describe('pageNumbers', () => {
  it('lists few pages in full and many with gaps around the current one', () => {
    assert.deepEqual(pageNumbers(1, 3), [1, 2, 3]);
    assert.deepEqual(pageNumbers(5, 12), [1, null, 4, 5, 6, null, 12]);
    assert.deepEqual(pageNumbers(1, 12), [1, 2, null, 12]);
  });
});

describe('replies', () => {
  it('are allowed to pending and approved comments; a pending one is approved first', () => {
    assert.deepEqual(COMMENT_STATUSES.filter(canReplyTo), ['pending', 'approved']);
    assert.deepEqual(planReplyParent('pending'), to('approved'));
    assert.deepEqual(planReplyParent('approved'), unchanged);
    assert.deepEqual(planReplyParent('spam'), refused);
    assert.deepEqual(planReplyParent('trash'), refused);
  });

  it('are signed with the admin name at the site host', () => {
    assert.equal(siteReplyEmail('Editor', 'https://news.example.org:8443/blog'), 'editor@news.example.org');
  });
});

describe('row and bulk actions', () => {
  const labels = (status: CommentStatus) => rowActions(status).map((action) => action.label);

  it('offer what WordPress offers for each status', () => {
    assert.deepEqual(labels('pending'), ['Approve', 'Spam', 'Trash']);
    assert.deepEqual(labels('approved'), ['Unapprove', 'Spam', 'Trash']);
    assert.deepEqual(labels('spam'), ['Not spam', 'Approve', 'Trash', 'Delete permanently']);
    assert.deepEqual(labels('trash'), ['Restore', 'Spam', 'Delete permanently']);
  });

  it('send "not spam" to pending and keep delete for spam and trash', () => {
    assert.equal(rowActions('spam').find((action) => action.label === 'Not spam')?.status, 'pending');
    for (const status of COMMENT_STATUSES) {
      const deletes = rowActions(status).some((action) => action.kind === 'delete');
      assert.equal(deletes, status === 'spam' || status === 'trash', status);
    }
  });

  it('give each shortcut key at most one button per row', () => {
    for (const status of COMMENT_STATUSES) {
      const keys = rowActions(status).flatMap((action) => (action.key ? [action.key] : []));
      assert.equal(new Set(keys).size, keys.length, status);
    }
  });

  it('list every bulk action in the All view', () => {
    assert.deepEqual(
      bulkActionsFor('all').map((action) => action.value),
      ['approve', 'unapprove', 'spam', 'trash', 'restore', 'delete'],
    );
    assert.ok(!bulkActionsFor('pending').some((action) => action.value === 'delete'));
  });
});

describe('describeOutcome', () => {
  it('counts what was done and says why the rest was skipped', () => {
    assert.equal(describeOutcome('spam', { done: 1, unchanged: 0, notAllowed: 0, missing: 0 }), '1 comment marked as spam.');
    assert.equal(
      describeOutcome('delete', { done: 2, unchanged: 0, notAllowed: 3, missing: 0 }),
      '2 comments deleted permanently. 3 comments skipped: only comments in spam or trash can be deleted permanently.',
    );
    assert.equal(
      describeOutcome('approve', { done: 0, unchanged: 1, notAllowed: 0, missing: 1 }),
      'No comments approved. 1 comment skipped: already approved. 1 comment no longer exists.',
    );
  });

  it('names a single change after what it did', () => {
    assert.equal(actionForStatus('pending', 'approved'), 'approve');
    assert.equal(actionForStatus('approved', 'pending'), 'unapprove');
    assert.equal(actionForStatus('spam', 'pending'), 'restore');
    assert.equal(actionForStatus('approved', 'trash'), 'trash');
  });
});

describe('describeLogEntry and explainStatus', () => {
  it('reads the log in words', () => {
    assert.equal(describeLogEntry({ action: 'status', from_status: 'pending', to_status: 'approved' }), 'pending → approved');
    assert.equal(describeLogEntry({ action: 'delete', from_status: 'spam', to_status: null }), 'deleted permanently (was spam)');
    assert.equal(describeLogEntry({ action: 'edit', from_status: 'approved', to_status: 'approved' }), 'edited');
    assert.equal(describeLogEntry({ action: 'reply', from_status: null, to_status: 'approved' }), 'replied as the site');
  });

  it('says why a comment is where it is', () => {
    const held = { status: 'pending' as const, reasons: ['manual approval required'], moderated: false, isSiteReply: false };
    assert.deepEqual(explainStatus(held), { decidedBy: 'rules', reasons: ['manual approval required'] });
    assert.equal(explainStatus({ ...held, moderated: true }).decidedBy, 'moderator');
    assert.deepEqual(explainStatus({ ...held, status: 'approved', reasons: [] }).reasons, ['passed every check']);
    assert.equal(explainStatus({ ...held, isSiteReply: true }).decidedBy, 'site');
  });
});

describe('cursors', () => {
  it('round-trip with microseconds', () => {
    const cursor = { createdAt: '2023-01-03T00:05:00.123456Z', id: '42' };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
  });

  it('refuse anything else', () => {
    for (const text of [
      '',
      '42',
      '2023-01-03T00:05:00Z_42',
      '2023-01-03T00:05:00.123456Z_0',
      '2023-13-45T00:05:00.123456Z_1',
      "1' OR 1=1",
    ]) {
      assert.equal(decodeCursor(text), null, text);
    }
  });
});

describe('containsPattern', () => {
  it('escapes LIKE wildcards so they match literally', () => {
    assert.equal(containsPattern('50%_off\\'), '%50\\%\\_off\\\\%');
    assert.equal(containsPattern('plain'), '%plain%');
  });
});

describe('parseQueueQuery', () => {
  it('defaults to the pending view', () => {
    assert.deepEqual(parseQueueQuery({}), {
      ok: true,
      filters: { view: 'pending', article: null, q: '', commentId: null, ip: null, before: null, after: null, page: null },
    });
  });

  it('reads an exact IP address and a page number, refusing malformed ones', () => {
    const parsed = parseQueueQuery({ ip: '2001:db8::5', page: '3' });
    assert.ok(parsed.ok);
    assert.deepEqual([parsed.filters.ip, parsed.filters.page], ['2001:db8::5', 3]);
    for (const query of [
      { ip: '127.0.0' },
      { ip: '127.0.0.1%' },
      { page: '0' },
      { page: '-1' },
      { page: '2', before: '2023-01-03T00:05:00.000000Z_7' },
    ]) {
      assert.equal(parseQueueQuery(query).ok, false, JSON.stringify(query));
    }
    assert.equal(queueHref({ view: 'all', ip: '127.0.0.1', page: 2 }), '/admin/comments?status=all&ip=127.0.0.1&page=2');
  });

  it('reads every filter, treating blank ones as unset', () => {
    const parsed = parseQueueQuery({ status: 'all', article: 'a-slug', q: '  ada ', before: '2023-01-03T00:05:00.000000Z_7', comment: '' });
    assert.ok(parsed.ok);
    assert.equal(parsed.filters.view, 'all');
    assert.equal(parsed.filters.article, 'a-slug');
    assert.equal(parsed.filters.q, 'ada');
    assert.equal(parsed.filters.commentId, null);
    assert.deepEqual(parsed.filters.before, { createdAt: '2023-01-03T00:05:00.000000Z', id: '7' });
  });

  it('refuses unknown statuses, repeated values, bad cursors and odd slugs', () => {
    for (const query of [
      { status: 'deleted' },
      { status: ['pending', 'spam'] },
      { before: 'yesterday' },
      { before: '2023-01-03T00:05:00.000000Z_7', after: '2023-01-03T00:05:00.000000Z_8' },
      { article: '../etc' },
      { q: 'x'.repeat(201) },
      { comment: '-1' },
    ]) {
      assert.equal(parseQueueQuery(query).ok, false, JSON.stringify(query));
    }
  });
});

describe('queue addresses', () => {
  it('leave defaults out and round-trip through filtersOfQueuePath', () => {
    assert.equal(queueHref({ view: 'pending' }), '/admin/comments');
    const filters = {
      view: 'spam' as const,
      article: 'a-b',
      q: '50% off',
      commentId: null,
      ip: null,
      page: null,
      before: { createdAt: '2023-01-03T00:05:00.000000Z', id: '9' },
      after: null,
    };
    const href = queueHref(filters);
    assert.equal(href, '/admin/comments?status=spam&article=a-b&q=50%25+off&before=2023-01-03T00%3A05%3A00.000000Z_9');
    assert.deepEqual(filtersOfQueuePath(href), filters);
  });

  it('return only to the queue on this site', () => {
    assert.equal(safeQueuePath('/admin/comments?status=spam'), '/admin/comments?status=spam');
    for (const elsewhere of [
      '//evil.example/admin/comments',
      'https://evil.example/',
      '/admin/logout',
      '/\\evil',
      '/articles/x',
      undefined,
      42,
    ]) {
      assert.equal(safeQueuePath(elsewhere), '/admin/comments', String(elsewhere));
    }
  });
});

describe('parseIds', () => {
  it('accepts one or many positive integers, without duplicates', () => {
    assert.deepEqual(parseIds('4'), ['4']);
    assert.deepEqual(parseIds(['4', '5', '4']), ['4', '5']);
    assert.deepEqual(parseIds(undefined), []);
  });

  it('refuses anything malformed', () => {
    assert.equal(parseIds(['4', 'x']), null);
    assert.equal(parseIds({ id: '4' }), null);
    assert.equal(parseIds(['0']), null);
    assert.deepEqual(parseIds(Array.from({ length: 200 }, (_, i) => String(i + 1)))?.length, 200, 'a full page of 200');
    assert.equal(parseIds(Array.from({ length: 201 }, (_, i) => String(i + 1))), null);
  });
});

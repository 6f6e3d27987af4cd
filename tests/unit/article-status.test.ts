import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planArticleMove, STATUS_LABELS, type MovePlan } from '../../src/articles/article-status.js';
import { ARTICLE_STATUSES, type ArticleStatus } from '../../src/articles/article-queries.js';

const now = new Date('2026-12-07T12:00:00Z');
const earlier = new Date('2026-11-01T09:00:00Z');
const later = new Date('2026-12-24T18:00:00Z');

const article = (status: ArticleStatus, published_at: Date | null = null) => ({ status, published_at });

function moved(plan: MovePlan) {
  assert.ok(plan.ok, plan.ok ? '' : `refused: ${plan.message}`);
  return plan.move;
}

function refused(plan: MovePlan) {
  assert.ok(!plan.ok, 'expected the move to be refused');
  return plan;
}

describe('publishing', () => {
  it('makes a draft public now', () => {
    assert.deepEqual(moved(planArticleMove(article('draft'), 'published', now)), {
      status: 'published',
      published_at: now,
      trashed_at: null,
    });
  });

  it('keeps the date of an article already published', () => {
    assert.equal(moved(planArticleMove(article('published', earlier), 'published', now)).published_at, earlier);
  });

  it('publishes a scheduled article now rather than at its time', () => {
    assert.equal(moved(planArticleMove(article('scheduled', later), 'published', now)).published_at, now);
  });

  it('gives a draft that was published once a new date', () => {
    assert.equal(moved(planArticleMove(article('draft', earlier), 'published', now)).published_at, now);
  });
});

describe('scheduling', () => {
  it('sets the time it goes public', () => {
    assert.deepEqual(moved(planArticleMove(article('draft'), 'scheduled', now, later)), {
      status: 'scheduled',
      published_at: later,
      trashed_at: null,
    });
  });

  it('moves a published article back out of view until its new time', () => {
    assert.equal(moved(planArticleMove(article('published', earlier), 'scheduled', now, later)).status, 'scheduled');
  });

  it('needs a time', () => {
    assert.equal(refused(planArticleMove(article('draft'), 'scheduled', now)).field, 'publish_at');
  });

  it('refuses a time already passed, and the present moment itself', () => {
    for (const at of [earlier, now]) {
      const plan = refused(planArticleMove(article('draft'), 'scheduled', now, at));
      assert.equal(plan.field, 'publish_at');
      assert.match(plan.message, /already passed/);
    }
  });
});

describe('unpublishing and the trash', () => {
  it('makes a published article a draft, keeping its date for a later publish', () => {
    assert.deepEqual(moved(planArticleMove(article('published', earlier), 'draft', now)), {
      status: 'draft',
      published_at: earlier,
      trashed_at: null,
    });
  });

  it('trashes from every status, noting when', () => {
    for (const status of ARTICLE_STATUSES) {
      const move = moved(planArticleMove(article(status, earlier), 'trash', now));
      assert.equal(move.status, 'trash', status);
      assert.equal(move.trashed_at, now, status);
      assert.equal(move.published_at, earlier, `${status}: its date is kept`);
    }
  });

  it('restores from the trash to a draft only', () => {
    const restored = moved(planArticleMove(article('trash', earlier), 'draft', now));
    assert.deepEqual(restored, { status: 'draft', published_at: earlier, trashed_at: null });
    for (const target of ['published', 'scheduled'] as const) {
      const plan = refused(planArticleMove(article('trash', earlier), target, now, later));
      assert.equal(plan.field, 'status', target);
      assert.match(plan.message, /restore it first/, target);
    }
  });
});

describe('status labels', () => {
  it('names every status', () => {
    for (const status of ARTICLE_STATUSES) assert.ok(STATUS_LABELS[status].length > 0, status);
  });
});

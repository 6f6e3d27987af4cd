import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import request from 'supertest';
import { saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { PENDING_COOKIE } from '../../src/comments/commenter-cookies.js';
import { DEFAULT_DISCUSSION_SETTINGS } from '../../src/settings/discussion-settings.js';
import { buildTestApp, TEST_COOKIE_SECRET } from '../helpers/app.js';
import { DEMO_PATH } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, squash, textAt, type Page } from '../helpers/html.js';
import { insertComment } from '../helpers/rows.js';

/**
 * What readers see of the discussion under an article (issue 15): a
 * commenter's spam is never shown to them as "awaiting moderation", replies to
 * a removed comment stay in their thread under a placeholder, avatars do not
 * link one address's comments, and every name is isolated in <bdi>.
 */

const database = useTestDatabase();
const app = () => buildTestApp(database.db);

/** The pending-comments cookie as the server signs it (cookie-parser's `s:` format). */
function ownCommentsCookie(ids: readonly string[]): string {
  const value = ids.join('.');
  const signature = createHmac('sha256', TEST_COOKIE_SECRET).update(value).digest('base64').replace(/=+$/, '');
  return `${PENDING_COOKIE}=${encodeURIComponent(`s:${value}.${signature}`)}`;
}

async function articlePage(cookie?: string): Promise<{ page: Page; html: string }> {
  let get = request(app()).get(DEMO_PATH);
  if (cookie) get = get.set('Cookie', cookie);
  const response = await get.expect(200);
  return { page: parsePage(response.text), html: response.text };
}

/** The list items directly inside a list: their ids (or '(removed)' for a placeholder), in order. */
function itemsIn(page: Page, selector: string): string[] {
  return page(selector)
    .first()
    .children('li')
    .map((_index, element) => page(element).attr('id') ?? (page(element).hasClass('comment--removed') ? '(removed)' : '?'))
    .get();
}

describe('a commenter’s own comments, by their signed cookie', () => {
  it('shows their pending comment as awaiting moderation, and their spam not at all', async () => {
    const pending = await insertComment(database.db, { status: 'pending', body: 'Held for a moderator.' });
    const spam = await insertComment(database.db, { status: 'spam', body: 'Caught as spam.', author_name: 'Caught Person' });
    const { page, html } = await articlePage(ownCommentsCookie([pending, spam]));
    assert.equal(page(`#comment-${pending} .comment-awaiting-moderation`).text(), 'Your comment is awaiting moderation.');
    assert.equal(page(`#comment-${spam}`).length, 0);
    assert.ok(!html.includes('Caught as spam.'), 'the spam text is not on the page');
    assert.ok(!html.includes('Caught Person'), 'nor its author');
    assert.equal(page('.comment-awaiting-moderation').length, 1, 'only the pending comment says so');
  });

  it('tells nobody "awaiting moderation" when their only comment is spam', async () => {
    const spam = await insertComment(database.db, { status: 'spam', body: 'Caught as spam.' });
    const { page, html } = await articlePage(ownCommentsCookie([spam]));
    assert.ok(!html.includes('awaiting moderation'));
    assert.equal(page('ol.comment-list').length, 0);
  });
});

describe('replies to a comment that was removed', () => {
  for (const status of ['trash', 'spam', 'pending'] as const) {
    it(`stay in their thread under a placeholder when the comment is in ${status}`, async () => {
      const removed = await insertComment(database.db, { status, author_name: 'Removed Author', body: 'Removed words.' });
      const first = await insertComment(database.db, { parent_id: removed, body: 'First reply.' });
      const second = await insertComment(database.db, { parent_id: removed, body: 'Second reply.' });
      const later = await insertComment(database.db, { body: 'A later thread.' });
      const { page, html } = await articlePage();

      assert.deepEqual(itemsIn(page, 'ol.comment-list'), ['(removed)', `comment-${later}`]);
      const placeholder = page('ol.comment-list > li.comment--removed');
      assert.equal(squash(placeholder.children('.comment-body').text()), 'This comment was removed.');
      assert.deepEqual(itemsIn(page, 'ol.comment-list > li.comment--removed > ol.children'), [`comment-${first}`, `comment-${second}`]);
      assert.equal(page(`#comment-${removed}`).length, 0);
      assert.equal(page(`[id$="-${removed}"]`).length, 0, 'no element carries the removed comment’s id');
      assert.equal(page(`a[href*="replytocom=${removed}"]`).length, 0, 'a removed comment cannot be replied to');
      for (const text of ['Removed Author', 'Removed words.', 'awaiting moderation'])
        assert.ok(!html.includes(text), `${text} is not shown`);
      assert.equal(textAt(page, 'article.post .comments-link'), '3 comments', 'the placeholder is not counted');
      assert.match(textAt(page, '#comments-title'), /^3 Replies/);
    });
  }

  it('keeps a nested thread in place: the placeholder sits where the removed reply was', async () => {
    const top = await insertComment(database.db, { body: 'Top.' });
    const removed = await insertComment(database.db, { status: 'trash', parent_id: top, body: 'Removed reply.' });
    const deeper = await insertComment(database.db, { parent_id: removed, body: 'Deeper.' });
    const sibling = await insertComment(database.db, { parent_id: top, body: 'Sibling.' });
    const { page } = await articlePage();
    assert.deepEqual(itemsIn(page, 'ol.comment-list'), [`comment-${top}`]);
    assert.deepEqual(itemsIn(page, `#comment-${top} > ol.children`), ['(removed)', `comment-${sibling}`]);
    assert.deepEqual(itemsIn(page, `#comment-${top} > ol.children > li.comment--removed > ol.children`), [`comment-${deeper}`]);
  });

  it('keeps the chain when several comments in a row were removed', async () => {
    const top = await insertComment(database.db, { body: 'Top.' });
    const gone = await insertComment(database.db, { status: 'trash', parent_id: top });
    const alsoGone = await insertComment(database.db, { status: 'spam', parent_id: gone });
    const survivor = await insertComment(database.db, { parent_id: alsoGone, body: 'Survivor.' });
    const { page } = await articlePage();
    const chain = `#comment-${top} > ol.children > li.comment--removed > ol.children > li.comment--removed > ol.children`;
    assert.deepEqual(itemsIn(page, chain), [`comment-${survivor}`]);
  });

  it('shows no placeholder for a removed comment that has no shown replies', async () => {
    const removed = await insertComment(database.db, { status: 'trash' });
    await insertComment(database.db, { status: 'pending', parent_id: removed });
    const kept = await insertComment(database.db);
    const { page } = await articlePage();
    assert.deepEqual(itemsIn(page, 'ol.comment-list'), [`comment-${kept}`]);
    assert.equal(page('.comment--removed').length, 0);
  });
});

describe('avatars', () => {
  it('do not link two comments of one address by their picture', async () => {
    await saveDiscussionSettings(database.db, { ...DEFAULT_DISCUSSION_SETTINGS, showAvatars: true, avatarSource: 'local' }, null);
    const first = await insertComment(database.db, { author_email: 'same.person@example.org' });
    const second = await insertComment(database.db, { author_email: 'same.person@example.org' });
    const { page } = await articlePage();
    const firstAvatar = page(`#comment-${first} img.avatar`).attr('src');
    const secondAvatar = page(`#comment-${second} img.avatar`).attr('src');
    assert.match(firstAvatar ?? '', /^\/avatars\/[0-9a-f]{32}\.svg$/);
    assert.match(secondAvatar ?? '', /^\/avatars\/[0-9a-f]{32}\.svg$/);
    assert.notEqual(firstAvatar, secondAvatar);
    assert.equal((await articlePage()).page(`#comment-${first} img.avatar`).attr('src'), firstAvatar, 'one comment keeps its picture');
  });
});

describe('names with bidirectional control characters', () => {
  const RIGHT_TO_LEFT_OVERRIDE = '\u202e';
  it('are isolated in <bdi> wherever the article page shows them', async () => {
    const name = `${RIGHT_TO_LEFT_OVERRIDE}nimdA`;
    const plain = await insertComment(database.db, { author_name: name });
    const linked = await insertComment(database.db, { author_name: name, author_url: 'https://linked.example.org/' });
    const { page } = await articlePage();
    for (const id of [plain, linked]) {
      const author = page(`#comment-${id} .comment-author .fn`);
      assert.equal(author.find('bdi').text(), name, 'the author is in a <bdi>');
      assert.equal(squash(author.text()), name);
      const reply = page(`#comment-${id} .comment-reply-link`);
      assert.equal(reply.find('bdi').text(), name, 'the Reply link names the author in a <bdi>');
      assert.equal(squash(reply.text()), `Reply to ${name}`);
      assert.equal(reply.attr('aria-label'), undefined, 'the accessible name is the link’s own (isolated) text');
    }
  });
});

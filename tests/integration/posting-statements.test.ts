import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import { untilListening } from '../helpers/app.js';
import { commentingApp, loadForm, postPairs, typed } from '../helpers/commenting.js';
import { DEMO_SLUG, queriesDuring, useTestDatabase } from '../helpers/database.js';

/**
 * What a comment post asks of PostgreSQL once the discussion settings and
 * the article are remembered (while the page-change listener hears every
 * change): neither of them again, only the post's own two statements. And a
 * change made by another instance still reaches the very next posts within
 * a second.
 */

const database = useTestDatabase();
let harness: ReturnType<typeof commentingApp>;
let otherInstance: Database;
let posted = 0;

before(() => {
  otherInstance = connectDatabase(process.env.DATABASE_URL!);
});
after(async () => {
  await otherInstance.destroy();
});
beforeEach(async () => {
  harness = commentingApp(database.db);
  form = undefined;
  await untilListening(database.db);
});

let form: Record<string, string> | undefined;

/**
 * A post by a new commenter from a new address, of the form loaded before
 * the test's change (once comments close, the page shows none).
 */
async function post() {
  posted += 1;
  form ??= (await loadForm(harness.browser())).fields;
  harness.advanceSeconds(5);
  const pairs = typed(form, {
    submission_id: randomUUID(),
    author: `Reader ${posted}`,
    email: `reader${posted}@example.org`,
    comment: `Thought number ${posted}.`,
  });
  return postPairs(harness.browser(), pairs, { ip: `198.51.100.${(posted % 250) + 1}` });
}

/** Posts until one is refused, for at most `withinMs`; returns the refusal's status and when it came. */
async function postUntilRefused(withinMs: number): Promise<{ status: number; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const response = await post();
    const afterMs = Date.now() - started;
    if (response.status !== 303 || afterMs > withinMs) return { status: response.status, afterMs };
  }
}

describe('posting a comment, as far as the database is concerned', () => {
  it('reads neither the settings nor the article once they are remembered', async () => {
    assert.equal((await post()).status, 303);
    const browser = harness.browser();
    const { fields } = await loadForm(browser);
    harness.advanceSeconds(5);
    const pairs = typed(fields, { author: 'Counted Reader', email: 'counted@example.org', comment: 'Counted words.' });
    let status = 0;
    const statements = await queriesDuring(database.db, async () => {
      status = (await postPairs(browser, pairs, { ip: '198.51.100.254' })).status;
    });
    assert.equal(status, 303);
    const rereads = statements.filter((sql) => /\bfrom "?(settings|articles)"?/i.test(sql));
    assert.deepEqual(rereads, [], 'the remembered settings and article are not read again');
    assert.ok(
      statements.some((sql) => /\binsert into "?comments"?/i.test(sql)),
      `the comment is stored:\n${statements.join('\n')}`,
    );
    // A performance guard: every statement is a round trip, most of what a post costs.
    const posting = statements.filter((sql) => /\bcomments\b/i.test(sql));
    assert.equal(posting.length, 2, `the rules' reads and the store, one statement each:\n${posting.join('\n')}`);
  });

  it('obeys settings saved by another instance within a second', async () => {
    assert.equal((await post()).status, 303);
    const settings = await loadDiscussionSettings(otherInstance);
    // The demo article is older than a day: closing comments after one day closes it.
    await saveDiscussionSettings(otherInstance, { ...settings, closeOldArticles: true, closeAfterDays: 1 }, null);
    const refused = await postUntilRefused(1000);
    assert.equal(refused.status, 403, `still accepted ${refused.afterMs} ms after the change`);
  });

  it('obeys an article closed by another instance within a second', async () => {
    assert.equal((await post()).status, 303);
    await otherInstance('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    const refused = await postUntilRefused(1000);
    assert.equal(refused.status, 403, `still accepted ${refused.afterMs} ms after the change`);
  });

  it('obeys a change made through this instance at once', async () => {
    assert.equal((await post()).status, 303);
    await database.db('articles').where({ slug: DEMO_SLUG }).update({ comments_open: false });
    assert.equal((await post()).status, 403);
  });
});

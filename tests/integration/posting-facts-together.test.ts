import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { readOnePostingFacts, readPostingFacts, readPostingFactsTogether, type PostingQuestion } from '../../src/comments/posting-queries.js';
import { useTestDatabase } from '../helpers/database.js';
import { articleIdOf, insertComment } from '../helpers/rows.js';

/**
 * Comment posts that arrive together read their facts in one statement
 * (db/batched-reads.ts). Each must learn exactly what it would alone.
 */

const context = useTestDatabase();

/** Questions of every shape: a reply, a resent form, a duplicate, a blocked domain, a returning commenter, a new one. */
async function questionsOfEveryShape(): Promise<PostingQuestion[]> {
  const { db } = context;
  const articleId = await articleIdOf(db);
  const parentId = await insertComment(db, { author_name: 'Ada', author_email: 'ada@example.org', body: 'First!' });
  const submissionId = randomUUID();
  const sentId = await insertComment(db, { author_name: 'Bea', author_email: 'bea@example.org', body: 'Sent twice.', status: 'pending' });
  await db('comments').where({ id: sentId }).update({ submission_id: submissionId });
  await db('commenter_blocks').insert({ kind: 'domain', value: 'spam.example' });
  const comment = (author_name: string, author_email: string, body: string, parent_id: string | null = null) => ({ article_id: articleId, parent_id, author_name, author_email, body });
  return [
    { submissionId: randomUUID(), comment: comment('Cy', 'cy@example.org', 'A reply.', parentId), ip: '192.0.2.1' },
    { submissionId, comment: comment('Bea', 'bea@example.org', 'Sent twice.'), ip: '192.0.2.2' },
    { submissionId: randomUUID(), comment: comment('Ada', 'ADA@example.org', 'First!'), ip: '192.0.2.3' },
    { submissionId: null, comment: comment('Dee', 'dee@spam.example', 'Buy now.'), ip: null },
    { submissionId: randomUUID(), comment: comment('Ada', 'ada@example.org', 'Back again.'), ip: '192.0.2.4' },
    { submissionId: randomUUID(), comment: comment('Eve', 'eve@example.org', 'Hello.', '999999'), ip: '192.0.2.5' },
  ];
}

const withoutNewId = ({ newId: _newId, ...facts }: Awaited<ReturnType<typeof readOnePostingFacts>>) => facts;

describe('the facts of comment posts read together', () => {
  it('tell each post what it would learn alone, in the order asked, each with its own new id', async () => {
    const questions = await questionsOfEveryShape();
    const alone = await Promise.all(questions.map((question) => readOnePostingFacts(context.db, question)));
    // Reversed, so the statement's own order (by text) differs from the order asked.
    const together = (await readPostingFactsTogether(context.db, [...questions].reverse())).reverse();
    assert.deepEqual(together.map(withoutNewId), alone.map(withoutNewId));
    const ids = [...alone, ...together].map((facts) => facts.newId);
    assert.ok(ids.every((id) => /^\d+$/.test(id)));
    assert.equal(new Set(ids).size, ids.length, 'every post has an id of its own');

    // The shapes above really differ: each fact is true for some post and false for another.
    assert.ok(alone[0]!.parent && !alone[1]!.parent);
    assert.ok(alone[1]!.earlier && !alone[0]!.earlier);
    assert.ok(alone[2]!.duplicate && !alone[4]!.duplicate);
    assert.deepEqual(alone[3]!.block, { kind: 'domain', value: 'spam.example' });
    assert.ok(alone[4]!.previouslyApproved && !alone[0]!.previouslyApproved);
  });

  it('gathers the posts that ask while a read is out, and answers every one as the lone read would', async () => {
    const questions = await questionsOfEveryShape();
    const alone = await Promise.all(questions.map((question) => readOnePostingFacts(context.db, question)));
    const batched = await Promise.all(questions.map((question) => readPostingFacts(context.db, question)));
    assert.deepEqual(batched.map(withoutNewId), alone.map(withoutNewId));
  });
});

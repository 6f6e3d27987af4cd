import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchedReads } from '../../src/platform/db/batched-reads.js';

/** A reader over numbers that records each call and answers when released. */
function recorder() {
  const calls: Array<{ kind: 'many' | 'one'; questions: number[]; release: () => void }> = [];
  const held = <T>(kind: 'many' | 'one', questions: number[], answer: () => T) =>
    new Promise<T>((resolve, reject) =>
      calls.push({
        kind,
        questions,
        release: () => {
          try {
            resolve(answer());
          } catch (error) {
            reject(error);
          }
        },
      }),
    );
  const readMany = (questions: number[]) =>
    held('many', questions, () => {
      if (questions.includes(13)) throw new Error('the database refused 13');
      return questions.map((n) => n * 10);
    });
  const readOne = (n: number) =>
    held('one', [n], () => {
      if (n === 13) throw new Error('the database refused 13');
      return n * 10;
    });
  return { calls, readMany, readOne };
}

/** Two turns of the event loop: a finished read frees its slot in one, the next batch goes out in the other. */
const turn = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
};

describe('batched reads', () => {
  it('sends a read asked alone by itself, and those asked together in one call, answering each its own', async () => {
    const { calls, readMany, readOne } = recorder();
    const read = batchedReads(readMany, readOne);
    const alone = read(1);
    await turn();
    assert.deepEqual(calls.map(({ kind, questions }) => [kind, questions]), [['one', [1]]]);
    calls[0]!.release();
    assert.equal(await alone, 10);

    const together = [read(2), read(3), read(4)];
    await turn();
    assert.deepEqual(calls.slice(1).map(({ kind, questions }) => [kind, questions]), [['many', [2, 3, 4]]]);
    calls[1]!.release();
    assert.deepEqual(await Promise.all(together), [20, 30, 40]);
  });

  it('holds new reads while a batch is out, then sends them together, at most the batch size at a time', async () => {
    const { calls, readMany, readOne } = recorder();
    const read = batchedReads(readMany, readOne, 3);
    const first = read(1);
    await turn();
    const later = [2, 3, 4, 5, 6].map((n) => read(n));
    await turn();
    assert.equal(calls.length, 1, 'nothing more is sent while the first read is out');
    calls[0]!.release();
    await first;
    await turn();
    assert.deepEqual(calls.slice(1).map(({ questions }) => questions), [[2, 3, 4]]);
    calls[1]!.release();
    await turn();
    assert.deepEqual(calls.slice(2).map(({ questions }) => questions), [[5, 6]]);
    calls[2]!.release();
    assert.deepEqual(await Promise.all(later), [20, 30, 40, 50, 60]);
  });

  it('when a batch fails, tries each read alone, so only the refused one fails', async () => {
    const { calls, readMany, readOne } = recorder();
    const read = batchedReads(readMany, readOne);
    const answers = [read(12), read(13), read(14)].map((promise) => promise.then((value) => ({ value }), (error: Error) => ({ error: error.message })));
    await turn();
    calls[0]!.release();
    await turn();
    assert.deepEqual(calls.slice(1).map(({ kind, questions }) => [kind, questions]), [['one', [12]], ['one', [13]], ['one', [14]]]);
    for (const call of calls.slice(1)) call.release();
    assert.deepEqual(await Promise.all(answers), [{ value: 120 }, { error: 'the database refused 13' }, { value: 140 }]);
  });
});

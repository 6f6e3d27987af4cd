import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeFollowedMemo } from '../../src/platform/page-cache/change-followed-memo.js';

/** A loader that counts its reads and answers `value` under `tags`. */
function loader(value: string | null, tags: string[] = ['settings']) {
  const counted = { reads: 0 };
  const load = () => {
    counted.reads += 1;
    return Promise.resolve(value === null ? null : { value, tags });
  };
  return Object.assign(counted, { load });
}

describe('memo of values that change notifications keep current', () => {
  it('asks the database every time while nobody listens for changes', async () => {
    const memo = new ChangeFollowedMemo();
    const settings = loader('open');
    assert.equal(await memo.read('settings', settings.load), 'open');
    assert.equal(await memo.read('settings', settings.load), 'open');
    assert.equal(settings.reads, 2);
    assert.equal(memo.size, 0);
  });

  it('keeps a value while listening, until a change to one of its tags', async () => {
    const memo = new ChangeFollowedMemo();
    memo.listening = true;
    const article = loader('the article', ['article:7']);
    await memo.read('article-by-slug:a', article.load);
    await memo.read('article-by-slug:a', article.load);
    assert.equal(article.reads, 1);

    memo.invalidate('article:8');
    await memo.read('article-by-slug:a', article.load);
    assert.equal(article.reads, 1, 'another article’s change leaves it');

    memo.invalidate('article:7');
    await memo.read('article-by-slug:a', article.load);
    assert.equal(article.reads, 2, 'its own change drops it');
  });

  it('keeps nothing read across a change, and never a missing value', async () => {
    const memo = new ChangeFollowedMemo();
    memo.listening = true;
    let reads = 0;
    const racing = () => {
      reads += 1;
      // The change is heard while this read is on its way back.
      memo.invalidate('settings');
      return Promise.resolve({ value: 'before the change', tags: ['settings'] });
    };
    assert.equal(await memo.read('settings', racing), 'before the change');
    assert.equal(memo.size, 0);

    const missing = loader(null);
    assert.equal(await memo.read('article-by-slug:later', missing.load), null);
    await memo.read('article-by-slug:later', missing.load);
    assert.equal(missing.reads, 2);
    assert.equal(reads, 1);
  });

  it('drops everything when it stops or starts listening, or is cleared', async () => {
    const memo = new ChangeFollowedMemo();
    memo.listening = true;
    const settings = loader('open');
    await memo.read('settings', settings.load);
    memo.listening = false;
    memo.listening = true;
    await memo.read('settings', settings.load);
    assert.equal(settings.reads, 2);
    memo.clear();
    await memo.read('settings', settings.load);
    assert.equal(settings.reads, 3);
  });

  it('waits until this process’s own writes are heard before using a kept value', async () => {
    const memo = new ChangeFollowedMemo();
    memo.listening = true;
    const settings = loader('open');
    await memo.read('settings', settings.load);
    let heard!: () => void;
    memo.localWritesHeard = () => new Promise<void>((resolve) => (heard = resolve));
    let answered = false;
    const reading = memo.read('settings', settings.load).then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false, 'not before the write is heard');
    // Hearing it brings the notification that drops the old value.
    memo.invalidate('settings');
    heard();
    await reading;
    assert.equal(settings.reads, 2);
  });

  it('holds a bounded number of values, the oldest going first', async () => {
    const memo = new ChangeFollowedMemo(2);
    memo.listening = true;
    for (const key of ['a', 'b', 'c']) await memo.read(key, loader(key).load);
    assert.equal(memo.size, 2);
    const a = loader('a again');
    assert.equal(await memo.read('a', a.load), 'a again');
    assert.equal(a.reads, 1);
  });
});

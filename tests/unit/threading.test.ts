import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THREAD_DEPTH, threadComments, type ThreadNode } from '../../src/comments/threading.js';

const REMOVED = '(removed)';

interface Row {
  id: string;
  parent_id: string | null;
  body: string;
}

const row = (id: number, parent?: number): Row => ({
  id: String(id),
  parent_id: parent === undefined ? null : String(parent),
  body: `comment ${id}`,
});

interface Outline {
  id: string;
  depth: number;
  children: Outline[];
}

/** The tree as ids and depths only, easy to compare whole; a removed comment's placeholder has no id. */
function outline(nodes: ThreadNode<Row>[]): Outline[] {
  return nodes.map((node) => ({ id: node.comment?.id ?? REMOVED, depth: node.depth, children: outline(node.children) }));
}

const leaf = (id: number, depth: number): Outline => ({ id: String(id), depth, children: [] });
const branch = (id: number, depth: number, children: Outline[]): Outline => ({ id: String(id), depth, children });

/** Every node, depth first, in display order. */
function flatten(nodes: Outline[]): Outline[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}

/** A chain of `length` comments, each replying to the one before. */
const chain = (length: number) => Array.from({ length }, (_, i) => row(i + 1, i === 0 ? undefined : i));

describe('threadComments', () => {
  it('caps threads at five levels by default', () => {
    assert.equal(DEFAULT_THREAD_DEPTH, 5);
  });

  it('returns nothing for no comments', () => {
    assert.deepEqual(threadComments([]), []);
  });

  it('keeps top-level comments in the order given, not in id order', () => {
    const tree = threadComments([row(3), row(1), row(2)]);
    assert.deepEqual(outline(tree), [leaf(3, 1), leaf(1, 1), leaf(2, 1)]);
  });

  it('nests replies under their parent, in the order given', () => {
    const tree = threadComments([row(1), row(2), row(3, 1), row(4, 2), row(5, 1), row(6, 3)]);
    assert.deepEqual(outline(tree), [branch(1, 1, [branch(3, 2, [leaf(6, 3)]), leaf(5, 2)]), branch(2, 1, [leaf(4, 2)])]);
  });

  it('keeps each comment object as given', () => {
    const rows = [row(1), row(2, 1)];
    const tree = threadComments(rows);
    assert.equal(tree[0]!.comment, rows[0]);
    assert.equal(tree[0]!.children[0]!.comment, rows[1]);
    assert.deepEqual(rows, [row(1), row(2, 1)], 'the input is not changed');
  });

  it('lets replies go five deep, then a reply to a depth-5 comment joins depth 5 beside it', () => {
    const tree = outline(threadComments(chain(7)));
    assert.deepEqual(tree, [
      branch(1, 1, [
        branch(2, 2, [
          branch(3, 3, [
            branch(4, 4, [
              // 6 replies to 5 and 7 to 6, but both sit beside 5, under 4.
              leaf(5, 5),
              leaf(6, 5),
              leaf(7, 5),
            ]),
          ]),
        ]),
      ]),
    ]);
  });

  it('puts replies to capped comments under the depth-4 ancestor, keeping order among siblings', () => {
    // 1 > 2 > 3 > 4 > 5; 6 replies to 5 (capped), 7 replies to 4 (a real depth-5 reply), 8 replies to 6.
    const rows = [...chain(5), row(6, 5), row(7, 4), row(8, 6)];
    const depth4 = flatten(outline(threadComments(rows))).find((node) => node.id === '4')!;
    assert.deepEqual(depth4.children, [leaf(5, 5), leaf(6, 5), leaf(7, 5), leaf(8, 5)]);
  });

  it('never makes a node deeper than the cap, for any cap from 2 to 10', () => {
    for (let maxDepth = 2; maxDepth <= 10; maxDepth++) {
      const nodes = flatten(outline(threadComments(chain(14), maxDepth)));
      assert.equal(nodes.length, 14, `every comment is shown once (cap ${maxDepth})`);
      assert.equal(Math.max(...nodes.map((node) => node.depth)), maxDepth, `deepest level is the cap ${maxDepth}`);
      nodes.forEach((node, index) => {
        assert.equal(node.depth, Math.min(index + 1, maxDepth), `comment ${node.id} at cap ${maxDepth}`);
      });
    }
  });

  it('honours a smaller cap: with three levels a fourth reply joins level 3', () => {
    assert.deepEqual(outline(threadComments(chain(4), 3)), [branch(1, 1, [branch(2, 2, [leaf(3, 3), leaf(4, 3)])])]);
  });

  it('keeps replies to a comment that is not shown under one placeholder, where the first of them comes', () => {
    // 99 is not in the list (pending, spam, trashed); 2 and 5 reply to it, 3 to 2.
    const tree = threadComments([row(1), row(2, 99), row(3, 2), row(4), row(5, 99)]);
    assert.deepEqual(outline(tree), [
      leaf(1, 1),
      { id: REMOVED, depth: 1, children: [branch(2, 2, [leaf(3, 3)]), leaf(5, 2)] },
      leaf(4, 1),
    ]);
  });

  it('puts the placeholder under the removed comment’s own parent, through a chain of removed ones', () => {
    // 1 > 50 (removed) > 60 (removed) > 3; 2 replies to 1 later.
    const removedParents = new Map([
      ['60', '50'],
      ['50', '1'],
      ['1', null],
    ]);
    const tree = threadComments([row(1), row(3, 60), row(2, 1)], DEFAULT_THREAD_DEPTH, removedParents);
    assert.deepEqual(outline(tree), [
      branch(1, 1, [{ id: REMOVED, depth: 2, children: [{ id: REMOVED, depth: 3, children: [leaf(3, 4)] }] }, leaf(2, 2)]),
    ]);
  });

  it('caps placeholders at the thread depth like any comment: replies to one at the cap sit beside it', () => {
    const removedParents = new Map([['9', '2']]);
    const tree = threadComments([row(1), row(2, 1), row(3, 9)], 2, removedParents);
    assert.deepEqual(outline(tree), [branch(1, 1, [leaf(2, 2), { id: REMOVED, depth: 2, children: [] }, leaf(3, 2)])]);
  });

  it('survives a loop in the parents it is given', () => {
    const removedParents = new Map([
      ['8', '9'],
      ['9', '8'],
    ]);
    const tree = threadComments([row(1, 8)], DEFAULT_THREAD_DEPTH, removedParents);
    assert.equal(flatten(outline(tree)).filter((node) => node.id === '1').length, 1);
  });

  it('lets a comment listed after a reply to it take its placeholder’s place', () => {
    const tree = threadComments([row(2, 1), row(1)]);
    assert.deepEqual(outline(tree), [branch(1, 1, [leaf(2, 2)])]);
  });

  it('shows every comment exactly once', () => {
    const rows = [row(1), row(2, 1), row(3, 77), row(4, 2), row(5, 4), row(6, 5), row(7, 6), row(8, 7), row(9)];
    const ids = flatten(outline(threadComments(rows)))
      .map((node) => node.id)
      .filter((id) => id !== REMOVED);
    assert.deepEqual(
      [...ids].sort((a, b) => Number(a) - Number(b)),
      rows.map((r) => r.id),
    );
  });
});

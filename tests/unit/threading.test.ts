import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THREAD_DEPTH, threadComments, type ThreadNode } from '../../src/services/threading.js';

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

/** The tree as ids and depths only, easy to compare whole. */
function outline(nodes: ThreadNode<Row>[]): Outline[] {
  return nodes.map((node) => ({ id: node.comment.id, depth: node.depth, children: outline(node.children) }));
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
    assert.deepEqual(outline(tree), [
      branch(1, 1, [branch(3, 2, [leaf(6, 3)]), leaf(5, 2)]),
      branch(2, 1, [leaf(4, 2)]),
    ]);
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
    assert.deepEqual(outline(threadComments(chain(4), 3)), [
      branch(1, 1, [branch(2, 2, [leaf(3, 3), leaf(4, 3)])]),
    ]);
  });

  it('makes a reply whose parent is not shown a top-level comment, in its place in the order', () => {
    // 99 is not in the list (pending, spam, trashed or deleted); 3 replies to the orphan.
    const tree = threadComments([row(1), row(2, 99), row(3, 2), row(4)]);
    assert.deepEqual(outline(tree), [leaf(1, 1), branch(2, 1, [leaf(3, 2)]), leaf(4, 1)]);
  });

  it('shows every comment exactly once', () => {
    const rows = [row(1), row(2, 1), row(3, 77), row(4, 2), row(5, 4), row(6, 5), row(7, 6), row(8, 7), row(9)];
    const ids = flatten(outline(threadComments(rows))).map((node) => node.id);
    assert.deepEqual([...ids].sort((a, b) => Number(a) - Number(b)), rows.map((r) => r.id));
  });
});

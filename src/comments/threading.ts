export const DEFAULT_THREAD_DEPTH = 5;

export interface Threadable {
  id: string;
  parent_id: string | null;
}

export interface ThreadNode<T extends Threadable> {
  /**
   * Null for the place of a comment that is not shown (trashed, spam, held,
   * deleted) but has shown replies: they stay in their thread under it. A
   * placeholder carries nothing of the removed comment, not even its id.
   */
  comment: T | null;
  depth: number;
  children: ThreadNode<T>[];
}

/**
 * The parent of each comment that is not shown but may have shown replies
 * (null: it was a top-level comment). Without it a removed comment's
 * placeholder starts a thread of its own.
 */
export type RemovedParents = ReadonlyMap<string, string | null>;

const NO_REMOVED_PARENTS: RemovedParents = new Map();

/**
 * Builds the reply tree from comments already in display order. A reply deeper
 * than `maxDepth` joins its deepest shown ancestor's replies, as WordPress
 * does. A reply to a comment that is not shown is never promoted out of its
 * thread: it goes under a placeholder for that comment, which sits where its
 * first shown reply comes in the order, under the removed comment's own parent
 * when `removedParents` knows it (a chain of removed comments each get one).
 */
export function threadComments<T extends Threadable>(
  comments: readonly T[],
  maxDepth = DEFAULT_THREAD_DEPTH,
  removedParents: RemovedParents = NO_REMOVED_PARENTS,
): ThreadNode<T>[] {
  const nodes = new Map<string, ThreadNode<T>>();
  const parentOf = new Map<ThreadNode<T>, ThreadNode<T>>();
  const roots: ThreadNode<T>[] = [];

  const place = (node: ThreadNode<T>, parent: ThreadNode<T> | undefined) => {
    if (!parent) {
      node.depth = 1;
      roots.push(node);
      return;
    }
    const home = parent.depth < maxDepth ? parent : ancestorAtDepth(parent, maxDepth - 1, parentOf);
    node.depth = home.depth + 1;
    home.children.push(node);
    parentOf.set(node, home);
  };

  // `placing` guards against a loop in the parents given.
  const placing = new Set<string>();
  const nodeFor = (id: string): ThreadNode<T> | undefined => {
    const known = nodes.get(id);
    if (known) return known;
    if (placing.has(id)) return undefined;
    placing.add(id);
    const grandparentId = removedParents.get(id);
    const parent = grandparentId ? nodeFor(grandparentId) : undefined;
    const placeholder: ThreadNode<T> = { comment: null, depth: 0, children: [] };
    nodes.set(id, placeholder);
    place(placeholder, parent);
    return placeholder;
  };

  for (const comment of comments) {
    const placeholder = nodes.get(comment.id);
    if (placeholder) {
      // Shown after a reply to it (an imported thread's clock): it takes its placeholder's place.
      if (placeholder.comment === null) placeholder.comment = comment;
      continue;
    }
    const parent = comment.parent_id ? nodeFor(comment.parent_id) : undefined;
    const node: ThreadNode<T> = { comment, depth: 0, children: [] };
    nodes.set(comment.id, node);
    place(node, parent);
  }
  return roots;
}

function ancestorAtDepth<T extends Threadable>(
  node: ThreadNode<T>,
  depth: number,
  parentOf: ReadonlyMap<ThreadNode<T>, ThreadNode<T>>,
): ThreadNode<T> {
  let current = node;
  while (current.depth > depth) {
    const parent = parentOf.get(current);
    if (!parent) break;
    current = parent;
  }
  return current;
}

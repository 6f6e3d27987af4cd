export const DEFAULT_THREAD_DEPTH = 5;

export interface Threadable {
  id: string;
  parent_id: string | null;
}

export interface ThreadNode<T extends Threadable> {
  comment: T;
  depth: number;
  children: ThreadNode<T>[];
}

/**
 * Builds the reply tree from comments already in display order. A reply to a
 * comment that is not shown starts its own thread; a reply deeper than
 * `maxDepth` joins its deepest shown ancestor's replies, as WordPress does.
 */
export function threadComments<T extends Threadable>(
  comments: readonly T[],
  maxDepth = DEFAULT_THREAD_DEPTH,
): ThreadNode<T>[] {
  const nodes = new Map<string, ThreadNode<T>>();
  const roots: ThreadNode<T>[] = [];
  for (const comment of comments) {
    const parent = comment.parent_id ? nodes.get(comment.parent_id) : undefined;
    if (!parent) {
      const node = { comment, depth: 1, children: [] };
      nodes.set(comment.id, node);
      roots.push(node);
      continue;
    }
    const home = parent.depth < maxDepth ? parent : findAncestorAtDepth(parent, maxDepth - 1, nodes);
    const node = { comment, depth: home.depth + 1, children: [] };
    nodes.set(comment.id, node);
    home.children.push(node);
  }
  return roots;
}

function findAncestorAtDepth<T extends Threadable>(
  node: ThreadNode<T>,
  depth: number,
  nodes: Map<string, ThreadNode<T>>,
): ThreadNode<T> {
  let current = node;
  while (current.depth > depth && current.comment.parent_id) {
    const parent = nodes.get(current.comment.parent_id);
    if (!parent) break;
    current = parent;
  }
  return current;
}

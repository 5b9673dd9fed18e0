// The organisation tree from the flat, paged branch list (each branch names its parent).

import type { Branch } from '@/api/types';

export interface BranchNode extends Branch {
  children: BranchNode[];
}

// Roots are branches whose parent is not in the list: the head office for bank-wide callers,
// the caller's own branch for everyone else.
export function buildBranchTree(branches: readonly Branch[]): BranchNode[] {
  const nodes = new Map<number, BranchNode>();
  for (const branch of branches) nodes.set(branch.id, { ...branch, children: [] });
  const roots: BranchNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  // In the order the bank created them (the server's order), which is usually its own order.
  const sort = (list: BranchNode[]): void => {
    list.sort((a, b) => a.id - b.id);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}

// The branch and everything below it, by path prefix.
export function subtreeIds(branches: readonly Branch[], id: number): Set<number> {
  const root = branches.find((b) => b.id === id);
  if (root === undefined) return new Set();
  return new Set(branches.filter((b) => b.path.startsWith(root.path)).map((b) => b.id));
}

// "总行 / 西湖管辖支行 / 西溪支行": the names along the path that the caller can see.
export function branchTrail(branches: readonly Branch[], id: number | null | undefined): string {
  if (id === null || id === undefined) return '';
  const byId = new Map(branches.map((b) => [b.id, b]));
  const branch = byId.get(id);
  if (branch === undefined) return '';
  const names: string[] = [];
  for (const part of branch.path.split('/')) {
    if (part === '') continue;
    const step = byId.get(Number(part));
    if (step !== undefined) names.push(step.name);
  }
  return names.join(' / ');
}

import { describe, expect, it } from 'vitest';
import type { Branch } from '@/api/types';
import { branchTrail, buildBranchTree, subtreeIds } from './branches';

const b = (id: number, parent: number | null, path: string, name = `b${id}`): Branch => ({
  id,
  parent_id: parent,
  code: `C${id}`,
  name,
  kind: parent === null ? 'head_office' : path.split('/').length > 4 ? 'sub_branch' : 'branch',
  address: '',
  latitude: 30,
  longitude: 120,
  path,
  created_at: '',
  updated_at: '',
});

const all = [b(1, null, '/1/', '总行'), b(3, 1, '/1/3/', '上城'), b(2, 1, '/1/2/', '西湖'), b(5, 2, '/1/2/5/', '西溪')];

describe('branches', () => {
  it('builds the tree in creation order', () => {
    const tree = buildBranchTree(all);
    expect(tree.map((n) => n.id)).toEqual([1]);
    expect(tree[0]?.children.map((n) => n.id)).toEqual([2, 3]);
    expect(tree[0]?.children[0]?.children.map((n) => n.id)).toEqual([5]);
  });

  it('roots a subtree at the caller’s own branch', () => {
    const tree = buildBranchTree([b(5, 2, '/1/2/5/')]);
    expect(tree.map((n) => n.id)).toEqual([5]);
  });

  it('finds a subtree by path prefix', () => {
    expect([...subtreeIds(all, 2)].sort()).toEqual([2, 5]);
    expect(subtreeIds(all, 99).size).toBe(0);
  });

  it('names the path it can see', () => {
    expect(branchTrail(all, 5)).toBe('总行 / 西湖 / 西溪');
    expect(branchTrail([b(5, 2, '/1/2/5/', '西溪')], 5)).toBe('西溪');
    expect(branchTrail(all, null)).toBe('');
  });
});

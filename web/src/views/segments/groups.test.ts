import { describe, expect, it } from 'vitest';
import { writeExpression } from '@/utils/segmentExpression';
import type { Condition, SegmentCatalog } from '@/utils/segmentExpression';
import { canNest, GROUP_DEPTH_MAX, newGroup, pathLabel, writeGroups } from './groups';
import type { BuilderItem } from './groups';

const catalog: Pick<SegmentCatalog, 'attributes'> = {
  attributes: [
    { name: 'age', type: 'integer' },
    { name: 'city', type: 'string' },
  ],
};
const age = (op: '>=' | '<', value: string): Condition => ({ kind: 'attribute', name: 'age', op, value, value2: '' });
const login: Condition = { kind: 'event', negated: false, event: 'login', times: 'at_least', n: 1, days: 30 };
const vip: Condition = { kind: 'tag', tag: 'vip', value: '' };

describe('writeGroups', () => {
  it('writes a flat list exactly as writeExpression does', () => {
    const flat = [age('>=', '30'), login];
    expect(writeGroups(flat, 'and', catalog)).toEqual(writeExpression(flat, 'and', catalog));
    expect(writeGroups(flat, 'or', catalog)).toEqual({ ok: true, text: 'age >= 30 or did login in last 30 days' });
  });

  it('puts a group of several items in parentheses, with its own combinator', () => {
    const items: BuilderItem[] = [age('>=', '30'), { kind: 'group', combinator: 'or', items: [login, vip] }];
    expect(writeGroups(items, 'and', catalog)).toEqual({ ok: true, text: 'age >= 30 and (did login in last 30 days or has tag vip)' });
  });

  it('nests groups in groups, and writes a group of one item bare', () => {
    const items: BuilderItem[] = [
      { kind: 'group', combinator: 'and', items: [age('>=', '30'), { kind: 'group', combinator: 'or', items: [login, vip] }] },
      { kind: 'group', combinator: 'and', items: [age('<', '25')] },
    ];
    expect(writeGroups(items, 'or', catalog)).toEqual({
      ok: true,
      text: '(age >= 30 and (did login in last 30 days or has tag vip)) or age < 25',
    });
  });

  it('names the first incomplete item by its path, an empty group included', () => {
    const missing: BuilderItem[] = [login, { kind: 'group', combinator: 'or', items: [vip, age('>=', '')] }];
    expect(writeGroups(missing, 'and', catalog)).toEqual({ ok: false, path: [1, 1], reason: 'number' });
    const empty: BuilderItem[] = [login, newGroup()];
    expect(writeGroups(empty, 'and', catalog)).toEqual({ ok: false, path: [1], reason: 'empty' });
    expect(writeGroups([], 'and', catalog)).toEqual({ ok: false, path: [], reason: 'empty' });
  });
});

describe('pathLabel and canNest', () => {
  it('counts from 1 with dots between levels', () => {
    expect(pathLabel([2])).toBe('3');
    expect(pathLabel([1, 0])).toBe('2.1');
  });
  it('stops nesting at the depth limit', () => {
    expect(canNest(0)).toBe(true);
    expect(canNest(GROUP_DEPTH_MAX - 1)).toBe(true);
    expect(canNest(GROUP_DEPTH_MAX)).toBe(false);
  });
});

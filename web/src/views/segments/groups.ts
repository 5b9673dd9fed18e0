// The builder's nested AND/OR groups: a group is a list of conditions and groups joined by its
// own "all" (and) or "any" (or), written into the segment language with each nested group of
// more than one item in parentheses. A flat list writes exactly what writeExpression writes.

import { INCOMPLETE_REASONS, writeCondition } from '@/utils/segmentExpression';
import type { Combinator, Condition, IncompleteReason, SegmentCatalog } from '@/utils/segmentExpression';

// How deep the builder nests groups (the language allows 24 levels, kDepthMax; a person reading
// the builder does not need more than a few).
export const GROUP_DEPTH_MAX = 4;

export interface ConditionGroup {
  kind: 'group';
  combinator: Combinator;
  items: BuilderItem[];
}
export type BuilderItem = Condition | ConditionGroup;

// The text, or where the first incomplete item is (its 0-based path from the root) and why.
export type GroupWriteResult = { ok: true; text: string } | { ok: false; path: number[]; reason: IncompleteReason };

const isReason = (text: string): text is IncompleteReason => (INCOMPLETE_REASONS as readonly string[]).includes(text);

export function newGroup(combinator: Combinator = 'or'): ConditionGroup {
  return { kind: 'group', combinator, items: [] };
}

export const isGroup = (item: BuilderItem): item is ConditionGroup => item.kind === 'group';

function writeItems(
  items: readonly BuilderItem[],
  combinator: Combinator,
  catalog: Pick<SegmentCatalog, 'attributes'>,
  path: number[],
): GroupWriteResult {
  if (items.length === 0) return { ok: false, path, reason: 'empty' };
  const texts: string[] = [];
  for (const [index, item] of items.entries()) {
    if (isGroup(item)) {
      const inner = writeItems(item.items, item.combinator, catalog, [...path, index]);
      if (!inner.ok) return inner;
      // One item needs no parentheses; several always get them, whatever the combinators, so
      // the text never depends on the language's precedence of and over or.
      texts.push(item.items.length > 1 ? `(${inner.text})` : inner.text);
      continue;
    }
    const text = writeCondition(item, catalog);
    if (isReason(text)) return { ok: false, path: [...path, index], reason: text };
    texts.push(text);
  }
  return { ok: true, text: texts.join(` ${combinator} `) };
}

// The whole builder: the root's items joined by its combinator.
export function writeGroups(
  items: readonly BuilderItem[],
  combinator: Combinator,
  catalog: Pick<SegmentCatalog, 'attributes'>,
): GroupWriteResult {
  return writeItems(items, combinator, catalog, []);
}

// A path as people count: "3", or "2.1" for the first item of the second item's group.
export function pathLabel(path: readonly number[]): string {
  return path.map((i) => i + 1).join('.');
}

// How many groups deep an item at this depth may still open another.
export function canNest(depth: number): boolean {
  return depth < GROUP_DEPTH_MAX;
}

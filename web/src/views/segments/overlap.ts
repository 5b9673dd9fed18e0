// The overlap of 2–4 saved segments, as the table shows it: one row per Venn region (the
// customers in exactly those segments and none of the others), fewest segments first, then in
// the order the segments were chosen; and each segment's size with how much of it the others
// share.

import type { SegmentOverlap } from '@/api/types';

export interface OverlapRow {
  // Indexes into the answer's segments: the region holds customers in exactly these.
  sets: number[];
  // The names of the segments in and out of the region.
  inside: string[];
  outside: string[];
  count: number;
  // Of the union (0 when the union is empty).
  share: number;
}

export function overlapRows(answer: SegmentOverlap): OverlapRow[] {
  const names = answer.segments.map((s) => s.name);
  const rows = answer.regions.map((r) => ({
    sets: [...r.sets].sort((a, b) => a - b),
    inside: r.sets.map((i) => names[i] ?? `#${i}`),
    outside: names.filter((_, i) => !r.sets.includes(i)),
    count: r.count,
    share: answer.union > 0 ? r.count / answer.union : 0,
  }));
  rows.sort((a, b) => {
    if (a.sets.length !== b.sets.length) return a.sets.length - b.sets.length;
    for (let i = 0; i < a.sets.length; ++i) {
      if (a.sets[i] !== b.sets[i]) return (a.sets[i] ?? 0) - (b.sets[i] ?? 0);
    }
    return 0;
  });
  return rows;
}

// Customers in both segment i and segment j (whatever else they are in): the sum of the
// regions holding both.
export function pairCount(answer: SegmentOverlap, i: number, j: number): number {
  return answer.regions.filter((r) => r.sets.includes(i) && r.sets.includes(j)).reduce((sum, r) => sum + r.count, 0);
}

import { describe, expect, it } from 'vitest';
import type { SegmentOverlap } from '@/api/types';
import { overlapRows, pairCount } from './overlap';

const three: SegmentOverlap = {
  segments: [
    { id: 7, name: 'A', count: 10 },
    { id: 9, name: 'B', count: 6 },
    { id: 3, name: 'C', count: 4 },
  ],
  // The server's order: by bit mask (1 = A, 2 = B, 3 = A B, 4 = C, …).
  regions: [
    { sets: [0], count: 5 },
    { sets: [1], count: 1 },
    { sets: [0, 1], count: 3 },
    { sets: [2], count: 0 },
    { sets: [0, 2], count: 0 },
    { sets: [1, 2], count: 0 },
    { sets: [0, 1, 2], count: 2 },
  ],
  union: 11,
  engine_version: 4,
};

describe('overlapRows', () => {
  it('lists the regions from one segment to all of them, each with who is in and out', () => {
    const rows = overlapRows(three);
    expect(rows.map((r) => r.inside.join('+'))).toEqual(['A', 'B', 'C', 'A+B', 'A+C', 'B+C', 'A+B+C']);
    expect(rows[0]).toMatchObject({ outside: ['B', 'C'], count: 5 });
    expect(rows[6]).toMatchObject({ outside: [], count: 2 });
    expect(rows[0]?.share).toBeCloseTo(5 / 11);
  });

  it('adds up to the union', () => {
    expect(overlapRows(three).reduce((n, r) => n + r.count, 0)).toBe(three.union);
  });

  it('gives an empty union a share of 0, not NaN', () => {
    const empty: SegmentOverlap = {
      segments: [
        { id: 1, name: 'A', count: 0 },
        { id: 2, name: 'B', count: 0 },
      ],
      regions: [
        { sets: [0], count: 0 },
        { sets: [1], count: 0 },
        { sets: [0, 1], count: 0 },
      ],
      union: 0,
      engine_version: 1,
    };
    expect(overlapRows(empty).map((r) => r.share)).toEqual([0, 0, 0]);
  });
});

describe('pairCount', () => {
  it('counts everyone in both, whatever else they are in', () => {
    expect(pairCount(three, 0, 1)).toBe(5);
    expect(pairCount(three, 1, 2)).toBe(2);
  });
});

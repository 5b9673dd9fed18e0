import { describe, expect, it } from 'vitest';
import { niceTicks } from './ticks';

describe('niceTicks', () => {
  it('covers the range at 1, 2 or 5 times a power of ten', () => {
    // A quarter of the range is 250, not a nice step: 500 is the next one.
    expect(niceTicks(0, 1000, 4)).toEqual([0, 500, 1000]);
    expect(niceTicks(0, 900, 4)).toEqual([0, 500, 1000]);
    expect(niceTicks(0, 80, 4)).toEqual([0, 20, 40, 60, 80]);
  });
  it('starts below the lowest value and ends at or above the highest', () => {
    const ticks = niceTicks(4873, 5121, 4);
    expect(ticks[0]).toBeLessThanOrEqual(4873);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(5121);
    expect(ticks).toEqual([4800, 4900, 5000, 5100, 5200]);
  });
  it('gives a range around a single value, and 0..1 for zero', () => {
    expect(niceTicks(0, 0, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    const ticks = niceTicks(200, 200, 4);
    expect(ticks[0]).toBeLessThan(200);
    expect(ticks[ticks.length - 1]).toBeGreaterThan(200);
  });
  it('rounds decimal steps', () => {
    expect(niceTicks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  });
});

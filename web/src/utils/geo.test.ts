import { describe, expect, it } from 'vitest';
import { mapBounds } from './geo';

describe('mapBounds', () => {
  it('keeps ground proportions at the points’ latitude', () => {
    const points = [
      [120.1, 30.2],
      [120.3, 30.4],
    ] as const;
    const bounds = mapBounds(points, 800, 400);
    const k = Math.cos((30.3 * Math.PI) / 180);
    const ratio = ((bounds.maxX - bounds.minX) * k) / (bounds.maxY - bounds.minY);
    expect(ratio).toBeCloseTo(2, 3);
    for (const [x, y] of points) {
      expect(x).toBeGreaterThan(bounds.minX);
      expect(x).toBeLessThan(bounds.maxX);
      expect(y).toBeGreaterThan(bounds.minY);
      expect(y).toBeLessThan(bounds.maxY);
    }
  });

  it('gives one point some room and no points the world', () => {
    const one = mapBounds([[120, 30]], 100, 100);
    expect(one.maxX - one.minX).toBeGreaterThan(0);
    expect(one.maxY - one.minY).toBeGreaterThan(0);
    expect(mapBounds([], 100, 100)).toEqual({ minX: -180, maxX: 180, minY: -90, maxY: 90 });
  });
});

// Axis ranges for a longitude/latitude scatter that keeps ground proportions: near latitude φ
// one degree of longitude is cos φ times as long as one degree of latitude, so the ranges are
// widened until (Δlon · cos φ) / Δlat matches the plot's width / height.

export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

export function mapBounds(
  points: readonly (readonly [number, number])[],
  width: number,
  height: number,
  padding = 0.12,
): Bounds {
  if (points.length === 0) return { minX: -180, maxX: 180, minY: -90, maxY: 90 };
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // One point, or points in a line: give the plot about a kilometre around them.
  const minSpan = 0.01;
  let spanX = Math.max(maxX - minX, minSpan) * (1 + 2 * padding);
  let spanY = Math.max(maxY - minY, minSpan) * (1 + 2 * padding);
  const midX = (minX + maxX) / 2;
  const midY = (minY + maxY) / 2;
  const k = Math.max(Math.cos((midY * Math.PI) / 180), 0.05);
  const want = width / height;
  const have = (spanX * k) / spanY;
  if (have < want) spanX = (want * spanY) / k;
  else spanY = (spanX * k) / want;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    minX: round(midX - spanX / 2),
    maxX: round(midX + spanX / 2),
    minY: round(Math.max(midY - spanY / 2, -90)),
    maxY: round(Math.min(midY + spanY / 2, 90)),
  };
}

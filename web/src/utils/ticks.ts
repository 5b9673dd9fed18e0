// Axis ticks at "nice" steps (1, 2 or 5 × a power of ten) covering [lo, hi], about `count` of
// them: what a reader expects on a chart's value axis (0, 500, 1,000 — not 0, 487, 974).
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    // One value: a step around it (or 0..1 for zero).
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step / 2; t += step) {
    // Rounded to the step's decimals, so 0.1 + 0.2 shows as 0.3.
    const decimals = Math.max(0, -Math.floor(Math.log10(step)));
    ticks.push(Number(t.toFixed(decimals)));
    if (ticks.length > 50) break;
  }
  if ((ticks[ticks.length - 1] ?? hi) < hi) ticks.push(Number(((ticks[ticks.length - 1] ?? 0) + step).toFixed(6)));
  return ticks;
}

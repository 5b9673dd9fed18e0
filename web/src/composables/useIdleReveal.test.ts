import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { useIdleReveal } from './useIdleReveal';

describe('useIdleReveal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows ready sections one per idle period, in order of readiness', async () => {
    const scope = effectScope();
    const a = ref(false);
    const b = ref(false);
    const { shownA, shownB } = scope.run(() => {
      const { when } = useIdleReveal();
      return { shownB: when(() => b.value), shownA: when(() => a.value) };
    })!;
    expect([shownA.value, shownB.value]).toEqual([false, false]);
    vi.runOnlyPendingTimers();
    expect([shownA.value, shownB.value]).toEqual([false, false]); // nothing ready, nothing shown
    a.value = true;
    b.value = true;
    await nextTick();
    vi.runOnlyPendingTimers();
    expect([shownA.value, shownB.value]).toEqual([true, false]);
    vi.runOnlyPendingTimers();
    expect([shownA.value, shownB.value]).toEqual([true, true]);
    // Once shown, a section stays.
    a.value = false;
    await nextTick();
    expect(shownA.value).toBe(true);
    scope.stop();
  });

  it('shows nothing after its scope ends', async () => {
    const scope = effectScope();
    const a = ref(true);
    const shown = scope.run(() => useIdleReveal().when(() => a.value))!;
    scope.stop();
    vi.runAllTimers();
    expect(shown.value).toBe(false);
  });
});

// Sections below the first screen, drawn one per idle period of the browser, each in its own
// task: drawing a table costs tens of milliseconds on a slow machine, and several drawn together
// when their answers land keep the page from answering a click or a key for the sum of them.
// `when(ready)` gives a flag that turns true once `ready()` is true and the section's turn has
// come (in order of readiness); the template draws the section under that flag.

import { onScopeDispose, ref, watch } from 'vue';
import type { Ref } from 'vue';

// The longest an idle period is waited for: a busy page still draws its sections.
export const IDLE_REVEAL_TIMEOUT_MS = 500;

export function useIdleReveal(): { when: (ready: () => boolean) => Ref<boolean> } {
  const queue: Array<() => void> = [];
  let handle: { idle: number } | { timer: ReturnType<typeof setTimeout> } | null = null;
  let disposed = false;

  function pump(): void {
    handle = null;
    queue.shift()?.();
    schedule();
  }
  function schedule(): void {
    if (handle !== null || disposed || queue.length === 0) return;
    handle =
      typeof window.requestIdleCallback === 'function'
        ? { idle: window.requestIdleCallback(pump, { timeout: IDLE_REVEAL_TIMEOUT_MS }) }
        : { timer: setTimeout(pump, 0) };
  }
  onScopeDispose(() => {
    disposed = true;
    queue.length = 0;
    if (handle === null) return;
    if ('idle' in handle) window.cancelIdleCallback(handle.idle);
    else clearTimeout(handle.timer);
  });

  function when(ready: () => boolean): Ref<boolean> {
    const shown = ref(false);
    let queued = false;
    watch(
      ready,
      (on) => {
        if (!on || queued) return;
        queued = true;
        queue.push(() => {
          shown.value = true;
        });
        schedule();
      },
      { immediate: true },
    );
    return shown;
  }
  return { when };
}

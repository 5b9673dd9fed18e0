// A loading indicator that appears only when loading takes longer than `delay` ms and goes
// away at once: fast answers never flash a spinner (nor wait for its fade-out).

import { onScopeDispose, ref, watch } from 'vue';
import type { Ref } from 'vue';

export function useDelayedFlag(source: Ref<boolean> | (() => boolean), delay = 200): Ref<boolean> {
  const shown = ref(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = watch(
    source,
    (on) => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (!on) {
        shown.value = false;
        return;
      }
      timer = setTimeout(() => {
        shown.value = true;
        timer = null;
      }, delay);
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    stop();
    if (timer !== null) clearTimeout(timer);
  });
  return shown;
}

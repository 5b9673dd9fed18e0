// The live count of an expression as it is edited: every change asks POST /segments/preview
// (debounced, a newer question cancels the older, late answers are dropped) for the count in
// the caller's scope and a masked sample. Used by the builder and by a saved segment's editor.

import { onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { Ref } from 'vue';
import { segmentApi } from '@/api/endpoints';
import type { ApiError } from '@/api/problem';
import type { SegmentPreview } from '@/api/types';
import { toApiError } from '@/composables/useProblem';

// How long the editor waits after the last change before asking for a count.
export const PREVIEW_DEBOUNCE_MS = 400;
export const PREVIEW_SAMPLE = 10;

export function useSegmentPreview(expression: Ref<string>, sample = PREVIEW_SAMPLE) {
  const preview = shallowRef<SegmentPreview | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const previewing = ref(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inflight: AbortController | null = null;

  async function run(expr: string): Promise<void> {
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    previewing.value = true;
    try {
      const answer = await segmentApi.preview(expr, sample, controller.signal);
      if (inflight !== controller) return;
      preview.value = answer;
      error.value = null;
    } catch (e) {
      if (inflight !== controller || (e instanceof DOMException && e.name === 'AbortError')) return;
      preview.value = null;
      error.value = toApiError(e);
    } finally {
      if (inflight === controller) {
        inflight = null;
        previewing.value = false;
      }
    }
  }

  function cancel(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    inflight?.abort();
    inflight = null;
    previewing.value = false;
  }

  watch(
    expression,
    (expr) => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (expr === '') {
        cancel();
        preview.value = null;
        error.value = null;
        return;
      }
      timer = setTimeout(() => void run(expr), PREVIEW_DEBOUNCE_MS);
    },
  );
  onBeforeUnmount(cancel);

  return { preview, error, previewing, cancel };
}

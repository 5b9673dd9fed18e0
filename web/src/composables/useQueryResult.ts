// One analytics call behind a card or a page: loading (shown after 200 ms), the answer, the
// error for ErrorState, and a newer question cancelling an older one still travelling.

import { onScopeDispose, ref, shallowRef } from 'vue';
import type { Ref, ShallowRef } from 'vue';
import type { ApiError } from '@/api/problem';
import { toApiError } from './useProblem';
import { useDelayedFlag } from './useDelayedFlag';

export interface QueryResult<T> {
  data: ShallowRef<T | null>;
  error: ShallowRef<ApiError | null>;
  loading: Ref<boolean>;
  showLoading: Ref<boolean>;
  // Whether an answer (or an error) has arrived since the first question.
  loaded: Ref<boolean>;
  run: () => Promise<void>;
}

export function useQueryResult<T>(ask: (signal: AbortSignal) => Promise<T>): QueryResult<T> {
  const data = shallowRef<T | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const showLoading = useDelayedFlag(loading);
  let current: AbortController | null = null;

  async function run(): Promise<void> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    loading.value = true;
    error.value = null;
    try {
      const answer = await ask(controller.signal);
      if (current !== controller) return;
      data.value = answer;
    } catch (e) {
      if (current !== controller) return;
      data.value = null;
      error.value = toApiError(e);
    } finally {
      if (current === controller) {
        loading.value = false;
        loaded.value = true;
        current = null;
      }
    }
  }
  onScopeDispose(() => current?.abort());
  return { data, error, loading, showLoading, loaded, run };
}

// A server-paged list for a table: the current page, loading and error state, and numbered
// pages over the API's cursors. Answers that arrive after a newer request are dropped, so
// quick filter changes never show a stale page.

import { ref, shallowRef } from 'vue';
import { CursorPager } from '@/api/paging';
import type { ApiError } from '@/api/problem';
import type { Page } from '@/api/types';
import { useDelayedFlag } from './useDelayedFlag';
import { toApiError } from './useProblem';

export function usePagedList<T>(
  fetchPage: (cursor: string | null, limit: number) => Promise<Page<T>>,
  initialPageSize = 20,
) {
  const pager = new CursorPager();
  const items = shallowRef<T[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const error = shallowRef<ApiError | null>(null);
  const pageSize = ref(initialPageSize);
  const pageNumber = ref(1);
  const hasNext = ref(false);
  const hasPrevious = ref(false);
  // What the table shows: a spinner only for slow pages.
  const showLoading = useDelayedFlag(loading);
  let generation = 0;

  const sync = (): void => {
    pageNumber.value = pager.pageNumber;
    hasNext.value = pager.hasNext;
    hasPrevious.value = pager.hasPrevious;
  };

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await fetchPage(pager.cursor, pageSize.value);
      if (mine !== generation) return;
      items.value = page.items;
      pager.loaded(page.next_cursor);
      loaded.value = true;
    } catch (e) {
      if (mine !== generation) return;
      error.value = toApiError(e);
      items.value = [];
      pager.loaded(null);
    } finally {
      if (mine === generation) {
        loading.value = false;
        sync();
      }
    }
  }

  // From page 1 again: after a filter change, or a change that may move rows between pages.
  function reload(): Promise<void> {
    pager.reset();
    sync();
    return load();
  }

  function next(): Promise<void> {
    return pager.forward() ? load() : Promise.resolve();
  }

  function previous(): Promise<void> {
    return pager.backward() ? load() : Promise.resolve();
  }

  function setPageSize(size: number): Promise<void> {
    pageSize.value = size;
    return reload();
  }

  return {
    items,
    loading,
    showLoading,
    loaded,
    error,
    pageSize,
    pageNumber,
    hasNext,
    hasPrevious,
    load,
    reload,
    next,
    previous,
    setPageSize,
  };
}

// A page's query kept in the address: the state is read from the route's query (with the
// page's defaults for what is missing), `apply` writes a new state there (a new history entry,
// so the way back shows the previous chart), and `onChange` runs for the first state and every
// later one — from `apply`, the way back, or a shared link.

import { reactive, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { Query } from '@/utils/analytics';
import { sameQuery } from '@/utils/analytics';

export function useRouteState<T extends object>(
  fromQuery: (query: Query) => T,
  toQuery: (state: T) => Record<string, string | string[]>,
  onChange: (state: T) => void,
) {
  const route = useRoute();
  const router = useRouter();
  const name = route.name;
  // The form's copy, edited freely; the address holds what was asked.
  const state = reactive(fromQuery(route.query as Query)) as T;
  let asked = fromQuery(route.query as Query);

  watch(
    () => route.query,
    (query) => {
      if (route.name !== name) return;
      const next = fromQuery(query as Query);
      if (sameQuery(toQuery(next), toQuery(asked))) return;
      asked = next;
      Object.assign(state, fromQuery(query as Query));
      onChange(next);
    },
  );

  function apply(next: T = state): void {
    const query = toQuery(next);
    if (sameQuery(query, toQuery(asked)) && sameQuery(query, route.query as Query)) {
      onChange(asked); // the same question again: ask again (new data may have arrived)
      return;
    }
    void router.push({ name: name ?? undefined, query });
  }

  onChange(asked);
  // The address says everything the chart shows, defaults included (a shared link shows the
  // same dates tomorrow).
  if (!sameQuery(toQuery(asked), route.query as Query)) {
    void router.replace({ name: name ?? undefined, query: toQuery(asked) });
  }
  return { state, apply, current: () => asked };
}

// The event names of the segment catalog, for the analytics pages' event pickers: the bank's own
// events, without the SDKs' `$` events. Empty until the catalog answers, and when it fails (the
// pickers also take typed names).

import { shallowRef } from 'vue';
import type { ShallowRef } from 'vue';

import { segmentApi } from '@/api/endpoints';

export function useCatalogEvents(): ShallowRef<string[]> {
  const events = shallowRef<string[]>([]);
  segmentApi
    .catalog()
    .then((c) => (events.value = c.events.map((e) => e.name).filter((n) => !n.startsWith('$'))))
    .catch(() => undefined);
  return events;
}

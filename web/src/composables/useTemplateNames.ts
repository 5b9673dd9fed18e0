// Template names for the message list and the customer's message timeline, which carry only
// template ids: the first page of templates (up to the API's 200), asked for by each page that
// shows them (so a template made since is named); an id not on it, or before the answer, is
// shown as "#id".

import { shallowRef } from 'vue';
import { messagingApi } from '@/api/endpoints';

const TEMPLATE_PAGE_MAX = 200;

export function useTemplateNames() {
  const names = shallowRef<ReadonlyMap<number, string>>(new Map());
  messagingApi
    .templates({ limit: TEMPLATE_PAGE_MAX })
    .then((page) => {
      names.value = new Map(page.items.map((t) => [t.id, t.name]));
    })
    .catch(() => {
      // Names are a nicety: the ids stay.
    });
  return (id: number | null | undefined): string => (id == null ? '' : (names.value.get(id) ?? `#${id}`));
}

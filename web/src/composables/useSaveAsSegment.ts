// Saves an analytics result cell (a funnel step's drop-offs, a retention cell) as a static
// segment: asks for the name first (the question says which customers and how many), saves,
// reports the segment and its members, and keeps it for the page's link to the segments page.

import { ref, shallowRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { ElMessage, ElMessageBox } from 'element-plus';
import { ApiError } from '@/api/problem';
import type { SavedCell } from '@/api/types';
import { useProblem } from './useProblem';

// The API's limit on a segment name, in UTF-8 bytes.
export const SEGMENT_NAME_BYTES_MAX = 128;

export function useSaveAsSegment() {
  const { t, locale } = useI18n();
  const { describe } = useProblem();
  const saved = shallowRef<SavedCell | null>(null);
  const saving = ref(false);

  async function save(options: { question: string; defaultName: string; run: (name: string) => Promise<SavedCell> }): Promise<void> {
    let name: string;
    try {
      const answer = await ElMessageBox.prompt(options.question, t('funnel.saveTitle'), {
        inputValue: options.defaultName,
        inputPlaceholder: t('funnel.saveName'),
        inputValidator: (v: string) => v.trim() !== '' && new TextEncoder().encode(v.trim()).length <= SEGMENT_NAME_BYTES_MAX,
        confirmButtonText: t('common.confirm'),
        cancelButtonText: t('common.cancel'),
        closeOnClickModal: false,
      });
      name = answer.value.trim();
    } catch {
      return;
    }
    saving.value = true;
    try {
      const cell = await options.run(name);
      saved.value = cell;
      ElMessage.success(t('funnel.saved', { name: cell.name, n: cell.members.toLocaleString(locale.value) }));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) ElMessage.error({ message: describe(e), duration: 6000, showClose: true });
    } finally {
      saving.value = false;
    }
  }
  return { saved, saving, save };
}

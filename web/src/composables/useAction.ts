// Every change of data goes through here: ask first (ElMessageBox), run it, report the result
// (ElMessage), and on a refusal show the server's reason, next to the form field it names when
// it names one.

import type { Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ElMessage, ElMessageBox } from 'element-plus';
import { ApiError } from '@/api/problem';
import { useProblem } from './useProblem';

export interface ActionOptions {
  confirm: string;
  success: string;
  run: () => Promise<unknown>;
  busy?: Ref<boolean>;
  // Gets the error first; the form shows field errors there.
  onError?: (error: unknown) => void;
  danger?: boolean;
}

export function useAction() {
  const { t } = useI18n();
  const { describe } = useProblem();

  return async function act(options: ActionOptions): Promise<boolean> {
    try {
      await ElMessageBox.confirm(options.confirm, t('common.confirmTitle'), {
        type: options.danger ? 'error' : 'warning',
        confirmButtonText: t('common.confirm'),
        cancelButtonText: t('common.cancel'),
        confirmButtonClass: options.danger ? 'el-button--danger' : '',
        closeOnClickModal: false,
      });
    } catch {
      return false;
    }
    if (options.busy) options.busy.value = true;
    try {
      await options.run();
      ElMessage.success(options.success);
      return true;
    } catch (error) {
      options.onError?.(error);
      // An ended session has its own message and sends the person to log in.
      if (!(error instanceof ApiError && error.status === 401)) {
        ElMessage.error({ message: describe(error), duration: 6000, showClose: true });
      }
      return false;
    } finally {
      if (options.busy) options.busy.value = false;
    }
  };
}

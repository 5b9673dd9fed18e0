// Field errors from a problem+json answer, for el-form-item's :error. The server names the
// field with a JSON pointer (/username) or a query parameter name.

import { reactive } from 'vue';
import { ApiError } from '@/api/problem';

export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({});
  const clear = (): void => {
    for (const key of Object.keys(errors)) Reflect.deleteProperty(errors, key);
  };
  // Shows the error's field messages; returns whether any field was named.
  const show = (error: unknown): boolean => {
    clear();
    if (!(error instanceof ApiError)) return false;
    const fields = error.fieldErrors;
    Object.assign(errors, fields);
    return Object.keys(fields).length > 0;
  };
  return { errors, clear, show };
}

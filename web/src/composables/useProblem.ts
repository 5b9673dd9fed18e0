// Turns any error into words for the person: the console's own sentence for the kind of
// problem, then the server's detail, and for server faults the request id to quote.

import { useI18n } from 'vue-i18n';
import { ApiError } from '@/api/problem';

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 0,
    kind: 'unexpected',
    detail: error instanceof Error ? error.message : String(error),
  });
}

export function useProblem() {
  const { t } = useI18n();
  const headline = (error: ApiError): string => t(`problem.${error.kind}`);
  const describe = (raw: unknown): string => {
    const error = toApiError(raw);
    const parts = [headline(error)];
    if (error.detail !== '' && error.kind !== 'internal') parts.push(error.detail);
    if (error.status >= 500 && error.requestId !== '') {
      parts.push(t('common.requestId', { id: error.requestId }));
    }
    return parts.join(t('common.separator'));
  };
  return { headline, describe };
}

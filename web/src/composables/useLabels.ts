// Words for values that come from the server, in the console's language.

import { useI18n } from 'vue-i18n';
import { permissionKey } from '@/i18n';
import { formatDateTime } from '@/utils/format';

export function useLabels() {
  const { t, te, locale } = useI18n();
  const known = (key: string, fallback: string): string => (te(key) ? t(key) : fallback);
  return {
    role: (role: string | null | undefined) => (role ? known(`role.${role}`, role) : ''),
    scope: (scope: string | undefined) => (scope ? known(`scope.${scope}`, scope) : ''),
    status: (status: string) => known(`staffStatus.${status}`, status),
    branchKind: (kind: string) => known(`branchKind.${kind}`, kind),
    outcome: (outcome: string) => known(`outcome.${outcome}`, outcome),
    actorKind: (kind: string) => known(`audit.actorKind.${kind}`, kind),
    locale: (value: string) => known(`locale.${value}`, value),
    permission: (permission: string) => known(permissionKey(permission), permission),
    permissionGroup: (resource: string) => known(`permissionGroup.${resource}`, resource),
    dateTime: (value: string | null | undefined) => formatDateTime(value, locale.value),
  };
}

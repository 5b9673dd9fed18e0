// The console's languages: zh-CN by default, English on a switch. The choice is stored per
// user on the server (PATCH /api/v1/me {locale}); this browser remembers the last one only so
// the log-in page speaks it before anyone is logged in.

import { createI18n } from 'vue-i18n';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import type { Locale } from '@/api/types';
import zhCN from './messages/zh-CN';
import en from './messages/en';
import type { MessageSchema } from './schema';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = 'zh-CN';
const STORAGE_KEY = 'banyan.console.locale';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

export function cachedLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: cachedLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});

export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode or storage disabled: the server still remembers the choice.
  }
}

// Labels for values that come from the server. Unknown values (a permission added by a newer
// server, say) show as themselves rather than as a missing-translation key.
export function permissionKey(permission: string): string {
  return `permission.${permission.replace(/[^a-z0-9_]/g, '_')}`;
}

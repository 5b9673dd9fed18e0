// Who is logged in: the /api/v1/me answer, kept in memory only. The CSRF token goes to the API
// client (memory); the session itself is the HttpOnly cookie the browser holds.

import { defineStore } from 'pinia';
import { api } from '@/api/client';
import { authApi } from '@/api/endpoints';
import { ApiError } from '@/api/problem';
import type { Locale, Me } from '@/api/types';
import { applyLocale } from '@/i18n';
import { useBranchStore } from './branches';

interface SessionState {
  me: Me | null;
  // Whether the console has asked the server who is logged in since it opened.
  checked: boolean;
  // Why that question could not be answered (server down, say); shown on the log-in page.
  bootError: ApiError | null;
}

export const useSessionStore = defineStore('session', {
  state: (): SessionState => ({ me: null, checked: false, bootError: null }),
  getters: {
    authenticated: (state): boolean => state.me !== null,
    principal: (state) => state.me?.principal ?? null,
    staff: (state) => state.me?.staff ?? null,
    permissions: (state): ReadonlySet<string> => new Set(state.me?.principal.permissions ?? []),
    displayName: (state): string =>
      state.me?.staff?.display_name || state.me?.principal.name || '',
  },
  actions: {
    can(permission: string | undefined): boolean {
      return permission === undefined || this.permissions.has(permission);
    },

    adopt(me: Me): void {
      // Another person's scope: what was loaded for the previous one must not show.
      if (this.me?.principal.id !== me.principal.id) useBranchStore().forget();
      this.me = me;
      this.checked = true;
      this.bootError = null;
      api.setCsrfToken(me.csrf_token ?? null);
      applyLocale(me.staff?.locale ?? me.principal.locale ?? 'zh-CN');
    },

    // Asks the server once whether the browser holds a live session.
    async restore(): Promise<boolean> {
      if (this.checked) return this.authenticated;
      try {
        this.adopt(await authApi.me({ expectUnauthenticated: true }));
      } catch (error) {
        this.me = null;
        this.checked = true;
        if (!(error instanceof ApiError && error.status === 401)) {
          this.bootError = error instanceof ApiError ? error : ApiError.network(error);
          // Ask again at the next navigation: the server may be back.
          this.checked = false;
        }
      }
      return this.authenticated;
    },

    async login(username: string, password: string): Promise<void> {
      const response = await authApi.login(username, password);
      api.setCsrfToken(response.csrf_token);
      // /me adds the staff profile (display name, branch) to what log-in returned.
      const me = await authApi.me();
      this.adopt({ ...me, csrf_token: me.csrf_token ?? response.csrf_token });
    },

    async logout(): Promise<void> {
      try {
        await authApi.logout();
      } finally {
        this.clear();
      }
    },

    // Forgets the session (after log-out or when the server says it has ended).
    clear(): void {
      useBranchStore().forget();
      this.me = null;
      this.checked = true;
      api.setCsrfToken(null);
    },

    async setLocale(locale: Locale): Promise<void> {
      const staff = await authApi.updateMe({ locale });
      if (this.me !== null) {
        this.me = {
          ...this.me,
          principal: { ...this.me.principal, locale },
          staff: this.me.staff ? { ...this.me.staff, ...staff } : staff,
        };
      }
      applyLocale(locale);
    },

    async setDisplayName(displayName: string): Promise<void> {
      const staff = await authApi.updateMe({ display_name: displayName });
      if (this.me !== null) {
        this.me = { ...this.me, staff: this.me.staff ? { ...this.me.staff, ...staff } : staff };
      }
    },
  },
});

import { createRouter, createWebHistory } from 'vue-router';
import type { Router } from 'vue-router';
import type { Pinia } from 'pinia';
import { i18n } from '@/i18n';
import { canOpen } from '@/navigation';
import { useSessionStore } from '@/stores/session';
import { routes } from './routes';

export function createConsoleRouter(pinia: Pinia): Router {
  const router = createRouter({ history: createWebHistory(), routes });

  router.beforeEach(async (to) => {
    // The router loads a page's code only after this guard; start it now, beside /me.
    for (const record of to.matched) {
      const load = record.components?.default;
      if (typeof load === 'function' && !('render' in load) && !('setup' in load)) {
        void (load as () => Promise<unknown>)().catch(() => undefined);
      }
    }
    const session = useSessionStore(pinia);
    const authenticated = await session.restore();
    if (to.meta.public) {
      if (authenticated && to.name === 'login') {
        const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : '';
        return redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : { name: 'account' };
      }
      return true;
    }
    if (!authenticated) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    }
    if (!canOpen(to.meta, session.permissions)) return { name: 'forbidden' };
    return true;
  });

  router.afterEach((to) => {
    const t = i18n.global.t;
    const page = to.meta.titleKey ? t(to.meta.titleKey) : '';
    document.title = page ? `${page} - ${t('app.title')}` : t('app.title');
  });

  return router;
}

import { createRouter, createWebHistory } from 'vue-router';
import type { Router, RouterHistory } from 'vue-router';
import type { Pinia } from 'pinia';
import { i18n } from '@/i18n';
import { canOpen } from '@/navigation';
import { useSessionStore } from '@/stores/session';
import { routes } from './routes';

// The browser history without vue-router's scroll saving. vue-router writes the scroll position
// into history.state whenever the page is hidden (pagehide, visibilitychange), for a
// scrollBehavior's savedPosition; the console has no scrollBehavior, so nothing reads it, and
// reading the position there forces a style and layout pass while the page is being left — on
// every full load of the next page (13 ms on the 2-core machine). The two listeners are left out
// while the history is made; nothing else is registered then.
export function historyWithoutScrollSaving(): RouterHistory {
  const SKIPPED = new Set(['pagehide', 'visibilitychange']);
  const targets: EventTarget[] = [window, document];
  // Own properties where the environment puts the method on the object itself (jsdom's window);
  // in browsers it comes from EventTarget.prototype.
  const owned = targets.map((target) => Object.getOwnPropertyDescriptor(target, 'addEventListener'));
  const originals = targets.map((target) => target.addEventListener);
  targets.forEach((target, i) => {
    const original = originals[i] as (...args: unknown[]) => void;
    Object.defineProperty(target, 'addEventListener', {
      configurable: true,
      writable: true,
      value(this: EventTarget, type: string, ...rest: unknown[]) {
        if (!SKIPPED.has(type)) original.call(this, type, ...rest);
      },
    });
  });
  try {
    return createWebHistory();
  } finally {
    targets.forEach((target, i) => {
      const descriptor = owned[i];
      if (descriptor) Object.defineProperty(target, 'addEventListener', descriptor);
      else delete (target as { addEventListener?: unknown }).addEventListener;
    });
  }
}

export function createConsoleRouter(pinia: Pinia): Router {
  const router = createRouter({ history: historyWithoutScrollSaving(), routes });

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
        return redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : { name: 'home' };
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

import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { ElMessage } from 'element-plus';
// Components are imported by the templates that use them (vite.config.ts); these two are
// called from code, so their styles are imported here.
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import './styles/console.css';
import App from './App.vue';
import { api } from './api/client';
import { i18n } from './i18n';
import { createConsoleRouter } from './router';
import { useSessionStore } from './stores/session';

const app = createApp(App);
const pinia = createPinia();
const router = createConsoleRouter(pinia);
app.use(pinia).use(i18n).use(router);

// A 401 on any call that expected a session: the session expired, was ended by an
// administrator, or the cookie is gone. Forget it and go to the log-in page, coming back here
// afterwards.
api.onUnauthenticated(() => {
  const session = useSessionStore(pinia);
  if (!session.authenticated) return;
  session.clear();
  ElMessage.warning({ message: i18n.global.t('session.expired'), grouping: true });
  const current = router.currentRoute.value;
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } });
  }
});

app.mount('#app');

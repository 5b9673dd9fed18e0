import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { precompileMessages } from './build/precompileMessages';

// The console is built into dist/ and served by `banyan serve`: index.html with
// "Cache-Control: no-cache", everything under /assets/ (content-hashed names) as immutable.
export default defineConfig(({ command }) => ({
  plugins: [
    vue(),
    // Element Plus components (and v-loading) are imported where templates use them, with their
    // own CSS, so each page loads only what it shows.
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })],
      dts: false,
    }),
    // Messages are compiled into functions at build time (build/precompileMessages.ts).
    precompileMessages(),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n: no eval (the server's CSP has no 'unsafe-eval'). The production build's messages
    // are functions compiled at build time, so its bundle leaves the message compiler out; the
    // dev server and the unit tests compile the plain strings at run time.
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: command === 'build',
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_OPTIONS_API__: true,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2020',
    // The outlet map's chunk carries ECharts (about 500 kB) and loads only with that page.
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
}));

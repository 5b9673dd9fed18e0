// Build-time compilation of the console's messages (src/i18n/messages/*.ts).
//
// vue-i18n otherwise compiles each message the first time a page shows it, with a message
// compiler (about 40 kB) that ships in the first chunk and runs on every load. Here the
// production build replaces each message string by the function vue-i18n would have made of it
// (vue-i18n uses a message that is already a function as it is), and vite.config.ts drops the
// compiler from the bundle. The functions are ordinary code in the bundle, so the server's
// Content-Security-Policy (no 'unsafe-eval') still holds.
//
// The unit tests (vitest) and the dev server read the plain strings: the plugin applies to
// `vite build` only.

import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

const MESSAGE_FILE = /\/src\/i18n\/messages\/[A-Za-z-]+\.ts$/;

type Tree = { [key: string]: string | Tree };

// Most messages are plain text: they share one small function maker, so the bundle carries
// `_s("…")` rather than the compiler's general form for each.
const STATIC_MAKER = 'const _s = (text) => (ctx) => ctx.normalize([text]);';
const SPECIAL = /[{}@|$%]/;

// One message → the source of its function, or an error naming the key.
export function compileMessage(key: string, message: string): string {
  if (!SPECIAL.test(message)) return `_s(${JSON.stringify(message)})`;
  const errors: string[] = [];
  const { code } = baseCompile(message, {
    mode: 'arrow',
    location: false,
    onError: (error) => {
      errors.push(error.message);
    },
  });
  if (errors.length > 0) throw new Error(`message ${key}: ${errors.join('; ')}`);
  return code;
}

// A message tree → the source of an object literal whose leaves are message functions.
export function compileTree(tree: Tree, prefix = ''): string {
  const entries = Object.entries(tree).map(([name, value]) => {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    const compiled = typeof value === 'string' ? compileMessage(key, value) : compileTree(value, key);
    return `${JSON.stringify(name)}: ${compiled}`;
  });
  return `{${entries.join(',\n')}}`;
}

export function precompileMessages(): Plugin {
  return {
    name: 'banyan-precompile-messages',
    apply: 'build',
    // After esbuild has turned the TypeScript into JavaScript: the file is then a plain object
    // literal and `export default`, which is evaluated here to read the messages.
    async transform(code, id) {
      if (!MESSAGE_FILE.test(id)) return null;
      if (/^\s*import\s/m.test(code)) {
        throw new Error(`${id}: message files must not import values (only types)`);
      }
      const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
      const module = (await import(/* @vite-ignore */ url)) as { default?: Tree };
      if (module.default === undefined || typeof module.default !== 'object') {
        throw new Error(`${id}: no default export of messages`);
      }
      return { code: `${STATIC_MAKER}\nexport default ${compileTree(module.default)};\n`, map: null };
    },
  };
}

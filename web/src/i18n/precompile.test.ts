import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import { compileMessage, compileTree } from '../../build/precompileMessages';
import en from './messages/en';
import zhCN from './messages/zh-CN';

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );
}

// What the production bundle holds: the module the build plugin writes, evaluated.
function compiled(tree: Tree): Tree {
  const source = `const _s = (text) => (ctx) => ctx.normalize([text]); return ${compileTree(tree)};`;
  return new Function(source)() as Tree;
}

describe('build-time message compilation', () => {
  // Untyped: the app's message schema types createI18n globally; these are plain trees.
  type Translate = { global: { t: (key: string, params: object) => string; te: (key: string) => boolean } };
  const make = createI18n as unknown as (options: object) => Translate;
  const instance = (locale: string, messages: Record<string, unknown>) =>
    make({ legacy: false, locale, messages, missingWarn: false, fallbackWarn: false });
  const builtMessages = { 'zh-CN': compiled(zhCN as unknown as Tree), en: compiled(en as unknown as Tree) };
  const params = { n: 3, name: 'Ada', id: 42, seq: 7, count: 2, reason: 'x', at: 'now', field: 'phone' };

  for (const locale of ['zh-CN', 'en'] as const) {
    it(`renders every ${locale} message as the runtime compiler does`, () => {
      const runtime = instance(locale, { 'zh-CN': zhCN, en });
      const built = instance(locale, builtMessages);
      const all = keys((locale === 'en' ? en : zhCN) as unknown as Tree);
      expect(all.length).toBeGreaterThan(100);
      for (const key of all) {
        expect(built.global.t(key, params), key).toBe(runtime.global.t(key, params));
        expect(built.global.te(key), key).toBe(true); // labels ask te() before t()
      }
    });
  }

  it('keeps plain text compact and compiles placeholders, plurals and literals', () => {
    expect(compileMessage('a', '你好')).toBe('_s("你好")');
    expect(compileMessage('b', 'Hello {name}')).toContain('_named("name")');
    expect(compileMessage('c', "a {'@'} b")).toContain('"@"');
  });

  it('refuses a malformed message, naming its key', () => {
    expect(() => compileMessage('x.y', 'broken {name')).toThrow(/x\.y/);
  });
});

import type zhCN from './messages/zh-CN';

// The shape every locale's messages must have: zh-CN's.
export type MessageSchema = typeof zhCN;

declare module 'vue-i18n' {
  // Types t('…') keys against the schema, so vue-tsc rejects a key that does not exist.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends MessageSchema {}
}

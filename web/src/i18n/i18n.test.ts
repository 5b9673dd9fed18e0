import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '@/api/types';
import { documentedRoleTable } from '@/testing/roleTable';
import en from './messages/en';
import zhCN from './messages/zh-CN';
import { permissionKey } from './index';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const zh = flatten(zhCN as unknown as Tree);
const english = flatten(en as unknown as Tree);
const has = (key: string) => zh.has(key) && english.has(key);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(vue|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('messages', () => {
  it('have the same keys in both languages', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort());
  });

  it('have no empty strings', () => {
    for (const [key, value] of [...zh, ...english]) expect(value.trim(), key).not.toBe('');
  });

  it('name the same placeholders in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, value] of zh) expect(placeholders(english.get(key) ?? ''), key).toEqual(placeholders(value));
  });

  it('use no unescaped vue-i18n special characters', () => {
    // @ starts a linked message and | separates plural forms in vue-i18n.
    for (const [key, value] of [...zh, ...english]) expect(value, key).not.toMatch(/(^|[^{'])[@|]/);
  });

  it('cover every static key the source uses', () => {
    const root = resolve(process.cwd(), 'src');
    const missing: string[] = [];
    let used = 0;
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([A-Za-z0-9_.-]+)'/g)) {
        used += 1;
        if (!has(match[1] as string)) missing.push(`${file}: ${match[1]}`);
      }
      for (const match of text.matchAll(/titleKey: '([A-Za-z0-9_.-]+)'/g)) {
        if (!has(match[1] as string)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(used).toBeGreaterThan(200);
  });

  it('cover every value the server sends that the console names', () => {
    const keys: string[] = [];
    for (const role of ROLES) keys.push(`role.${role}`, `roleDescription.${role}`);
    for (const scope of ['all', 'subtree', 'own_customers']) keys.push(`scope.${scope}`);
    for (const status of ['active', 'disabled']) keys.push(`staffStatus.${status}`);
    for (const kind of ['head_office', 'branch', 'sub_branch']) keys.push(`branchKind.${kind}`);
    for (const outcome of ['success', 'denied', 'failure']) keys.push(`outcome.${outcome}`);
    for (const kind of ['staff', 'api_key', 'write_key', 'system', 'anonymous']) keys.push(`audit.actorKind.${kind}`);
    for (const locale of ['zh-CN', 'en']) keys.push(`locale.${locale}`);
    // Customers (docs/customers.md, GET /identifier-types, GET /profile/attributes).
    for (const type of [
      'cust_no', 'id_card', 'phone', 'wechat_unionid', 'email', 'app_user_id', 'alipay_user_id',
      'wecom_external_userid', 'wechat_openid', 'douyin_id', 'device_id', 'anonymous_id',
    ]) keys.push(`identifierType.${type}`);
    for (const attr of [
      'name', 'gender', 'birth_date', 'age', 'occupation', 'city', 'address', 'home_branch',
      'relationship_manager', 'risk_level', 'aum', 'deposit_balance', 'loan_balance',
      'credit_card_balance', 'wealth_balance', 'products', 'customer_since', 'channel_preference',
      'home_latitude', 'home_longitude', 'tier',
    ]) keys.push(`attr.${attr}`);
    for (const tier of ['mass', 'gold', 'wealth', 'private']) keys.push(`tier.${tier}`);
    for (const product of [
      'debit_card', 'credit_card', 'time_deposit', 'wealth_management', 'fund', 'insurance',
      'mortgage', 'consumer_loan', 'payroll',
    ]) keys.push(`product.${product}`);
    for (const gender of ['male', 'female', 'unknown']) keys.push(`gender.${gender}`);
    for (const purpose of ['marketing', 'personalised_marketing', 'data_sharing']) keys.push(`consentPurpose.${purpose}`);
    for (const channel of ['all', 'sms', 'wechat', 'wecom', 'rcs', 'email', 'app_push', 'phone', 'webhook']) {
      keys.push(`channel.${channel}`);
    }
    for (const kind of [
      'invalid_argument', 'unauthenticated', 'permission_denied', 'not_found', 'already_exists',
      'failed_precondition', 'aborted', 'too_large', 'resource_exhausted', 'unavailable',
      'deadline_exceeded', 'internal', 'network', 'unexpected',
    ]) keys.push(`problem.${kind}`);
    const permissions = new Set([...documentedRoleTable().values()].flatMap((set) => [...set]));
    for (const permission of permissions) {
      keys.push(permissionKey(permission), `permissionGroup.${permission.split(':')[0]}`);
    }
    expect(keys.filter((key) => !has(key))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { canOpen, menuFor } from './navigation';
import { consoleChildren } from './router/routes';
import { documentedRoleTable } from './testing/roleTable';

const roles = documentedRoleTable();
const menuNames = (permissions: ReadonlySet<string>) =>
  menuFor(consoleChildren, permissions).map((s) => [s.group, s.items.map((i) => i.name)]);

describe('menuFor', () => {
  it('reads six roles from the documented table', () => {
    expect([...roles.keys()]).toEqual([
      'admin',
      'analyst',
      'marketer',
      'branch_manager',
      'relationship_manager',
      'auditor',
    ]);
  });

  it.each([
    ['admin', [['main', ['account', 'customers', 'segments', 'tags']], ['settings', ['staff', 'roles', 'branches', 'api-keys', 'audit']]]],
    ['analyst', [['main', ['account', 'customers', 'segments', 'tags']], ['settings', ['branches']]]],
    ['marketer', [['main', ['account', 'customers', 'segments', 'tags']], ['settings', ['branches']]]],
    ['branch_manager', [['main', ['account', 'customers', 'segments', 'tags']], ['settings', ['staff', 'roles', 'branches']]]],
    ['relationship_manager', [['main', ['account', 'customers', 'tags']], ['settings', ['branches']]]],
    ['auditor', [['main', ['account', 'customers', 'segments', 'tags']], ['settings', ['staff', 'roles', 'branches', 'audit']]]],
  ])('shows %s only what the role allows', (role, expected) => {
    expect(menuNames(roles.get(role) as Set<string>)).toEqual(expected);
  });

  it('keeps the customer 360 out of the menu, behind customers:read, under the customer list', () => {
    const record = consoleChildren.find((r) => r.name === 'customer');
    expect(record?.meta?.menu).toBeUndefined();
    expect(record?.meta?.parent).toBe('customers');
    expect(canOpen(record?.meta, new Set(['staff:read']))).toBe(false);
    expect(canOpen(record?.meta, new Set(['customers:read']))).toBe(true);
  });

  it('drops a section with nothing in it', () => {
    expect(menuNames(new Set())).toEqual([['main', ['account']]]);
  });

  it('lists every page that has a menu entry and keeps each behind its permission', () => {
    for (const record of consoleChildren) {
      if (record.meta?.menu === undefined) continue;
      expect(typeof record.meta.titleKey).toBe('string');
      if (record.meta.permission !== undefined) {
        expect(canOpen(record.meta, new Set())).toBe(false);
        expect(canOpen(record.meta, new Set([record.meta.permission]))).toBe(true);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { canOpen, menuFor } from './navigation';
import { consoleChildren, landingFor } from './router/routes';
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
    ['admin', [['main', ['overview', 'account', 'customers', 'segments', 'tags']], ['analytics', ['funnel', 'retention', 'activity', 'trends', 'aum']], ['messaging', ['messages', 'message-templates', 'message-stats', 'channels']], ['settings', ['staff', 'roles', 'branches', 'api-keys', 'audit']]]],
    ['analyst', [['main', ['overview', 'account', 'customers', 'segments', 'tags']], ['analytics', ['funnel', 'retention', 'activity', 'trends', 'aum']], ['settings', ['branches']]]],
    ['marketer', [['main', ['overview', 'account', 'customers', 'segments', 'tags']], ['analytics', ['funnel', 'retention', 'activity', 'trends', 'aum']], ['messaging', ['messages', 'message-templates', 'message-stats']], ['settings', ['branches']]]],
    ['branch_manager', [['main', ['overview', 'account', 'customers', 'segments', 'tags']], ['analytics', ['funnel', 'retention', 'activity', 'trends', 'aum']], ['messaging', ['messages', 'message-templates', 'message-stats']], ['settings', ['staff', 'roles', 'branches']]]],
    ['relationship_manager', [['main', ['account', 'customers', 'tags']], ['messaging', ['messages', 'message-templates', 'message-stats']], ['settings', ['branches']]]],
    ['auditor', [['main', ['overview', 'account', 'customers', 'segments', 'tags']], ['analytics', ['funnel', 'retention', 'activity', 'trends', 'aum']], ['messaging', ['messages', 'message-templates', 'message-stats']], ['settings', ['staff', 'roles', 'branches', 'audit']]]],
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

  it('lands on the overview with analytics:read, else on the customers, else on the account', () => {
    const can = (role: string) => (p: string) => (roles.get(role) as Set<string>).has(p);
    expect(landingFor(can('admin'))).toBe('overview');
    expect(landingFor(can('branch_manager'))).toBe('overview');
    expect(landingFor(can('relationship_manager'))).toBe('customers');
    expect(landingFor(() => false)).toBe('account');
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

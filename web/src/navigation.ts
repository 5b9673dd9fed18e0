// The side menu: the console's pages that carry meta.menu, filtered by the caller's
// permissions, so nobody sees an entry they cannot use.

import type { Component } from 'vue';
import type { RouteRecordRaw } from 'vue-router';
import type { MenuGroup } from '@/router/routes';

export interface MenuItem {
  name: string;
  titleKey: string;
  icon: Component;
  order: number;
}

export interface MenuSection {
  group: MenuGroup;
  titleKey: string;
  items: MenuItem[];
}

const GROUP_ORDER: readonly MenuGroup[] = ['main', 'analytics', 'messaging', 'settings'];
export const GROUP_TITLE: Record<MenuGroup, string> = {
  main: 'nav.main',
  analytics: 'nav.analytics',
  messaging: 'nav.messaging',
  settings: 'nav.settings',
};

export function canOpen(
  meta: { permission?: string } | undefined,
  permissions: ReadonlySet<string>,
): boolean {
  return meta?.permission === undefined || permissions.has(meta.permission);
}

export function menuFor(records: RouteRecordRaw[], permissions: ReadonlySet<string>): MenuSection[] {
  const byGroup = new Map<MenuGroup, MenuItem[]>();
  for (const record of records) {
    const menu = record.meta?.menu;
    if (menu === undefined || typeof record.name !== 'string') continue;
    if (!canOpen(record.meta, permissions)) continue;
    const items = byGroup.get(menu.group) ?? [];
    items.push({
      name: record.name,
      titleKey: record.meta?.titleKey ?? record.name,
      icon: menu.icon,
      order: menu.order,
    });
    byGroup.set(menu.group, items);
  }
  const sections: MenuSection[] = [];
  for (const group of GROUP_ORDER) {
    const items = byGroup.get(group);
    if (items === undefined || items.length === 0) continue;
    items.sort((a, b) => a.order - b.order);
    sections.push({ group, titleKey: GROUP_TITLE[group], items });
  }
  return sections;
}

// The console's pages. A page with meta.permission is reachable, and listed in the menu, only
// for callers whose /api/v1/me permissions include it. Modules whose API does not exist yet
// (customers, tags, analytics, messaging) get their pages with their issues.

import type { Component } from 'vue';
import type { RouteRecordRaw } from 'vue-router';
import {
  Avatar,
  Coin,
  Connection,
  DataAnalysis,
  Document,
  Filter,
  Grid,
  Histogram,
  Key,
  Message,
  OfficeBuilding,
  PieChart,
  Postcard,
  PriceTag,
  Tickets,
  TrendCharts,
  User,
  UserFilled,
} from '@element-plus/icons-vue';
import { useSessionStore } from '@/stores/session';

export type MenuGroup = 'main' | 'analytics' | 'messaging' | 'settings';

declare module 'vue-router' {
  interface RouteMeta {
    // i18n key of the page title (breadcrumb, menu, document title).
    titleKey?: string;
    // Permission needed to open the page.
    permission?: string;
    // Pages anyone may open (log-in).
    public?: boolean;
    menu?: { group: MenuGroup; icon: Component; order: number };
    // A page without its own menu entry that belongs under another (the customer 360 under
    // the customer list): that entry is highlighted, and the breadcrumb names it first.
    parent?: string;
  }
}

// Where a logged-in person lands: the overview for those with analytics:read, else the customer
// list (a relationship manager), else their account. Decided in beforeEnter, which runs after the
// global guard has read /me.
export function landingFor(can: (permission: string) => boolean): string {
  if (can('analytics:read')) return 'overview';
  if (can('customers:read')) return 'customers';
  return 'account';
}

const analyticsPage = (name: string, titleKey: string, icon: Component, order: number, load: () => Promise<unknown>): RouteRecordRaw => ({
  path: `analytics/${name}`,
  name,
  component: load as () => Promise<Component>,
  meta: { titleKey, permission: 'analytics:read', menu: { group: 'analytics', icon, order } },
});

export const consoleChildren: RouteRecordRaw[] = [
  {
    path: '',
    name: 'home',
    // Never drawn: beforeEnter always sends the person on.
    component: { render: () => null },
    beforeEnter: () => {
      const session = useSessionStore();
      return { name: landingFor((p) => session.can(p)), replace: true };
    },
  },
  {
    path: 'overview',
    name: 'overview',
    component: () => import('@/views/analytics/OverviewView.vue'),
    meta: {
      titleKey: 'nav.overview',
      permission: 'analytics:read',
      menu: { group: 'main', icon: DataAnalysis, order: 5 },
    },
  },
  analyticsPage('funnel', 'nav.funnel', Filter, 10, () => import('@/views/analytics/FunnelView.vue')),
  analyticsPage('retention', 'nav.retention', Grid, 20, () => import('@/views/analytics/RetentionView.vue')),
  analyticsPage('activity', 'nav.activity', Histogram, 30, () => import('@/views/analytics/ActivityView.vue')),
  analyticsPage('trends', 'nav.trends', TrendCharts, 40, () => import('@/views/analytics/TrendsView.vue')),
  analyticsPage('aum', 'nav.aum', Coin, 50, () => import('@/views/analytics/AumView.vue')),
  {
    path: 'account',
    name: 'account',
    component: () => import('@/views/AccountView.vue'),
    meta: { titleKey: 'nav.account', menu: { group: 'main', icon: User, order: 10 } },
  },
  {
    path: 'customers',
    name: 'customers',
    component: () => import('@/views/customers/CustomersView.vue'),
    meta: {
      titleKey: 'nav.customers',
      permission: 'customers:read',
      menu: { group: 'main', icon: Postcard, order: 20 },
    },
  },
  {
    path: 'customers/:id(\\d+)',
    name: 'customer',
    component: () => import('@/views/customers/CustomerView.vue'),
    meta: { titleKey: 'nav.customer', permission: 'customers:read', parent: 'customers' },
  },
  {
    path: 'segments',
    name: 'segments',
    component: () => import('@/views/segments/SegmentsView.vue'),
    meta: {
      titleKey: 'nav.segments',
      permission: 'segments:read',
      menu: { group: 'main', icon: Filter, order: 30 },
    },
  },
  {
    path: 'segments/:id(\\d+)',
    name: 'segment',
    component: () => import('@/views/segments/SegmentDetailView.vue'),
    meta: { titleKey: 'nav.segment', permission: 'segments:read', parent: 'segments' },
  },
  {
    path: 'tags',
    name: 'tags',
    component: () => import('@/views/segments/TagsView.vue'),
    meta: {
      titleKey: 'nav.tags',
      permission: 'tags:read',
      menu: { group: 'main', icon: PriceTag, order: 40 },
    },
  },
  {
    path: 'messaging/messages',
    name: 'messages',
    component: () => import('@/views/messaging/MessagesView.vue'),
    meta: {
      titleKey: 'nav.messages',
      permission: 'messages:read',
      menu: { group: 'messaging', icon: Message, order: 10 },
    },
  },
  {
    path: 'messaging/templates',
    name: 'message-templates',
    component: () => import('@/views/messaging/TemplatesView.vue'),
    meta: {
      titleKey: 'nav.messageTemplates',
      permission: 'messages:read',
      menu: { group: 'messaging', icon: Tickets, order: 20 },
    },
  },
  {
    path: 'messaging/stats',
    name: 'message-stats',
    component: () => import('@/views/messaging/StatsView.vue'),
    meta: {
      titleKey: 'nav.messageStats',
      permission: 'messages:read',
      menu: { group: 'messaging', icon: PieChart, order: 30 },
    },
  },
  {
    path: 'messaging/channels',
    name: 'channels',
    component: () => import('@/views/messaging/ChannelsView.vue'),
    meta: {
      titleKey: 'nav.channels',
      permission: 'channels:manage',
      menu: { group: 'messaging', icon: Connection, order: 40 },
    },
  },
  {
    path: 'settings/staff',
    name: 'staff',
    component: () => import('@/views/settings/StaffView.vue'),
    meta: {
      titleKey: 'nav.staff',
      permission: 'staff:read',
      menu: { group: 'settings', icon: UserFilled, order: 10 },
    },
  },
  {
    path: 'settings/roles',
    name: 'roles',
    component: () => import('@/views/settings/RolesView.vue'),
    meta: {
      titleKey: 'nav.roles',
      permission: 'staff:read',
      menu: { group: 'settings', icon: Avatar, order: 20 },
    },
  },
  {
    path: 'settings/branches',
    name: 'branches',
    component: () => import('@/views/settings/BranchesView.vue'),
    meta: {
      titleKey: 'nav.branches',
      permission: 'branches:read',
      menu: { group: 'settings', icon: OfficeBuilding, order: 30 },
    },
  },
  {
    path: 'settings/api-keys',
    name: 'api-keys',
    component: () => import('@/views/settings/ApiKeysView.vue'),
    meta: {
      titleKey: 'nav.apiKeys',
      permission: 'api_keys:manage',
      menu: { group: 'settings', icon: Key, order: 40 },
    },
  },
  {
    path: 'settings/audit',
    name: 'audit',
    component: () => import('@/views/settings/AuditView.vue'),
    meta: {
      titleKey: 'nav.audit',
      permission: 'audit:read',
      menu: { group: 'settings', icon: Document, order: 50 },
    },
  },
  {
    path: 'forbidden',
    name: 'forbidden',
    component: () => import('@/views/ForbiddenView.vue'),
    meta: { titleKey: 'nav.forbidden' },
  },
  {
    path: ':pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { titleKey: 'nav.notFound' },
  },
];

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { titleKey: 'login.title', public: true },
  },
  {
    path: '/',
    component: () => import('@/layouts/ConsoleLayout.vue'),
    children: consoleChildren,
  },
];

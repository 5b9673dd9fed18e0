// Customer data as the console shows it: identifier search, list rows from either answer shape
// of GET /api/v1/customers, identifiers grouped by type, and balance series for the AUM chart.

import type {
  BalanceDay,
  CustomerTag,
  TagDefinition,
  Customer360,
  CustomerIdentifier,
  CustomerSummary,
  ProfileRaw,
} from '@/api/types';

// "Any type": the console guesses the type from the value's shape.
export const AUTO_TYPE = 'auto';

// The server's mask for an amount the caller may not see.
export const MASKED_AMOUNT = '***';

// Guesses an identifier's type from how it looks; null when the shape is ambiguous (a UUID may
// be a device or an anonymous id), and the person picks the type.
export function guessIdentifierType(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'email';
  const digits = value.replace(/[\s-]/g, '');
  if (/^(\+?86)?1[3-9]\d{9}$/.test(digits)) return 'phone';
  if (/^\d{17}[\dXx]$/.test(digits) || /^\d{15}$/.test(digits)) return 'id_card';
  if (/^2088\d{12}$/.test(digits)) return 'alipay_user_id';
  if (/^\d{8,16}$/.test(digits)) return 'cust_no';
  if (/^([\w-]+:)?o[\w-]{20,}$/.test(value)) return 'wechat_openid';
  return null;
}

export type IdentifierQuery = { ok: true; query: string; type: string } | { ok: false; reason: 'empty' | 'unknownType' };

// The list API's identifier parameter, TYPE:VALUE.
export function identifierQuery(type: string, raw: string): IdentifierQuery {
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'empty' };
  const chosen = type === AUTO_TYPE || type === '' ? guessIdentifierType(value) : type;
  if (chosen === null) return { ok: false, reason: 'unknownType' };
  return { ok: true, query: `${chosen}:${value}`, type: chosen };
}

// One row of the customer list, whichever shape the server answered with (a page of
// summaries, or the 360 views an identifier search returns).
export interface CustomerRow {
  oneId: number;
  name: string;
  gender: string;
  age: number | null;
  tier: string;
  city: string;
  riskLevel: string;
  homeBranchId: number | null;
  homeBranchCode: string;
  relationshipManager: string;
}

const text = (value: ProfileRaw | undefined): string =>
  value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value);

export function isCustomer360(item: CustomerSummary | Customer360): item is Customer360 {
  return 'identifiers' in item;
}

export function customerRow(item: CustomerSummary | Customer360): CustomerRow {
  const flat: Record<string, ProfileRaw> = {};
  if (isCustomer360(item)) {
    for (const [key, v] of Object.entries(item.profile)) flat[key] = v.value;
  } else {
    Object.assign(flat, item.profile);
  }
  const age = flat.age;
  const branch = isCustomer360(item) ? (item.scope.home_branch ?? null) : null;
  const rm = isCustomer360(item) ? (item.scope.relationship_manager ?? null) : null;
  return {
    oneId: item.one_id,
    name: text(flat.name),
    gender: text(flat.gender),
    age: typeof age === 'number' ? age : null,
    tier: text(flat.tier),
    city: text(flat.city),
    riskLevel: text(flat.risk_level),
    homeBranchId: isCustomer360(item) ? (branch?.id ?? null) : item.home_branch_id,
    homeBranchCode: branch?.code ?? text(flat.home_branch),
    relationshipManager: rm?.display_name || text(flat.relationship_manager),
  };
}

// Identifiers by type, strongest type first (the order of GET /identifier-types), values in
// the order the server gave them; a merged customer may hold several of one type.
export interface IdentifierGroup {
  type: string;
  values: string[];
  masked: boolean;
  sources: string[];
  firstSeenAt: string;
  lastSeenAt: string;
}

export function groupIdentifiers(
  identifiers: readonly CustomerIdentifier[],
  typeOrder: readonly string[] = [],
): IdentifierGroup[] {
  const groups = new Map<string, IdentifierGroup>();
  for (const id of identifiers) {
    let group = groups.get(id.type);
    if (group === undefined) {
      group = { type: id.type, values: [], masked: false, sources: [], firstSeenAt: id.first_seen_at, lastSeenAt: id.last_seen_at };
      groups.set(id.type, group);
    }
    group.values.push(id.value);
    group.masked ||= id.masked;
    if (!group.sources.includes(id.source)) group.sources.push(id.source);
    if (id.first_seen_at < group.firstSeenAt) group.firstSeenAt = id.first_seen_at;
    if (id.last_seen_at > group.lastSeenAt) group.lastSeenAt = id.last_seen_at;
  }
  const rank = (type: string) => {
    const i = typeOrder.indexOf(type);
    return i === -1 ? typeOrder.length : i;
  };
  return [...groups.values()].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

// The AUM chart's data. Amounts the caller may not see come as "***": the series are then
// empty and the chart shows the tier by day, which is not masked.
export interface BalanceSeries {
  dates: string[];
  masked: boolean;
  aum: Array<number | null>;
  deposit: Array<number | null>;
  wealth: Array<number | null>;
  loan: Array<number | null>;
  tiers: string[];
}

const amount = (value: string): number | null => {
  if (value === MASKED_AMOUNT || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

export function balanceSeries(days: readonly BalanceDay[]): BalanceSeries {
  const sorted = [...days].sort((a, b) => a.date.localeCompare(b.date));
  return {
    dates: sorted.map((d) => d.date),
    masked: sorted.some((d) => d.aum === MASKED_AMOUNT),
    aum: sorted.map((d) => amount(d.aum)),
    deposit: sorted.map((d) => amount(d.deposit)),
    wealth: sorted.map((d) => amount(d.wealth)),
    loan: sorted.map((d) => amount(d.loan)),
    tiers: sorted.map((d) => d.tier),
  };
}

// The tiers, lowest first (docs/customers.md): the masked chart's steps.
export const TIERS = ['mass', 'gold', 'wealth', 'private'] as const;

// Profile attributes in the order the 360 lists them; others follow alphabetically.
export const PROFILE_ORDER = [
  'name',
  'gender',
  'age',
  'birth_date',
  'tier',
  'aum',
  'deposit_balance',
  'wealth_balance',
  'loan_balance',
  'credit_card_balance',
  'risk_level',
  'occupation',
  'city',
  'home_branch',
  'relationship_manager',
  'customer_since',
  'channel_preference',
  'products',
] as const;

export function orderedProfileKeys(keys: readonly string[]): string[] {
  const rank = (k: string) => {
    const i = (PROFILE_ORDER as readonly string[]).indexOf(k);
    return i === -1 ? PROFILE_ORDER.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// A profile value as text: lists joined, objects as JSON, numbers in the locale's format.
export function profileText(value: ProfileRaw | undefined, locale: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value.toLocaleString(locale);
  if (typeof value === 'boolean') return value ? '✓' : '✗';
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

// The customer's tags by category (categories and tags in name order; uncategorised last).
export interface TagGroup {
  category: string;
  tags: Array<{ id: number; name: string; value: string }>;
}

// labels: tag id → value → the bank's label for it (bucket tags' buckets in the catalog).
export function groupTags(
  tags: readonly CustomerTag[],
  labels: ReadonlyMap<number, ReadonlyMap<string, string>> = new Map(),
): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  for (const tag of tags) {
    const category = tag.category ?? '';
    let group = groups.get(category);
    if (group === undefined) {
      group = { category, tags: [] };
      groups.set(category, group);
    }
    // A plain rule tag is held or not; its value says nothing more.
    const raw = tag.value === 'true' || tag.value === tag.tag ? '' : (tag.value ?? '');
    const value = labels.get(tag.tag_id)?.get(raw) ?? raw;
    group.tags.push({ id: tag.tag_id, name: tag.tag, value });
  }
  for (const group of groups.values()) group.tags.sort((a, b) => a.name.localeCompare(b.name));
  return [...groups.values()].sort((a, b) =>
    a.category === '' ? 1 : b.category === '' ? -1 : a.category.localeCompare(b.category),
  );
}

// Labels of the catalog's bucket tags, for groupTags.
export function bucketLabels(catalog: readonly TagDefinition[]): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  for (const tag of catalog) {
    const buckets = tag.definition?.buckets;
    if (!Array.isArray(buckets)) continue;
    out.set(tag.id, new Map(buckets.filter((b) => b.label).map((b) => [b.value, b.label as string])));
  }
  return out;
}

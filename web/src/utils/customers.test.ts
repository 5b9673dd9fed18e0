import { describe, expect, it } from 'vitest';
import type { Customer360, CustomerIdentifier, CustomerSummary } from '@/api/types';
import {
  AUTO_TYPE,
  balanceSeries,
  customerRow,
  groupIdentifiers,
  bucketLabels,
  groupTags,
  guessIdentifierType,
  identifierQuery,
  orderedProfileKeys,
  profileText,
} from './customers';

describe('guessIdentifierType', () => {
  it.each([
    ['13812341234', 'phone'],
    ['+86 138-1234-1234', 'phone'],
    ['8613812341234', 'phone'],
    ['li.na@example.cn', 'email'],
    ['330106199001011234', 'id_card'],
    ['33010619900101123X', 'id_card'],
    ['330112345678', 'cust_no'],
    ['2088123456789012', 'alipay_user_id'],
    ['wxdemoapp01:oAbCdEfGhIjKlMnOpQrStUvWx', 'wechat_openid'],
    ['oAbCdEfGhIjKlMnOpQrStUvWx', 'wechat_openid'],
  ])('%s is a %s', (value, type) => {
    expect(guessIdentifierType(value)).toBe(type);
  });

  it('leaves ambiguous and empty values to the person', () => {
    expect(guessIdentifierType('c68a9f1e-0000-4000-8000-000000000596')).toBeNull();
    expect(guessIdentifierType('  ')).toBeNull();
    expect(guessIdentifierType('12345')).toBeNull();
  });
});

describe('identifierQuery', () => {
  it('builds TYPE:VALUE with the chosen or the guessed type', () => {
    expect(identifierQuery('email', ' a@b.cn ')).toEqual({ ok: true, query: 'email:a@b.cn', type: 'email' });
    expect(identifierQuery(AUTO_TYPE, '13812341234')).toEqual({ ok: true, query: 'phone:13812341234', type: 'phone' });
    // A chosen type wins over the value's shape.
    expect(identifierQuery('cust_no', '13812341234')).toMatchObject({ query: 'cust_no:13812341234' });
  });

  it('refuses an empty value and an unrecognisable one without a type', () => {
    expect(identifierQuery(AUTO_TYPE, ' ')).toEqual({ ok: false, reason: 'empty' });
    expect(identifierQuery(AUTO_TYPE, 'dev-1')).toEqual({ ok: false, reason: 'unknownType' });
    expect(identifierQuery('device_id', 'dev-1')).toMatchObject({ ok: true, query: 'device_id:dev-1' });
  });
});

const identifier = (over: Partial<CustomerIdentifier>): CustomerIdentifier => ({
  type: 'phone',
  value: '138****1234',
  masked: true,
  person_id: 1,
  first_seen_at: '2026-01-01T00:00:00Z',
  last_seen_at: '2026-01-02T00:00:00Z',
  source: 'import',
  ...over,
});

describe('customerRow', () => {
  it('reads a list summary', () => {
    const summary: CustomerSummary = {
      one_id: 7,
      profile: { name: '马**', gender: 'male', age: 49, tier: 'mass', city: '杭州市', home_branch: 'QINGBO', relationship_manager: 'rm.qingbo.2', risk_level: 'R2' },
      home_branch_id: 12,
      rm_id: 25,
    };
    expect(customerRow(summary)).toEqual({
      oneId: 7, name: '马**', gender: 'male', age: 49, tier: 'mass', city: '杭州市', riskLevel: 'R2',
      homeBranchId: 12, homeBranchCode: 'QINGBO', relationshipManager: 'rm.qingbo.2',
    });
  });

  it('reads a 360 view (an identifier search) the same way', () => {
    const view: Customer360 = {
      one_id: 7,
      members: [7],
      profile: {
        name: { value: '马**', masked: true, source: 'import' },
        age: { value: 49, masked: false, source: 'derived' },
        tier: { value: 'gold', masked: false, source: 'derived' },
      },
      identifiers: [identifier({})],
      consents: [],
      merges: [],
      scope: {
        home_branch: { id: 12, code: 'QINGBO', name: '清波支行' },
        relationship_manager: { id: 25, username: 'rm.qingbo.2', display_name: '章宇' },
      },
      recent_events: [],
    };
    expect(customerRow(view)).toMatchObject({
      oneId: 7, name: '马**', age: 49, tier: 'gold', homeBranchId: 12, homeBranchCode: 'QINGBO', relationshipManager: '章宇',
    });
  });
});

describe('groupIdentifiers', () => {
  it('groups by type in strength order, keeping every value, source and the seen range', () => {
    const groups = groupIdentifiers(
      [
        identifier({ type: 'device_id', value: 'dev****001', masked: false, source: 'event' }),
        identifier({ type: 'phone', value: '138****1234' }),
        identifier({ type: 'phone', value: '139****5678', source: 'event', first_seen_at: '2025-12-31T00:00:00Z', last_seen_at: '2026-02-01T00:00:00Z' }),
        identifier({ type: 'custom_id', value: 'c1', masked: false }),
      ],
      ['phone', 'device_id'],
    );
    expect(groups.map((g) => g.type)).toEqual(['phone', 'device_id', 'custom_id']);
    expect(groups[0]).toEqual({
      type: 'phone',
      values: ['138****1234', '139****5678'],
      masked: true,
      sources: ['import', 'event'],
      firstSeenAt: '2025-12-31T00:00:00Z',
      lastSeenAt: '2026-02-01T00:00:00Z',
    });
    expect(groups[1]?.masked).toBe(false);
  });
});

describe('balanceSeries', () => {
  it('sorts by date and reads amounts as numbers', () => {
    const s = balanceSeries([
      { date: '2026-01-02', aum: '200.5', deposit: '100', loan: '0', wealth: '100.5', tier: 'mass' },
      { date: '2026-01-01', aum: '100', deposit: '100', loan: '0', wealth: '0', tier: 'mass' },
    ]);
    expect(s.dates).toEqual(['2026-01-01', '2026-01-02']);
    expect(s.aum).toEqual([100, 200.5]);
    expect(s.masked).toBe(false);
  });

  it('says when amounts are masked, keeping the tiers', () => {
    const s = balanceSeries([{ date: '2026-01-01', aum: '***', deposit: '***', loan: '***', wealth: '***', tier: 'gold' }]);
    expect(s.masked).toBe(true);
    expect(s.aum).toEqual([null]);
    expect(s.tiers).toEqual(['gold']);
  });
});

describe('profile', () => {
  it('lists known attributes first, in the 360 order, then the rest alphabetically', () => {
    expect(orderedProfileKeys(['zeta', 'city', 'name', 'alpha', 'aum'])).toEqual(['name', 'aum', 'city', 'alpha', 'zeta']);
  });

  it('shows values as text', () => {
    expect(profileText(['debit_card', 'fund'], 'zh-CN')).toBe('debit_card, fund');
    expect(profileText(1234567, 'en')).toBe('1,234,567');
    expect(profileText(null, 'en')).toBe('');
    expect(profileText('张*', 'en')).toBe('张*');
  });
});

describe('groupTags', () => {
  it('groups by category, names the value of bucket and lifecycle tags only', () => {
    expect(
      groupTags([
        { tag_id: 3, tag: 'wealth_prospect', category: '营销', value: 'true' },
        { tag_id: 1, tag: 'aum_tier', category: '资产', value: '金卡' },
        { tag_id: 2, tag: 'lifecycle', category: '', value: 'active' },
        { tag_id: 4, tag: 'app_user', category: '营销' },
      ]),
    ).toEqual([
      { category: '营销', tags: [{ id: 4, name: 'app_user', value: '' }, { id: 3, name: 'wealth_prospect', value: '' }] },
      { category: '资产', tags: [{ id: 1, name: 'aum_tier', value: '金卡' }] },
      { category: '', tags: [{ id: 2, name: 'lifecycle', value: 'active' }] },
    ]);
  });
});

describe('bucketLabels', () => {
  it("shows a bucket tag's value by the bank's label", () => {
    const labels = bucketLabels([
      { id: 1, name: 'aum_tier', category: '资产等级', kind: 'bucket', description: '', definition: { buckets: [{ value: 'mass', label: '大众' }, { value: 'gold' }] } },
      { id: 2, name: 'vip', category: '', kind: 'rule', description: '', definition: { expression: 'aum > 1' } },
    ]);
    expect(groupTags([{ tag_id: 1, tag: 'aum_tier', category: '资产等级', value: 'mass' }], labels)[0]?.tags[0]?.value).toBe('大众');
    expect(groupTags([{ tag_id: 1, tag: 'aum_tier', category: '资产等级', value: 'gold' }], labels)[0]?.tags[0]?.value).toBe('gold');
  });
});

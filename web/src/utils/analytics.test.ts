import { describe, expect, it } from 'vitest';
import {
  activityFromQuery,
  activityToQuery,
  aumFromQuery,
  bankDay,
  cardFunnel,
  followerEvents,
  followerTotals,
  formatRate,
  formatYuan,
  funnelBody,
  funnelFromQuery,
  funnelToQuery,
  isDay,
  lastDays,
  lastValue,
  ltvBody,
  retentionBody,
  retentionFromQuery,
  retentionToQuery,
  sameQuery,
  stepFromText,
  stepToText,
  sumSeries,
  sumYuan,
  trendBody,
  trendFromQuery,
  trendToQuery,
  yuanToWan,
} from './analytics';

// 2026-03-01T15:30Z is 23:30 on 1 March in Shanghai; 16:30Z is already 2 March there.
const EVENING = new Date('2026-03-01T15:30:00Z');
const AFTER_MIDNIGHT = new Date('2026-03-01T16:30:00Z');

describe('bank days', () => {
  it('counts local days in Shanghai, whatever the browser zone', () => {
    expect(bankDay(0, EVENING)).toBe('2026-03-01');
    expect(bankDay(0, AFTER_MIDNIGHT)).toBe('2026-03-02');
    expect(lastDays(30, AFTER_MIDNIGHT)).toEqual({ from: '2026-02-01', to: '2026-03-02' });
  });
  it('accepts only real days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-2-3')).toBe(false);
    expect(isDay(undefined)).toBe(false);
  });
});

describe('the funnel in the address', () => {
  it('writes and reads a step with and without its condition', () => {
    expect(stepToText({ event: 'apply_card', property: 'product', value: 'credit_card' })).toBe(
      'apply_card|product=credit_card',
    );
    expect(stepFromText('apply_card|product=a=b')).toEqual({ event: 'apply_card', property: 'product', value: 'a=b' });
    expect(stepFromText('login')).toEqual({ event: 'login' });
    expect(stepFromText('  ')).toBeNull();
  });
  it('survives the round trip', () => {
    const state = { ...cardFunnel({ from: '2026-01-01', to: '2026-01-31' }), windowDays: 3 };
    expect(funnelFromQuery(funnelToQuery(state), EVENING)).toEqual(state);
    const plain = { steps: [{ event: 'login' }, { event: 'transfer' }], windowDays: 1, range: { from: '2026-01-01', to: '2026-01-02' }, group: '' as const };
    expect(funnelToQuery(plain).by).toBeUndefined();
    expect(funnelFromQuery(funnelToQuery(plain), EVENING)).toEqual(plain);
  });
  it('falls back to the card funnel over the last 30 days for an empty or broken address', () => {
    expect(funnelFromQuery({}, EVENING)).toEqual(cardFunnel({ from: '2026-01-31', to: '2026-03-01' }));
    const one = funnelFromQuery({ step: 'login', window: '999', from: '2026-03-05', to: '2026-03-01' }, EVENING);
    expect(one.steps.map((s) => s.event)).toEqual(['view_product', 'apply_card', 'submit_form', 'card_approved']);
    const bad = funnelFromQuery({ step: ['a', 'b'], window: '999', by: 'planet' }, EVENING);
    expect(bad.windowDays).toBe(7);
    expect(bad.group).toBe('');
  });
  it('asks the API what the blackbox test asks', () => {
    expect(funnelBody(cardFunnel({ from: '2026-01-01', to: '2026-01-31' }))).toEqual({
      steps: ['view_product', 'apply_card', 'submit_form', 'card_approved'].map((event) => ({
        event,
        where: [{ property: 'product', op: '=', value: 'credit_card' }],
      })),
      window: { days: 7 },
      range: { from: '2026-01-01', to: '2026-01-31' },
      group_by: { kind: 'channel' },
    });
  });
});

describe('the other pages in the address', () => {
  it('retention: round trip, and no start event for customer_since', () => {
    const s = retentionFromQuery({ cohort: 'customer_since', return: 'transfer', interval: 'month', periods: '3', unbounded: '1', from: '2026-01-01', to: '2026-02-01' });
    expect(retentionFromQuery(retentionToQuery(s))).toEqual(s);
    expect(retentionToQuery(s).start).toBeUndefined();
    expect(retentionBody(s)).toEqual({
      cohort_by: 'customer_since',
      return: { event: 'transfer' },
      interval: 'month',
      periods: 3,
      unbounded: true,
      range: { from: '2026-01-01', to: '2026-02-01' },
    });
    expect(retentionFromQuery({ periods: '0' }).periods).toBe(8);
    expect(retentionFromQuery({ periods: '91' }).periods).toBe(8);
  });
  it('activity and trends: round trip, defaults', () => {
    const a = activityFromQuery({ interval: 'week', by: 'branch', from: '2026-01-01', to: '2026-01-31' });
    expect(activityFromQuery(activityToQuery(a))).toEqual(a);
    const t = trendFromQuery({ event: 'transfer', measure: 'sum', property: 'amount', by: 'channel', from: '2026-01-01', to: '2026-01-31' });
    expect(trendFromQuery(trendToQuery(t))).toEqual(t);
    expect(trendBody(t)).toMatchObject({ event: { event: 'transfer' }, measure: 'sum', property: 'amount', group_by: { kind: 'channel' } });
    const count = trendFromQuery({ measure: 'count' });
    expect(trendBody(count).property).toBeUndefined();
    expect(trendToQuery(count).property).toBeUndefined();
    expect(aumFromQuery({ by: 'nonsense', interval: 'year' })).toMatchObject({ group: 'tier', interval: 'week' });
  });
  it('compares queries whatever the order of keys and single values as lists', () => {
    expect(sameQuery({ a: '1', b: ['2', '3'] }, { b: ['2', '3'], a: ['1'] })).toBe(true);
    expect(sameQuery({ a: '1' }, { a: '2' })).toBe(false);
    expect(sameQuery({ a: '1', c: undefined }, { a: '1' })).toBe(true);
  });
});

describe('amounts and rates', () => {
  it('groups yuan strings without a float', () => {
    expect(formatYuan('230412047.37')).toBe('230,412,047.37');
    expect(formatYuan('-390817.4')).toBe('-390,817.40');
    expect(formatYuan('12')).toBe('12.00');
    expect(formatYuan('0.05')).toBe('0.05');
    // Beyond a double's exact integers: every digit kept.
    expect(formatYuan('12345678901234567.89')).toBe('12,345,678,901,234,567.89');
    expect(formatYuan(null)).toBe('—');
    expect(formatYuan('***')).toBe('***');
  });
  it('sums yuan exactly in fen', () => {
    expect(sumYuan(['0.10', '0.20'])).toBe('0.30');
    expect(sumYuan(['13830411.44', '53473364.44', '119317010.75', '43791260.74'])).toBe('230412047.37');
    expect(sumYuan(['-1.5', '1', null])).toBe('-0.50');
    expect(() => sumYuan(['1.234'])).toThrow();
  });
  it('shows 万元 for axes and rates as percentages', () => {
    expect(yuanToWan('13830411.44')).toBe(1383.04);
    expect(yuanToWan(null)).toBeNull();
    expect(formatRate(0.429043)).toBe('42.9%');
    expect(formatRate(1)).toBe('100.0%');
    expect(formatRate(null)).toBe('—');
  });
  it('finds the last figure and adds series per period', () => {
    expect(lastValue([1, 2, null])).toEqual({ value: 2, index: 1 });
    expect(lastValue([null])).toBeNull();
    expect(sumSeries([[1, 2], [3, -4]], 2)).toEqual([4, -2]);
  });
});

describe('LTV', () => {
  it('groups by the tiers (every value named) or by branch, never by manager', () => {
    expect(ltvBody('tier').group_by).toEqual({ kind: 'tag', name: 'aum_tier', values: ['mass', 'gold', 'wealth', 'private'] });
    expect(ltvBody('relationship_manager').group_by).toEqual(ltvBody('tier').group_by);
    expect(ltvBody('branch').group_by).toEqual({ kind: 'branch' });
    expect(ltvBody('tier')).toMatchObject({ years: 3, discount_rate: 0.08 });
  });
});

describe('followers', () => {
  it('picks the data\'s follow events, WeChat\'s own names first', () => {
    expect(followerEvents(['login', 'wechat_subscribe', 'wechat_unsubscribe'])).toEqual({ follow: 'wechat_subscribe', unfollow: 'wechat_unsubscribe' });
    expect(followerEvents(['subscribe', 'wechat_subscribe', 'unsubscribe'])).toEqual({ follow: 'subscribe', unfollow: 'unsubscribe' });
    expect(followerEvents(['login'])).toEqual({});
  });
  it('totals each branch, lost as a count, quiet branches left out', () => {
    expect(followerTotals([
      { name: 'XIXI', gained: [1, 0, 2], lost: [0, -1, 0] },
      { name: 'GUDANG', gained: [0, 0], lost: [0, 0] },
      { name: 'HUBIN', gained: [0], lost: [-3] },
    ])).toEqual([
      { code: 'XIXI', gained: 3, lost: 1, net: 2 },
      { code: 'HUBIN', gained: 0, lost: 3, net: -3 },
    ]);
  });
});

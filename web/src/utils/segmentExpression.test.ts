import { describe, expect, it } from 'vitest';
import { newCondition, opsFor, quote, writeCondition, writeExpression, writeName, writeValue } from './segmentExpression';
import type { Condition, SegmentCatalog } from './segmentExpression';

const catalog: SegmentCatalog = {
  attributes: [
    { name: 'age', type: 'integer' },
    { name: 'aum', type: 'decimal' },
    { name: 'city', type: 'string' },
    { name: 'customer_since', type: 'date' },
    { name: 'risk_level', type: 'enum', values: ['R1', 'R5'] },
    { name: 'products', type: 'string_list' },
  ],
  events: [{ name: 'login', properties: [] }, { name: 'Order Completed', properties: [] }],
  tags: [{ name: 'aum_tier', values: ['gold'] }],
  segments: ['high_value'],
  branches: ['XIXI'],
  event_channels: ['app'],
  consent_purposes: ['marketing'],
  consent_channels: ['sms'],
};
const attr = (name: string, op: Condition extends infer C ? (C extends { kind: 'attribute'; op: infer O } ? O : never) : never, value = '', value2 = ''): Condition => ({
  kind: 'attribute', name, op, value, value2,
});

describe('names and literals', () => {
  it('writes a name bare only when the language allows it', () => {
    expect(writeName('age')).toBe('age');
    expect(writeName('$consent')).toBe('$consent');
    expect(writeName('Order Completed')).toBe('"Order Completed"');
    expect(writeName('金葵花')).toBe('"金葵花"');
    expect(writeName('and')).toBe('"and"');
    expect(writeName('Between')).toBe('"Between"'); // keywords are case-insensitive
    expect(writeName('9lives')).toBe('"9lives"');
  });
  it('escapes quotes, backslashes, new lines and tabs', () => {
    expect(quote('a"b\\c\nd\te')).toBe('"a\\"b\\\\c\\nd\\te"');
  });
  it('writes literals by the attribute type', () => {
    expect(writeValue('integer', ' 30 ')).toBe('30');
    expect(writeValue('decimal', '500000.5')).toBe('500000.5');
    expect(writeValue('decimal', '1e5')).toBeNull();
    expect(writeValue('decimal', '1.1234567')).toBeNull(); // at most 6 after the point
    expect(writeValue('date', '2026-01-01')).toBe('2026-01-01');
    expect(writeValue('date', '2026/01/01')).toBeNull();
    expect(writeValue('boolean', 'true')).toBe('true');
    expect(writeValue('string', '杭州市')).toBe('"杭州市"');
    expect(writeValue('string', '  ')).toBeNull();
  });
  it('offers the operators that fit the type', () => {
    expect(opsFor('integer')).toContain('between');
    expect(opsFor('integer')).not.toContain('contains');
    expect(opsFor('string_list')).toEqual(['contains', 'is set', 'is not set']);
    expect(opsFor('date')).toContain('within');
    expect(opsFor('enum')).not.toContain('>');
  });
});

describe('conditions', () => {
  it('writes attribute conditions', () => {
    expect(writeCondition(attr('age', '>=', '30'), catalog)).toBe('age >= 30');
    expect(writeCondition(attr('age', 'between', '25', '35'), catalog)).toBe('age between 25 and 35');
    expect(writeCondition(attr('city', 'contains', '杭州'), catalog)).toBe('city contains "杭州"');
    expect(writeCondition(attr('risk_level', '!=', 'R5'), catalog)).toBe('risk_level != "R5"');
    expect(writeCondition(attr('customer_since', 'within', '30'), catalog)).toBe('customer_since within 30 days');
    expect(writeCondition(attr('customer_since', '>', '2026-01-01'), catalog)).toBe('customer_since > 2026-01-01');
    expect(writeCondition(attr('city', 'is not set'), catalog)).toBe('city is not set');
  });
  it('says what is missing from an attribute condition', () => {
    expect(writeCondition(attr('', '='), catalog)).toBe('name');
    expect(writeCondition(attr('age', '>=', 'thirty'), catalog)).toBe('number');
    expect(writeCondition(attr('age', 'between', '25', ''), catalog)).toBe('number');
    expect(writeCondition(attr('customer_since', '>', 'yesterday'), catalog)).toBe('date');
    expect(writeCondition(attr('city', '=', ''), catalog)).toBe('value');
    expect(writeCondition(attr('customer_since', 'within', ''), catalog)).toBe('days');
  });
  it('writes behaviour with counts and windows, leaving the defaults out', () => {
    const did = (over: Partial<Extract<Condition, { kind: 'event' }>>): Condition => ({
      kind: 'event', negated: false, event: 'login', times: 'at_least', n: 1, days: null, ...over,
    });
    expect(writeCondition(did({}), catalog)).toBe('did login');
    expect(writeCondition(did({ days: 30 }), catalog)).toBe('did login in last 30 days');
    expect(writeCondition(did({ n: 3, days: 1 }), catalog)).toBe('did login at least 3 times in last 1 day');
    expect(writeCondition(did({ times: 'exactly', n: 1 }), catalog)).toBe('did login exactly 1 time');
    expect(writeCondition(did({ times: 'at_most', n: 0 }), catalog)).toBe('did login at most 0 times');
    expect(writeCondition(did({ negated: true, event: 'Order Completed', days: 7 }), catalog)).toBe('did not "Order Completed" in last 7 days');
    expect(writeCondition(did({ n: 0 }), catalog)).toBe('count');
    expect(writeCondition(did({ days: 0 }), catalog)).toBe('days');
  });
  it('writes tags, segments and consents', () => {
    expect(writeCondition({ kind: 'tag', tag: '金葵花', value: '' }, catalog)).toBe('has tag "金葵花"');
    expect(writeCondition({ kind: 'tag', tag: 'aum_tier', value: 'gold' }, catalog)).toBe('has tag aum_tier = "gold"');
    expect(writeCondition({ kind: 'segment', segment: 'high_value' }, catalog)).toBe('in segment high_value');
    expect(writeCondition({ kind: 'consent', purpose: 'marketing', channel: 'sms' }, catalog)).toBe('consented to marketing via sms');
    expect(writeCondition({ kind: 'consent', purpose: 'marketing', channel: '' }, catalog)).toBe('consented to marketing');
  });
});

describe('expressions', () => {
  it('joins the conditions with the combinator', () => {
    const list: Condition[] = [attr('age', 'between', '25', '35'), { kind: 'event', negated: false, event: 'login', times: 'at_least', n: 3, days: 30 }];
    expect(writeExpression(list, 'and', catalog)).toEqual({ ok: true, text: 'age between 25 and 35 and did login at least 3 times in last 30 days' });
    expect(writeExpression(list, 'or', catalog)).toEqual({ ok: true, text: 'age between 25 and 35 or did login at least 3 times in last 30 days' });
  });
  it('names the first incomplete condition, and an empty list', () => {
    expect(writeExpression([attr('age', '>', '1'), attr('city', '=', '')], 'and', catalog)).toEqual({ ok: false, index: 1, reason: 'value' });
    expect(writeExpression([], 'and', catalog)).toEqual({ ok: false, index: -1, reason: 'empty' });
  });
  it('starts new conditions from the catalog', () => {
    expect(newCondition('attribute', catalog)).toEqual({ kind: 'attribute', name: 'age', op: '=', value: '', value2: '' });
    expect(newCondition('event', catalog)).toMatchObject({ event: 'login', days: 30 });
    expect(writeCondition(newCondition('segment', catalog), catalog)).toBe('in segment high_value');
  });
});

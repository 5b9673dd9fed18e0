import { describe, expect, it } from 'vitest';
import type { MessageTemplate, MessagingStats } from '@/api/types';
import en from '@/i18n/messages/en';
import zhCN from '@/i18n/messages/zh-CN';
import {
  CHANNEL_KINDS,
  CHANNEL_FIELDS,
  MESSAGE_STATES,
  approvedVersion,
  channelConfig,
  channelFormFrom,
  channelStatsSeries,
  configFieldErrors,
  dayBounds,
  deliveryRate,
  emptyChannelForm,
  latestVersion,
  newIdempotencyKey,
  placeholders,
  reasonRows,
  secretState,
  sendVariables,
  splitReason,
  syncVariables,
  versionStatus,
} from './messaging';

describe('channel forms', () => {
  it('know every kind the API takes, each with at least one secret', () => {
    expect([...CHANNEL_KINDS].sort()).toEqual(['app_push', 'email', 'rcs', 'sms', 'webhook', 'wechat_mp', 'wecom']);
    for (const kind of CHANNEL_KINDS) expect(CHANNEL_FIELDS[kind].some((f) => f.type === 'secret'), kind).toBe(true);
  });

  it('build the config: JSON members parsed, numbers as numbers, blanks left out, env references', () => {
    const form = emptyChannelForm('webhook');
    form.values = {
      url: ' http://127.0.0.1:9/send ',
      address_type: 'phone',
      body: '{"to": "{{address}}"}',
      secret: 'env:HOOK_SECRET',
      callback_token: 'cb-token',
      rate_per_second: '5',
      fallback: '',
    };
    expect(channelConfig(form)).toEqual({
      config: {
        url: 'http://127.0.0.1:9/send',
        address_type: 'phone',
        body: { to: '{{address}}' },
        secret: { env: 'HOOK_SECRET' },
        callback_token: 'cb-token',
        rate_per_second: 5,
      },
    });
  });

  it('name what is missing or malformed', () => {
    const form = emptyChannelForm('webhook');
    form.values = { url: 'http://x', body: '{not json', priority: 'high' };
    expect(channelConfig(form)).toEqual({ problems: { address_type: 'required', body: 'json', priority: 'number' } });
  });

  it('never fill in a stored secret, and refuse to save one that is not given again', () => {
    const stored = {
      name: 'hook',
      kind: 'webhook' as const,
      enabled: false,
      config: { url: 'http://x', address_type: 'phone', body: { a: 1 }, secret: '********', callback_token: { env: 'CB' } },
    };
    const form = channelFormFrom(stored);
    expect(form.values.secret).toBeUndefined();
    expect(Object.values(form.values)).not.toContain('********');
    expect(form.values.callback_token).toBe('env:CB');
    expect(form.values.body).toBe('{\n  "a": 1\n}');
    expect(form.replacing).toMatchObject({ secret: false, callback_token: true });
    expect(form.enabled).toBe(false);
    // Kept as stored: the server's mask goes back and the server keeps its value.
    expect(channelConfig(form)).toEqual({
      config: { url: 'http://x', address_type: 'phone', body: { a: 1 }, secret: '********', callback_token: { env: 'CB' } },
    });
    form.replacing.secret = true;
    form.values.secret = 'new-secret';
    expect(channelConfig(form)).toEqual({
      config: { url: 'http://x', address_type: 'phone', body: { a: 1 }, secret: 'new-secret', callback_token: { env: 'CB' } },
    });
  });

  it('tell a set secret from an environment reference and from none', () => {
    expect(secretState('********')).toEqual({ kind: 'set' });
    expect(secretState({ env: 'X' })).toEqual({ kind: 'env', name: 'X' });
    expect(secretState(undefined)).toEqual({ kind: 'unset' });
  });

  it('put the server\'s refusals under the member they name', () => {
    expect(
      configFieldErrors([{ pointer: '/config/callback_token', detail: 'required' }, { pointer: '/kind', detail: 'unknown' }, { detail: 'x' }], 'bad'),
    ).toEqual({ callback_token: 'required', kind: 'unknown' });
  });
});

describe('templates', () => {
  const template = (states: Array<'draft' | 'submitted' | 'approved' | 'rejected'>): MessageTemplate => ({
    id: 1,
    name: 't',
    channel: 'any',
    purpose: 'marketing',
    description: '',
    created_at: '',
    updated_at: '',
    versions: states.map((state, i) => ({
      version: i + 1, state, body: {}, variables: [], created_at: '', created_by: 1, submitted_at: null,
      submitted_by: null, reviewed_at: null, reviewed_by: null, review_note: '',
    })),
  });

  it('show the newest version\'s status, a submitted one as pending', () => {
    expect(versionStatus(latestVersion(template(['approved', 'submitted']))!.state)).toBe('pending');
    expect(latestVersion(template([]))).toBeNull();
    expect(approvedVersion(template(['approved', 'approved', 'rejected']))?.version).toBe(2);
    expect(approvedVersion(template(['draft']))).toBeNull();
  });

  it('find every placeholder of a body, once, in order', () => {
    expect(placeholders({ text: '您好 {{name}}，{{ amount }} 元', card: { title: '{{name}}', items: ['{{url}}'] } })).toEqual(['name', 'amount', 'url']);
    expect(placeholders({ text: 'no variables {name}' })).toEqual([]);
  });

  it('keep declared variable types and add new placeholders as strings', () => {
    expect(syncVariables({ text: '{{a}} {{b}}' }, [{ name: 'b', type: 'amount' }, { name: 'gone', type: 'date' }])).toEqual([
      { name: 'a', type: 'string' },
      { name: 'b', type: 'amount' },
    ]);
  });

  it('check send variables by type', () => {
    const vars = [
      { name: 'n', type: 'number' as const },
      { name: 'amt', type: 'amount' as const },
      { name: 'd', type: 'date' as const },
      { name: 'u', type: 'url' as const, required: false },
    ];
    expect(sendVariables(vars, { n: '3', amt: '12.50', d: '2026-11-23' })).toEqual({ variables: { n: 3, amt: '12.50', d: '2026-11-23' } });
    expect(sendVariables(vars, { n: 'x', amt: '1.234', d: '23/11', u: 'ftp://x' })).toEqual({ invalid: ['n', 'amt', 'd', 'u'] });
    expect(sendVariables(vars, {})).toEqual({ invalid: ['n', 'amt', 'd'] });
  });

  it('make a fresh idempotency key per send form', () => {
    expect(newIdempotencyKey(() => 'abc')).toBe('console-abc');
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
  });
});

describe('messages and stats', () => {
  it('turn bank days into [from, to) in Shanghai, across month ends', () => {
    expect(dayBounds({ from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-11-01T00:00:00+08:00', to: '2026-12-01T00:00:00+08:00' });
    expect(dayBounds({ from: '2026-12-31', to: '2026-12-31' })).toEqual({ from: '2026-12-31T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' });
  });

  it('split a stored reason into its rule and words', () => {
    expect(splitReason('consent: no marketing consent on sms')).toEqual({ rule: 'consent', detail: 'no marketing consent on sms' });
    expect(splitReason('')).toEqual({ rule: '', detail: '' });
  });

  const stats = (groups: MessagingStats['groups'], group_by: MessagingStats['group_by']): MessagingStats => ({
    from: '', to: '', group_by, time_zone: 'Asia/Shanghai', total: 0, states: {}, groups,
  });

  it('stack channels by state, largest channel first, states with messages only', () => {
    const s = stats([
      { channel: 'sms', total: 2, states: { sent: 1, refused: 1, dead: 0 } },
      { channel: 'hook', total: 5, states: { delivered: 4, refused: 1 } },
    ], 'channel');
    expect(channelStatsSeries(s)).toEqual({
      channels: ['hook', 'sms'],
      series: [
        { state: 'sent', data: [0, 1] },
        { state: 'delivered', data: [4, 0] },
        { state: 'refused', data: [1, 1] },
      ],
    });
  });

  it('rank refusal reasons with their share', () => {
    const rows = reasonRows(stats([
      { state: 'deferred', reason: 'quiet_hours', count: 1 },
      { state: 'refused', reason: 'consent', count: 3 },
    ], 'reason'));
    expect(rows.map((r) => [r.reason, r.share])).toEqual([['consent', 0.75], ['quiet_hours', 0.25]]);
    expect(reasonRows(stats([], 'reason'))).toEqual([]);
  });

  it('rate delivery over what was handed to a provider', () => {
    expect(deliveryRate({ sent: 1, delivered: 2, read: 1, failed: 1, refused: 9 })).toBe(0.6);
    expect(deliveryRate({ refused: 3 })).toBeNull();
  });
});

describe('words for what the messaging API sends', () => {
  it('name every state, kind, purpose, variable type, template status and policy rule in both languages', () => {
    const RULES = ['purpose', 'consent', 'personalised_marketing', 'suppression', 'quiet_hours', 'frequency_cap', 'channel_cap', 'rate_limit', 'idempotency'];
    for (const words of [zhCN.messaging, en.messaging]) {
      expect(Object.keys(words.state).sort()).toEqual([...MESSAGE_STATES].sort());
      expect(Object.keys(words.kind).sort()).toEqual([...CHANNEL_KINDS].sort());
      expect(Object.keys(words.purpose).sort()).toEqual(['marketing', 'service']);
      expect(Object.keys(words.variableType).sort()).toEqual(['amount', 'date', 'number', 'string', 'url']);
      expect(Object.keys(words.templateStatus).sort()).toEqual(['approved', 'draft', 'pending', 'rejected']);
      expect(Object.keys(words.rule).sort()).toEqual([...RULES].sort());
    }
  });
});

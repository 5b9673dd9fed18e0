// The messaging pages' logic (docs/messaging.md): each channel kind's configuration form and
// the body sent for it (secrets are write-only: the server shows them as "********" and never
// gives them back), template placeholders and status, stats as chart series, and the bank's
// days as the API's time bounds.

import type {
  ChannelKind,
  MessageState,
  MessageTemplate,
  MessagingStats,
  StatsReasonGroup,
  StatsStateGroup,
  TemplateVariable,
  TemplateVersion,
  VariableType,
} from '@/api/types';
import type { ProblemFieldError } from '@/api/problem';

export const CHANNEL_KINDS: readonly ChannelKind[] = ['sms', 'webhook', 'email', 'wechat_mp', 'rcs', 'app_push', 'wecom'];

export type FieldType = 'text' | 'secret' | 'json' | 'number' | 'select' | 'switch';

export interface ConfigField {
  key: string;
  type: FieldType;
  required?: boolean;
  options?: readonly string[];
  // Shown as the input's placeholder: the server's default or an example.
  placeholder?: string;
}

// Every kind's configuration members (the plugins' factories in src/messaging/channels/), then
// the members every kind takes.
export const CHANNEL_FIELDS: Record<ChannelKind, readonly ConfigField[]> = {
  sms: [
    { key: 'provider', type: 'select', required: true, options: ['aliyun', 'tencent'] },
    { key: 'endpoint', type: 'text', required: true, placeholder: 'https://dysmsapi.aliyuncs.com/' },
    { key: 'access_key_id', type: 'text', required: true },
    { key: 'access_key_secret', type: 'secret', required: true },
    { key: 'sign_name', type: 'text', required: true },
    { key: 'sdk_app_id', type: 'text' },
    { key: 'region', type: 'text', placeholder: 'ap-guangzhou' },
    { key: 'callback_token', type: 'secret', required: true },
    { key: 'unsubscribe_param', type: 'text', placeholder: 'unsubscribe' },
  ],
  webhook: [
    { key: 'url', type: 'text', required: true, placeholder: 'https://provider.example/send' },
    { key: 'method', type: 'select', options: ['POST', 'PUT'] },
    { key: 'address_type', type: 'text', required: true, placeholder: 'phone' },
    { key: 'consent_channel', type: 'text', placeholder: 'webhook' },
    { key: 'body', type: 'json', required: true, placeholder: '{"to": "{{address}}", "text": "{{content.text}}"}' },
    { key: 'headers', type: 'json', placeholder: '{"X-Tenant": "bank"}' },
    { key: 'response_id_field', type: 'text', placeholder: 'id' },
    { key: 'secret', type: 'secret' },
    { key: 'callback_token', type: 'secret' },
  ],
  email: [
    { key: 'smtp_url', type: 'text', required: true, placeholder: 'smtps://smtp.bank.example:465' },
    { key: 'username', type: 'text' },
    { key: 'password', type: 'secret' },
    { key: 'from', type: 'text', required: true, placeholder: 'notice@bank.example' },
    { key: 'from_name', type: 'text' },
  ],
  wechat_mp: [
    { key: 'app_id', type: 'text', required: true },
    { key: 'app_secret', type: 'secret', required: true },
    { key: 'api_base', type: 'text', placeholder: 'https://api.weixin.qq.com' },
    { key: 'callback_token', type: 'secret', required: true },
  ],
  rcs: [
    { key: 'endpoint', type: 'text', required: true },
    { key: 'token', type: 'secret', required: true },
    { key: 'callback_token', type: 'secret', required: true },
  ],
  app_push: [
    { key: 'url', type: 'text', required: true },
    { key: 'token', type: 'secret', required: true },
    { key: 'auth_header', type: 'text', placeholder: 'Authorization' },
    { key: 'auth_scheme', type: 'text', placeholder: 'Bearer' },
    { key: 'address_type', type: 'text', placeholder: 'device_id' },
    { key: 'response_id_field', type: 'text', placeholder: 'message_id' },
    { key: 'callback_token', type: 'secret', required: true },
  ],
  wecom: [
    { key: 'corp_id', type: 'text', required: true },
    { key: 'secret', type: 'secret', required: true },
    { key: 'api_base', type: 'text', placeholder: 'https://qyapi.weixin.qq.com' },
    { key: 'senders', type: 'json', placeholder: '{"12": "zhangsan"}' },
    { key: 'default_sender', type: 'text' },
  ],
};

export const COMMON_FIELDS: readonly ConfigField[] = [
  { key: 'rate_per_second', type: 'number' },
  { key: 'fallback', type: 'text' },
  { key: 'priority', type: 'number', placeholder: '100' },
];

export const fieldsOf = (kind: ChannelKind): readonly ConfigField[] => [...CHANNEL_FIELDS[kind], ...COMMON_FIELDS];

// A secret member as stored: set (shown masked), an environment reference, or absent.
export type SecretState = { kind: 'set' } | { kind: 'env'; name: string } | { kind: 'unset' };
export function secretState(value: unknown): SecretState {
  if (value !== null && typeof value === 'object' && typeof (value as { env?: unknown }).env === 'string') {
    return { kind: 'env', name: (value as { env: string }).env };
  }
  if (typeof value === 'string' && value !== '') return { kind: 'set' };
  return { kind: 'unset' };
}

// The form's values: strings for every member (JSON members as text), and for secrets whether
// the person is replacing them.
export interface ChannelForm {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  values: Record<string, string>;
  // Secret members being given a new value (an unset secret is always "replaced").
  replacing: Record<string, boolean>;
}

export function emptyChannelForm(kind: ChannelKind = 'webhook'): ChannelForm {
  return { name: '', kind, enabled: true, values: {}, replacing: {} };
}

// The form for editing a stored channel: secrets are not filled in (the server never gives
// them back); an environment reference is shown as `env:NAME`.
export function channelFormFrom(channel: { name: string; kind: ChannelKind; enabled: boolean; config: Record<string, unknown> }): ChannelForm {
  const form = emptyChannelForm(channel.kind);
  form.name = channel.name;
  form.enabled = channel.enabled;
  for (const field of fieldsOf(channel.kind)) {
    const value = channel.config[field.key];
    if (field.type === 'secret') {
      const state = secretState(value);
      if (state.kind === 'env') form.values[field.key] = `env:${state.name}`;
      form.replacing[field.key] = state.kind !== 'set';
      continue;
    }
    if (value === undefined || value === null) continue;
    form.values[field.key] = field.type === 'json' ? JSON.stringify(value, null, 2) : String(value);
  }
  return form;
}

export type FieldProblem = 'required' | 'json' | 'number';

// What the server shows for a stored secret; given back in PUT /channels/{name} it keeps the
// stored value (docs/messaging.md, "Channels and plugins").
export const KEPT_SECRET = '********';

// The PUT body's config from the form, or the problems by member. A secret that was set and is
// not being replaced is sent as KEPT_SECRET: the server keeps what it has stored.
export function channelConfig(form: ChannelForm): { config: Record<string, unknown> } | { problems: Record<string, FieldProblem> } {
  const config: Record<string, unknown> = {};
  const problems: Record<string, FieldProblem> = {};
  for (const field of fieldsOf(form.kind)) {
    const text = (form.values[field.key] ?? '').trim();
    if (field.type === 'secret' && form.replacing[field.key] === false) {
      config[field.key] = KEPT_SECRET;
      continue;
    }
    if (text === '') {
      if (field.required) problems[field.key] = 'required';
      continue;
    }
    switch (field.type) {
      case 'json':
        try {
          config[field.key] = JSON.parse(text);
        } catch {
          problems[field.key] = 'json';
        }
        break;
      case 'number': {
        const n = Number(text);
        if (Number.isFinite(n)) config[field.key] = n;
        else problems[field.key] = 'number';
        break;
      }
      case 'secret': {
        const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
        config[field.key] = env ? { env: env[1] } : text;
        break;
      }
      default:
        config[field.key] = text;
    }
  }
  return Object.keys(problems).length > 0 ? { problems } : { config };
}

// The configuration member a refusal names ("/config/access_key_secret" → access_key_secret;
// "/kind" → kind).
export function configFieldErrors(errors: ReadonlyArray<ProblemFieldError>, fallback: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) {
    const parts = (error.pointer ?? '').split('/').filter((p) => p !== '');
    const key = parts[0] === 'config' ? parts[1] : parts[0];
    if (key !== undefined && out[key] === undefined) out[key] = error.detail ?? fallback;
  }
  return out;
}

// Template status, as the console names it: the newest version's state ("submitted" is
// "pending" approval).
export type TemplateStatus = 'draft' | 'pending' | 'approved' | 'rejected';
export function versionStatus(state: TemplateVersion['state']): TemplateStatus {
  return state === 'submitted' ? 'pending' : state;
}
export function latestVersion(template: MessageTemplate): TemplateVersion | null {
  const versions = template.versions ?? [];
  let latest: TemplateVersion | null = null;
  for (const v of versions) if (latest === null || v.version > latest.version) latest = v;
  return latest;
}
// The newest approved version: what a send without a version uses.
export function approvedVersion(template: MessageTemplate): TemplateVersion | null {
  let best: TemplateVersion | null = null;
  for (const v of template.versions ?? []) {
    if (v.state === 'approved' && (best === null || v.version > best.version)) best = v;
  }
  return best;
}

// Every {{placeholder}} in a template body's strings, in order of first use.
export function placeholders(body: unknown): string[] {
  const seen: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g)) {
        const name = m[1] as string;
        if (!seen.includes(name)) seen.push(name);
      }
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(body);
  return seen;
}

// The variables for a body: the declared ones that are still used, and every new placeholder as
// a string (the person picks another type).
export function syncVariables(body: unknown, declared: ReadonlyArray<TemplateVariable>): TemplateVariable[] {
  return placeholders(body).map((name) => declared.find((v) => v.name === name) ?? { name, type: 'string' as VariableType });
}

const VARIABLE_CHECKS: Record<VariableType, RegExp> = {
  string: /^[\s\S]+$/,
  number: /^-?\d+(\.\d+)?$/,
  amount: /^-?\d+(\.\d{1,2})?$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  url: /^https?:\/\/\S+$/,
};
// Values typed for a send, checked by type; numbers go out as numbers.
export function sendVariables(
  variables: ReadonlyArray<TemplateVariable>,
  values: Record<string, string>,
): { variables: Record<string, string | number> } | { invalid: string[] } {
  const out: Record<string, string | number> = {};
  const invalid: string[] = [];
  for (const v of variables) {
    const text = (values[v.name] ?? '').trim();
    if (text === '') {
      if (v.required !== false) invalid.push(v.name);
      continue;
    }
    if (!VARIABLE_CHECKS[v.type].test(text)) {
      invalid.push(v.name);
      continue;
    }
    out[v.name] = v.type === 'number' ? Number(text) : text;
  }
  return invalid.length > 0 ? { invalid } : { variables: out };
}

// A key per attempt to send: a repeated click of the same form reuses it (the server answers
// the first message), a new form gets a new one.
export function newIdempotencyKey(random: () => string = () => crypto.randomUUID()): string {
  return `console-${random()}`;
}

// A bank day range as the API's [from, to): midnight in Shanghai (UTC+8, no daylight saving)
// of the first day to midnight after the last.
export function dayBounds(range: { from: string; to: string }): { from: string; to: string } {
  const next = new Date(`${range.to}T00:00:00+08:00`);
  next.setUTCDate(next.getUTCDate() + 1);
  const to = new Date(next.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  return { from: `${range.from}T00:00:00+08:00`, to: `${to}T00:00:00+08:00` };
}

// Message states, in the order they are shown; the delivered family first.
export const MESSAGE_STATES: readonly MessageState[] = [
  'queued', 'deferred', 'sending', 'sent', 'delivered', 'read', 'clicked', 'failed', 'refused', 'dead',
];

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary';
export function stateTagType(state: MessageState | string): TagType {
  switch (state) {
    case 'delivered':
    case 'read':
    case 'clicked':
      return 'success';
    case 'sent':
    case 'sending':
    case 'queued':
      return 'primary';
    case 'deferred':
      return 'warning';
    case 'failed':
    case 'refused':
    case 'dead':
      return 'danger';
    default:
      return 'info';
  }
}

// A stored refusal "consent: no marketing consent on sms" → its rule and the words after it.
export function splitReason(reason: string): { rule: string; detail: string } {
  const i = reason.indexOf(':');
  if (i < 0) return { rule: reason.trim(), detail: '' };
  return { rule: reason.slice(0, i).trim(), detail: reason.slice(i + 1).trim() };
}

// Stats by channel as a stacked bar per state (only states with a message), channels largest
// first; `label` names a state.
export function channelStatsSeries(stats: MessagingStats): { channels: string[]; series: Array<{ state: MessageState; data: number[] }> } {
  const groups = (stats.groups as StatsStateGroup[]).slice().sort((a, b) => b.total - a.total);
  const channels = groups.map((g) => g.channel ?? '');
  const series = MESSAGE_STATES.filter((s) => groups.some((g) => (g.states[s] ?? 0) > 0)).map((state) => ({
    state,
    data: groups.map((g) => g.states[state] ?? 0),
  }));
  return { channels, series };
}

// Stats by reason: the rows, largest first, with the rule's share of all refusals and deferrals.
export function reasonRows(stats: MessagingStats): Array<StatsReasonGroup & { share: number }> {
  const groups = (stats.groups as StatsReasonGroup[]).slice().sort((a, b) => b.count - a.count);
  const total = groups.reduce((sum, g) => sum + g.count, 0);
  return groups.map((g) => ({ ...g, share: total === 0 ? 0 : g.count / total }));
}

// Delivered (or further) over sent-or-further, per channel group: the delivery rate.
export function deliveryRate(states: Partial<Record<MessageState, number>>): number | null {
  const n = (s: MessageState) => states[s] ?? 0;
  const reached = n('delivered') + n('read') + n('clicked');
  const handed = n('sent') + reached + n('failed');
  return handed === 0 ? null : reached / handed;
}

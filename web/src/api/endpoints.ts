// One function per API operation the console uses (docs/openapi.json).

import { api } from './client';
import { ApiError, errorFromResponse } from './problem';
import type { QueryValue } from './client';
import type { SegmentCatalog } from '@/utils/segmentExpression';
import type {
  ApiKey,
  ApiKeyCreated,
  ApiKeyInput,
  AuditEntry,
  ActivityResult,
  AumResult,
  AumSeriesResult,
  AuditVerify,
  Branch,
  BranchInput,
  Balances,
  Consents,
  Customer360,
  FollowersResult,
  FunnelResult,
  LtvResult,
  LifecycleResult,
  RetentionResult,
  SavedCell,
  SegmentOverlap,
  SegmentSnapshot,
  SegmentTransitions,
  SegmentUpdate,
  TagImportReport,
  TagUpdate,
  TrendResult,
  CustomerEvent,
  CustomerSummary,
  CustomerTag,
  IdentifierType,
  Locale,
  LoginResponse,
  Me,
  Page,
  Segment,
  SegmentInput,
  SegmentPreview,
  Staff,
  StaffCreate,
  StaffPatch,
  TagCounts,
  TagDefinition,
  TagInput,
  UnmaskResult,
  ChannelKind,
  Message,
  MessageChannel,
  MessageTemplate,
  MessagingStats,
  SendRequest,
  SendResult,
  StatsGroupBy,
  TemplateInput,
  TimelinePage,
} from './types';

export interface PageQuery {
  cursor?: string | null;
  limit?: number;
}

export const authApi = {
  login(username: string, password: string): Promise<LoginResponse> {
    return api.post('/api/v1/auth/login', { username, password }, { expectUnauthenticated: true });
  },
  logout(): Promise<void> {
    return api.post('/api/v1/auth/logout', undefined, { expectUnauthenticated: true });
  },
  me(options: { expectUnauthenticated?: boolean } = {}): Promise<Me> {
    return api.get('/api/v1/me', options);
  },
  updateMe(patch: { display_name?: string; locale?: Locale }): Promise<Staff> {
    return api.patch('/api/v1/me', patch);
  },
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return api.put('/api/v1/me/password', {
      current_password: currentPassword,
      new_password: newPassword,
    });
  },
};

export interface StaffQuery extends PageQuery {
  branch_id?: number | null;
  role?: string;
  status?: string;
  q?: string;
}

export const staffApi = {
  list(query: StaffQuery): Promise<Page<Staff>> {
    return api.get('/api/v1/staff', { query: query as Record<string, QueryValue> });
  },
  get(id: number): Promise<Staff> {
    return api.get(`/api/v1/staff/${id}`);
  },
  create(input: StaffCreate): Promise<Staff> {
    return api.post('/api/v1/staff', input);
  },
  update(id: number, patch: StaffPatch): Promise<Staff> {
    return api.patch(`/api/v1/staff/${id}`, patch);
  },
  setPassword(id: number, password: string): Promise<void> {
    return api.put(`/api/v1/staff/${id}/password`, { password });
  },
};

export const branchApi = {
  list(query: PageQuery & { parent_id?: number }): Promise<Page<Branch>> {
    return api.get('/api/v1/branches', { query: query as Record<string, QueryValue> });
  },
  create(input: BranchInput): Promise<Branch> {
    return api.post('/api/v1/branches', input);
  },
  update(id: number, input: BranchInput): Promise<Branch> {
    return api.patch(`/api/v1/branches/${id}`, input);
  },
};

export const apiKeyApi = {
  list(query: PageQuery): Promise<Page<ApiKey>> {
    return api.get('/api/v1/api-keys', { query: query as Record<string, QueryValue> });
  },
  create(input: ApiKeyInput): Promise<ApiKeyCreated> {
    return api.post('/api/v1/api-keys', input);
  },
  revoke(id: number): Promise<void> {
    return api.delete(`/api/v1/api-keys/${id}`);
  },
};

export interface AuditQuery extends PageQuery {
  actor_id?: number | null;
  action?: string;
  target_type?: string;
  target_id?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

export const auditApi = {
  list(query: AuditQuery): Promise<Page<AuditEntry>> {
    return api.get('/api/v1/audit', { query: query as Record<string, QueryValue> });
  },
  verify(): Promise<AuditVerify> {
    return api.get('/api/v1/audit/verify');
  },
};

export interface CustomerQuery extends PageQuery {
  branch_id?: number | null;
  rm_id?: number | null;
}

export const customerApi = {
  list(query: CustomerQuery): Promise<Page<CustomerSummary>> {
    return api.get('/api/v1/customers', { query: query as Record<string, QueryValue> });
  },
  // Every customer one identifier (TYPE:VALUE) belongs to, as 360 views.
  find(identifier: string): Promise<Page<Customer360>> {
    return api.get('/api/v1/customers', { query: { identifier } });
  },
  get(id: number): Promise<Customer360> {
    return api.get(`/api/v1/customers/${id}`);
  },
  events(id: number, query: PageQuery): Promise<Page<CustomerEvent>> {
    return api.get(`/api/v1/customers/${id}/events`, { query: query as Record<string, QueryValue> });
  },
  consents(id: number): Promise<Consents> {
    return api.get(`/api/v1/customers/${id}/consents`);
  },
  balances(id: number, query: { from?: string; to?: string } = {}): Promise<Balances> {
    return api.get(`/api/v1/customers/${id}/balances`, { query });
  },
  // The clear value of one field ("name", "identifiers/phone"); audited on the server.
  unmask(id: number, field: string): Promise<UnmaskResult> {
    return api.post(`/api/v1/customers/${id}/unmask`, { field });
  },
  tags(id: number): Promise<{ items: CustomerTag[] }> {
    return api.get(`/api/v1/customers/${id}/tags`);
  },
  identifierTypes(): Promise<Page<IdentifierType>> {
    return api.get('/api/v1/identifier-types');
  },
};

// The tag catalog (tags:read): the customer 360 reads bucket tags' labels from it.
export const tagApi = {
  list(params: { cursor?: string | null; limit?: number } = {}): Promise<Page<TagDefinition>> {
    return api.get('/api/v1/tags', { query: params as Record<string, QueryValue> });
  },
  // One tag with its holders per value in the caller's scope.
  get(id: number): Promise<TagDefinition & { counts?: TagCounts }> {
    return api.get(`/api/v1/tags/${id}`);
  },
  create(input: TagInput): Promise<TagDefinition> {
    return api.post('/api/v1/tags', input);
  },
  // Recomputes a daily or manual tag now (tags:write); answers its holders per value.
  refresh(id: number): Promise<TagCounts> {
    return api.post(`/api/v1/tags/${id}/refresh`);
  },
  update(id: number, change: TagUpdate): Promise<TagDefinition> {
    return api.patch(`/api/v1/tags/${id}`, change);
  },
  // Refused while a segment or a rule tag names it (the server names them).
  remove(id: number): Promise<void> {
    return api.delete(`/api/v1/tags/${id}`);
  },
  // Replaces an imported tag's holders with a CSV list `type,value[,tag_value]` (header
  // optional). The list is sent as text/csv, which the JSON client does not speak, so this is
  // its own request carrying the session's CSRF token.
  async importMembers(id: number, csv: string, csrfToken: string | null): Promise<TagImportReport> {
    const response = await rawFetch('PUT', `/api/v1/tags/${id}/members`, csrfToken, {
      body: csv,
      contentType: 'text/csv; charset=utf-8',
    });
    return (await response.json()) as TagImportReport;
  },
};

// A request outside the JSON client (CSV in or out): same origin, the session cookie, the CSRF
// token on a change, problem+json errors as ApiError.
async function rawFetch(
  method: 'GET' | 'PUT',
  path: string,
  csrfToken: string | null,
  options: { body?: string; contentType?: string; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (options.contentType) headers['content-type'] = options.contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: options.body, credentials: 'same-origin' });
  } catch (cause) {
    throw ApiError.network(cause);
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

// Saved segments and the builder's helpers (segments:read; saving segments:write).
export const segmentApi = {
  list(params: { cursor?: string | null; limit?: number } = {}): Promise<Page<Segment>> {
    return api.get('/api/v1/segments', { query: params as Record<string, QueryValue> });
  },
  catalog(): Promise<SegmentCatalog> {
    return api.get('/api/v1/segments/catalog');
  },
  // Who matches an expression now, in the caller's scope: the count and a masked sample.
  preview(expression: string, sample = 10, signal?: AbortSignal): Promise<SegmentPreview> {
    return api.post('/api/v1/segments/preview', { expression, sample }, { signal });
  },
  create(input: SegmentInput): Promise<Segment> {
    return api.post('/api/v1/segments', input);
  },
  get(id: number): Promise<Segment> {
    return api.get(`/api/v1/segments/${id}`);
  },
  // A saved segment's count and masked sample in the caller's scope.
  savedPreview(id: number, sample = 0): Promise<SegmentPreview> {
    return api.get(`/api/v1/segments/${id}/preview`, { query: { sample } });
  },
  update(id: number, change: SegmentUpdate): Promise<Segment> {
    return api.patch(`/api/v1/segments/${id}`, change);
  },
  // Refused while another segment or a rule tag names it (the server names them).
  remove(id: number): Promise<void> {
    return api.delete(`/api/v1/segments/${id}`);
  },
  // The members' OneIDs in the caller's scope as CSV (`one_id` header, one per line;
  // customers:export, audited as segment.export), with the file name the server gives.
  async export(id: number): Promise<{ csv: string; filename: string }> {
    const response = await rawFetch('GET', `/api/v1/segments/${id}/export`, null, { accept: 'text/csv' });
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `segment-${id}.csv`;
    return { csv: await response.text(), filename };
  },
  // Newest first, at most 100.
  snapshots(id: number): Promise<Page<SegmentSnapshot>> {
    return api.get(`/api/v1/segments/${id}/snapshots`);
  },
  takeSnapshot(id: number): Promise<SegmentSnapshot> {
    return api.post(`/api/v1/segments/${id}/snapshots`);
  },
  transitions(id: number, after: number, limit: number): Promise<SegmentTransitions> {
    return api.get(`/api/v1/segments/${id}/transitions`, { query: { after, limit } });
  },
  overlap(ids: number[]): Promise<SegmentOverlap> {
    return api.post('/api/v1/segments/overlap', { segments: ids });
  },
};

// Analytics (analytics:read; saving a cell as a segment also segments:write). Every answer is
// scoped by the server to the caller's customers. Bodies are built in utils/analytics.ts.
type Body = Record<string, unknown>;
export const analyticsApi = {
  funnel(body: Body, signal?: AbortSignal): Promise<FunnelResult> {
    return api.post('/api/v1/analytics/funnel', body, { signal });
  },
  retention(body: Body, signal?: AbortSignal): Promise<RetentionResult> {
    return api.post('/api/v1/analytics/retention', body, { signal });
  },
  activity(body: Body, signal?: AbortSignal): Promise<ActivityResult> {
    return api.post('/api/v1/analytics/activity', body, { signal });
  },
  followers(body: Body, signal?: AbortSignal): Promise<FollowersResult> {
    return api.post('/api/v1/analytics/activity', body, { signal });
  },
  trend(body: Body, signal?: AbortSignal): Promise<TrendResult> {
    return api.post('/api/v1/analytics/trend', body, { signal });
  },
  lifecycle(body: Body, signal?: AbortSignal): Promise<LifecycleResult> {
    return api.post('/api/v1/analytics/lifecycle', body, { signal });
  },
  aum(body: Body, signal?: AbortSignal): Promise<AumResult> {
    return api.post('/api/v1/analytics/aum', body, { signal });
  },
  aumSeries(body: Body, signal?: AbortSignal): Promise<AumSeriesResult> {
    return api.post('/api/v1/analytics/aum/series', body, { signal });
  },
  ltv(body: Body, signal?: AbortSignal): Promise<LtvResult> {
    return api.post('/api/v1/analytics/ltv', body, { signal });
  },
  // The customers of a retention cell (a cohort retained in a period) as a static segment.
  saveRetentionCell(body: Body & { select: Body; name: string; description?: string }): Promise<SavedCell> {
    return api.post('/api/v1/analytics/retention/segments', body);
  },
  // The customers of a funnel cell (dropped at a step, say) as a static segment.
  saveFunnelCell(body: Body & { select: Body; name: string; description?: string }): Promise<SavedCell> {
    return api.post('/api/v1/analytics/funnel/segments', body);
  },
};

export interface MessageQuery extends PageQuery {
  state?: string;
  channel?: string;
  purpose?: string;
  template_id?: number | null;
  from?: string;
  to?: string;
}

// Messaging (docs/messaging.md). Channels need channels:manage; templates templates:write and
// templates:approve; sending messages:send; the reads messages:read. Every read is scoped by the
// server to the caller's customers.
export const messagingApi = {
  channels(): Promise<{ items: MessageChannel[] }> {
    return api.get('/api/v1/channels');
  },
  // Replaces the channel's whole configuration (the plugin validates it; secrets are write-only).
  putChannel(name: string, input: { kind: ChannelKind; config: Record<string, unknown>; enabled: boolean }): Promise<MessageChannel> {
    return api.put(`/api/v1/channels/${encodeURIComponent(name)}`, input);
  },
  templates(query: PageQuery): Promise<Page<MessageTemplate>> {
    return api.get('/api/v1/message-templates', { query: query as Record<string, QueryValue> });
  },
  template(id: number, signal?: AbortSignal): Promise<MessageTemplate> {
    return api.get(`/api/v1/message-templates/${id}`, { signal });
  },
  createTemplate(input: TemplateInput): Promise<MessageTemplate> {
    return api.post('/api/v1/message-templates', input);
  },
  // A new draft version of an existing template.
  addVersion(id: number, input: Pick<TemplateInput, 'body' | 'variables'>): Promise<MessageTemplate> {
    return api.post(`/api/v1/message-templates/${id}/versions`, input);
  },
  submit(id: number, version: number): Promise<MessageTemplate> {
    return api.post(`/api/v1/message-templates/${id}/versions/${version}/submit`);
  },
  review(id: number, version: number, approve: boolean, note: string): Promise<MessageTemplate> {
    return api.post(`/api/v1/message-templates/${id}/versions/${version}/review`, { approve, note });
  },
  preview(id: number, body: { version?: number; variables: Record<string, unknown>; one_id?: number }): Promise<{ rendered: Record<string, unknown> }> {
    return api.post(`/api/v1/message-templates/${id}/preview`, body);
  },
  // The Idempotency-Key makes a repeated click answer the first message instead of a second one.
  send(request: SendRequest, idempotencyKey: string): Promise<SendResult> {
    return api.post('/api/v1/messages', request, { headers: { 'idempotency-key': idempotencyKey } });
  },
  messages(query: MessageQuery): Promise<Page<Message>> {
    return api.get('/api/v1/messages', { query: query as Record<string, QueryValue> });
  },
  message(id: number): Promise<Message> {
    return api.get(`/api/v1/messages/${id}`);
  },
  stats(query: { from?: string; to?: string; group_by: StatsGroupBy }, signal?: AbortSignal): Promise<MessagingStats> {
    return api.get('/api/v1/messaging/stats', { query, signal });
  },
  timeline(oneId: number, query: PageQuery & { kind?: string; channel?: string }): Promise<TimelinePage> {
    return api.get(`/api/v1/customers/${oneId}/timeline`, { query: query as Record<string, QueryValue> });
  },
};

// Types of the Banyan HTTP API (docs/openapi.json), as the console uses them.

export type Role =
  | 'admin'
  | 'analyst'
  | 'marketer'
  | 'branch_manager'
  | 'relationship_manager'
  | 'auditor';

export const ROLES: readonly Role[] = [
  'admin',
  'analyst',
  'marketer',
  'branch_manager',
  'relationship_manager',
  'auditor',
];

export type Locale = 'zh-CN' | 'en';
export type Scope = 'all' | 'subtree' | 'own_customers';
export type StaffStatus = 'active' | 'disabled';
export type BranchKind = 'head_office' | 'branch' | 'sub_branch';
export type KeyKind = 'api' | 'write';
export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface Principal {
  kind: 'staff' | 'api_key' | 'write_key' | 'system';
  id: number;
  name: string;
  role: Role | null;
  permissions: string[];
  branch_id: number;
  scope: Scope;
  locale: Locale;
}

export interface Staff {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  role: Role;
  branch_id: number;
  status: StaffStatus;
  locale: Locale;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  locked_until: string | null;
}

export interface Me {
  principal: Principal;
  staff?: Staff;
  csrf_token?: string;
}

export interface LoginResponse {
  principal: Principal;
  csrf_token: string;
  expires_at: string;
}

export interface StaffCreate {
  username: string;
  display_name: string;
  email?: string;
  password: string;
  role: Role;
  branch_id: number;
  locale?: Locale;
}

export interface StaffPatch {
  display_name?: string;
  email?: string;
  role?: Role;
  branch_id?: number;
  status?: StaffStatus;
  locale?: Locale;
}

export interface Branch {
  id: number;
  parent_id: number | null;
  code: string;
  name: string;
  kind: BranchKind;
  address: string;
  latitude: number;
  longitude: number;
  path: string;
  created_at: string;
  updated_at: string;
}

export interface BranchInput {
  parent_id?: number;
  code?: string;
  name?: string;
  kind?: BranchKind;
  address?: string;
  latitude?: number;
  longitude?: number;
}

export interface ApiKey {
  id: number;
  name: string;
  kind: KeyKind;
  prefix: string;
  permissions: string[];
  branch_id: number | null;
  created_by: number;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  secret: string;
}

export interface ApiKeyInput {
  name: string;
  kind: KeyKind;
  permissions?: string[];
  branch_id?: number;
  expires_at?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor_kind: string;
  actor_id: number;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  request_id: string;
  remote_address: string;
  hash: string;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  first_bad_seq: number | null;
  reason: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// Customers (docs/customers.md). Values the caller may not see in clear come masked
// ("138****1234", "***") with masked: true.
export type ProfileScalar = string | number | boolean | null;
export type ProfileRaw = ProfileScalar | ProfileScalar[] | Record<string, unknown>;

export interface ProfileValue {
  value: ProfileRaw;
  masked: boolean;
  source: string;
  at?: string;
}

export interface CustomerSummary {
  one_id: number;
  profile: Record<string, ProfileRaw>;
  home_branch_id: number | null;
  rm_id: number | null;
}

export interface CustomerIdentifier {
  type: string;
  value: string;
  masked: boolean;
  person_id: number;
  first_seen_at: string;
  last_seen_at: string;
  source: string;
}

export type ConsentPurpose = 'marketing' | 'personalised_marketing' | 'data_sharing';

export interface ConsentState {
  purpose: ConsentPurpose;
  channel: string;
  granted: boolean;
  at: string;
  source: string;
  fact_id: number;
}

export interface ConsentFact {
  id: number;
  person_id: number;
  purpose: ConsentPurpose;
  channel: string;
  granted: boolean;
  at: string;
  source: string;
  evidence: Record<string, unknown>;
  recorded_by: number | null;
  recorded_at: string;
}

export interface Consents {
  one_id: number;
  current: ConsentState[];
  history: ConsentFact[];
}

export interface CustomerMerge {
  id: number;
  survivor_id: number;
  absorbed_id: number;
  at: string;
  undone_at: string | null;
  evidence: Record<string, unknown>;
}

export interface CustomerEvent {
  sequence: number;
  message_id: string;
  source: string;
  type: string;
  name: string;
  identifiers: Array<{ type: string; value: string }>;
  event_time: string;
  received_at: string;
  sent_at: string | null;
  channel: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export interface Customer360 {
  one_id: number;
  requested_id?: number;
  members: number[];
  profile: Record<string, ProfileValue>;
  identifiers: CustomerIdentifier[];
  consents: ConsentState[];
  merges: CustomerMerge[];
  scope: {
    home_branch?: { id: number; code: string; name: string } | null;
    relationship_manager?: { id: number; username: string; display_name: string } | null;
  };
  recent_events: CustomerEvent[];
}

// Daily balances: decimal strings in yuan, or "***" without pii:unmask.
export interface BalanceDay {
  date: string;
  aum: string;
  deposit: string;
  loan: string;
  wealth: string;
  tier: string;
}

export interface Balances {
  days: BalanceDay[];
}

export interface IdentifierType {
  name: string;
  strength: number;
  strong: boolean;
  cardinality: string;
  mask: string;
}

export interface UnmaskResult {
  one_id: number;
  field: string;
  value?: ProfileRaw;
  values?: string[];
}

// A tag the customer holds now (GET /api/v1/customers/{id}/tags); value is the bucket or stage
// for bucket and lifecycle tags, absent for rule tags.
export interface CustomerTag {
  tag_id: number;
  tag: string;
  category: string;
  value?: string;
}

// A tag of the catalog (GET /api/v1/tags), as far as the console reads it.
export interface TagDefinition {
  id: number;
  name: string;
  category: string;
  kind: 'rule' | 'bucket' | 'imported' | 'lifecycle';
  description: string;
  definition: { buckets?: Array<{ value: string; label?: string }> } & Record<string, unknown>;
  refresh?: 'live' | 'daily' | 'manual';
  // The version read; a change sends it back (another version answers 409).
  version?: number;
  owner_staff_id?: number | null;
  updated_at?: string;
}

// Holders of a tag per value in the caller's scope (GET /tags/{id} counts, POST …/refresh).
export interface TagCounts {
  total: number;
  as_of: string;
  values?: Array<{ value: string; label?: string; count: number }>;
}

export interface TagInput {
  name: string;
  category: string;
  description: string;
  kind: 'rule' | 'bucket' | 'imported';
  refresh: 'live' | 'daily' | 'manual';
  definition: Record<string, unknown>;
}

// A saved segment (GET /api/v1/segments).
export interface Segment {
  id: number;
  name: string;
  description: string;
  kind: 'live' | 'static';
  expression: string;
  owner_staff_id: number | null;
  branch_id: number | null;
  version: number;
  created_at: string;
  updated_at: string;
  live: { engine_version: number; consistent_at: string; members: number; entered: number; exited: number } | null;
}

export interface SegmentInput {
  name: string;
  description?: string;
  kind: 'live' | 'static';
  expression: string;
}

// A change of a tag (PATCH /api/v1/tags/{id}): its kind cannot change; `version` is the one read.
export interface TagUpdate {
  name?: string;
  category?: string;
  description?: string;
  refresh?: 'live' | 'daily' | 'manual';
  definition?: Record<string, unknown>;
  version?: number;
}

// What PUT /api/v1/tags/{id}/members made of a list: its rows, the customers they resolved to,
// the rows no customer holds and the rows that resolved to more than one.
export interface TagImportReport {
  rows: number;
  customers: number;
  unmatched: number;
  ambiguous: number;
}

// A change of a saved segment (PATCH /api/v1/segments/{id}): a static segment's expression is
// fixed; `version` is the one read.
export interface SegmentUpdate {
  name?: string;
  description?: string;
  expression?: string;
  version?: number;
}

// A frozen copy of a segment's members (GET/POST /api/v1/segments/{id}/snapshots).
export interface SegmentSnapshot {
  id: number;
  segment_id: number;
  name: string;
  expression: string;
  taken_at: string;
  taken_by?: number | null;
  member_count: number;
}

// Customers entering and leaving a live segment, oldest first after a sequence number.
export interface SegmentTransition {
  seq: number;
  one_id: number;
  change: 'entered' | 'exited';
  at: string;
}
export interface SegmentTransitions {
  items: SegmentTransition[];
  next_after: number;
}

// Venn counts of 2–4 saved segments (POST /api/v1/segments/overlap): each region holds the
// customers in exactly the sets it names (indexes into `segments`).
export interface SegmentOverlap {
  segments: Array<{ id: number; name: string; count: number }>;
  regions: Array<{ sets: number[]; count: number }>;
  union: number;
  engine_version: number;
}

export interface SegmentPreview {
  count: number;
  sample: CustomerSummary[];
  expression: string;
  as_of: string;
  took_ms: number;
}

// --- Analytics (docs/analytics.md). Arrays are aligned with the steps or periods. ---

export interface FunnelRow {
  name?: string;
  customers: number[];
  conversion_from_previous: Array<number | null>;
  conversion_from_first: Array<number | null>;
  drop_off: number[];
  median_seconds: Array<number | null>;
  p90_seconds: Array<number | null>;
}

export interface FunnelResult {
  steps: string[];
  range: { from: string; to: string };
  window_seconds: number;
  order: 'strict' | 'any';
  overall: FunnelRow;
  groups: FunnelRow[];
  data_version: number;
}

export interface RetentionCohort {
  cohort: string;
  customers: number;
  rates: Array<number | null>;
  retained: Array<number | null>;
  urr: number | null;
}

export interface RetentionResult {
  interval: string;
  periods: number;
  overall: { average_rates: Array<number | null>; cohorts: RetentionCohort[]; customers: number };
  groups: Array<{ name: string; average_rates: Array<number | null>; cohorts: RetentionCohort[]; customers: number }>;
}

export interface ActivityRow {
  name?: string;
  customers: number;
  active: number[];
  new: number[];
  returning: number[];
  resurrected: number[];
  dormant: number[];
  wau?: number[];
  mau?: number[];
  stickiness?: number[];
}

export interface ActivityResult {
  interval: string;
  periods: string[];
  overall: ActivityRow;
  groups: ActivityRow[];
}

export interface FollowersRow {
  name?: string;
  gained: number[];
  lost: number[];
  net: number[];
}

export interface FollowersResult {
  periods: string[];
  overall: FollowersRow;
  groups: FollowersRow[];
}

export interface TrendRow {
  name?: string;
  values: Array<number | null>;
  total: number | null;
}

export interface TrendResult {
  measure: string;
  interval: string;
  periods: string[];
  overall: TrendRow;
  groups: TrendRow[];
}

export interface LifecycleResult {
  stages: string[];
  labels?: Record<string, string> | string[];
  periods: string[];
  as_of: string[];
  customers: Record<string, number[]>;
}

export interface AumRow {
  name: string;
  label?: string;
  customers: number;
  holders: number;
  total: string;
  average: string;
}

export interface AumResult {
  overall: Omit<AumRow, 'name'>;
  groups: Partial<Record<'tier' | 'branch' | 'relationship_manager', AumRow[]>>;
  products: Array<{ name: string; customers: number; share: number }>;
  unit: string;
}

export interface AumSeriesRow {
  name?: string;
  label?: string;
  end: Array<string | null>;
  daily_average: Array<string | null>;
  net_inflow: Array<string | null>;
  customers: Array<number | null>;
}

export interface AumSeriesResult {
  periods: string[];
  as_of: Array<string | null>;
  overall?: AumSeriesRow;
  groups?: AumSeriesRow[];
}

// A result cell saved as a static segment (201).
export interface SavedCell {
  id: number;
  name: string;
  description: string;
  kind: 'static';
  expression: string;
  members: number;
}

export interface LtvRow {
  name?: string;
  customers: number;
  average: string;
  median: string;
  p90: string;
  total: string;
}

export interface LtvResult {
  annuity: number;
  years: number;
  discount_rate: number;
  overall: LtvRow;
  groups: LtvRow[];
}

// Messaging (docs/messaging.md): channels, templates, messages, stats, the customer timeline.
export type ChannelKind = 'sms' | 'webhook' | 'email' | 'wechat_mp' | 'rcs' | 'app_push' | 'wecom';

// A configured channel; every secret member of `config` comes back as "********" (or as the
// {"env": NAME} reference it was given as).
export interface MessageChannel {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  version: number;
  address_type: string;
  consent_channel: string;
  config: Record<string, unknown>;
}

export type TemplateVersionState = 'draft' | 'submitted' | 'approved' | 'rejected';
export type MessagePurpose = 'service' | 'marketing';
export type VariableType = 'string' | 'number' | 'amount' | 'date' | 'url';

export interface TemplateVariable {
  name: string;
  type: VariableType;
  required?: boolean;
}

export interface TemplateVersion {
  version: number;
  state: TemplateVersionState;
  body: Record<string, unknown>;
  variables: TemplateVariable[];
  created_at: string;
  created_by: number | null;
  submitted_at: string | null;
  submitted_by: number | null;
  reviewed_at: string | null;
  reviewed_by: number | null;
  review_note: string;
}

export interface MessageTemplate {
  id: number;
  name: string;
  channel: string;
  purpose: MessagePurpose;
  description: string;
  created_at: string;
  updated_at: string;
  // Only in the answers about one template (the list leaves them out).
  versions?: TemplateVersion[];
}

export interface TemplateInput {
  name: string;
  channel: string;
  purpose: MessagePurpose;
  body: Record<string, unknown>;
  variables: TemplateVariable[];
  description?: string;
}

export type MessageState =
  | 'queued'
  | 'deferred'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'read'
  | 'clicked'
  | 'refused'
  | 'dead';

export interface SendRequest {
  recipient: { one_id: number } | { identifier: { type: string; value: string } };
  purpose?: MessagePurpose;
  channel?: string;
  template_id?: number;
  template_version?: number;
  variables?: Record<string, string | number>;
  content?: string;
}

export interface SendResult {
  id: number;
  state: MessageState;
  reason: string;
  channel: string;
  next_attempt_at: string | null;
  created: boolean;
}

export interface MessageStatus {
  at: string;
  state: MessageState;
  reason: string;
}

export interface Message {
  id: number;
  channel: string | null;
  channel_requested: string;
  purpose: MessagePurpose;
  state: MessageState;
  reason: string;
  recipient: { one_id: number; address?: string };
  template_id: number | null;
  template_version: number | null;
  created_at: string;
  updated_at: string;
  send_at: string;
  next_attempt_at: string | null;
  provider_message_id: string | null;
  status_history: MessageStatus[];
}

export type StatsGroupBy = 'channel' | 'reason' | 'day';
export interface StatsStateGroup {
  channel?: string;
  day?: string;
  total: number;
  states: Partial<Record<MessageState, number>>;
}
export interface StatsReasonGroup {
  state: MessageState;
  reason: string;
  count: number;
}
export interface MessagingStats {
  from: string;
  to: string;
  group_by: StatsGroupBy;
  time_zone: string;
  total: number;
  states: Partial<Record<MessageState, number>>;
  groups: Array<StatsStateGroup | StatsReasonGroup>;
}

// One item of GET /customers/{id}/timeline: a message out, something back (reply, receipt,
// click), or an event (left out by the console's kind=message,inbound).
export interface TimelineItem {
  kind: 'message' | 'inbound' | 'event';
  at: string;
  channel?: string;
  direction?: 'out' | 'in';
  message_id?: number | null;
  purpose?: MessagePurpose;
  state?: MessageState;
  reason?: string;
  template_id?: number | null;
  template_version?: number | null;
  type?: string;
  body?: unknown;
  [key: string]: unknown;
}

export interface TimelinePage extends Page<TimelineItem> {
  one_id: number;
}

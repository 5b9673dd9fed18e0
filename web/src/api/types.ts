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

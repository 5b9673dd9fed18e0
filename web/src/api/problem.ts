// Errors of the Banyan API: every error is application/problem+json (RFC 9457, docs/api.md).
// ApiError carries what the console shows: a kind for the message, the server's detail, the
// request id for the operator, and field errors keyed by form field.

export interface ProblemFieldError {
  pointer?: string;
  parameter?: string;
  detail?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  request_id?: string;
  errors?: ProblemFieldError[];
}

const PROBLEM_PREFIX = 'urn:banyan:problem:';

// The kinds the console has its own words for (i18n keys under problem.*).
export type ProblemKind =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'aborted'
  | 'too_large'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'internal'
  | 'network'
  | 'unexpected';

const KNOWN_KINDS: ReadonlySet<string> = new Set<ProblemKind>([
  'invalid_argument',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'already_exists',
  'failed_precondition',
  'aborted',
  'too_large',
  'resource_exhausted',
  'unavailable',
  'deadline_exceeded',
  'internal',
]);

function kindForStatus(status: number): ProblemKind {
  switch (status) {
    case 400:
      return 'invalid_argument';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 409:
      return 'failed_precondition';
    case 413:
      return 'too_large';
    case 429:
      return 'resource_exhausted';
    case 503:
      return 'unavailable';
    case 504:
      return 'deadline_exceeded';
    default:
      return status >= 500 ? 'internal' : 'unexpected';
  }
}

// The form field a field error belongs to: "/username" → "username", "/permissions/2" →
// "permissions", "/a~1b" → "a/b"; a query parameter keeps its name.
export function fieldOf(error: ProblemFieldError): string | null {
  if (error.pointer !== undefined && error.pointer.startsWith('/')) {
    const first = error.pointer.slice(1).split('/')[0] ?? '';
    const name = first.replace(/~1/g, '/').replace(/~0/g, '~');
    return name === '' ? null : name;
  }
  if (error.parameter !== undefined && error.parameter !== '') return error.parameter;
  return null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly kind: ProblemKind;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string;
  readonly errors: ProblemFieldError[];
  readonly retryAfterSeconds: number | null;

  constructor(init: {
    status: number;
    kind: ProblemKind;
    title?: string;
    detail?: string;
    requestId?: string;
    errors?: ProblemFieldError[];
    retryAfterSeconds?: number | null;
  }) {
    super(init.detail || init.title || init.kind);
    this.name = 'ApiError';
    this.status = init.status;
    this.kind = init.kind;
    this.title = init.title ?? '';
    this.detail = init.detail ?? '';
    this.requestId = init.requestId ?? '';
    this.errors = init.errors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }

  // Field name → the server's message, for el-form-item :error.
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.errors) {
      const field = fieldOf(error);
      if (field !== null && out[field] === undefined) out[field] = error.detail ?? this.detail;
    }
    return out;
  }

  static network(cause: unknown): ApiError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new ApiError({ status: 0, kind: 'network', detail });
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Turns a non-2xx response into an ApiError. Bodies that are not problem+json (a proxy's HTML
// error page, say) still give an error with the status's kind.
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  let problem: Problem = {};
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    try {
      const body: unknown = await response.json();
      if (isProblem(body)) problem = body;
    } catch {
      problem = {};
    }
  }
  let kind = kindForStatus(response.status);
  if (typeof problem.type === 'string' && problem.type.startsWith(PROBLEM_PREFIX)) {
    const slug = problem.type.slice(PROBLEM_PREFIX.length);
    if (KNOWN_KINDS.has(slug)) kind = slug as ProblemKind;
  }
  const errors = Array.isArray(problem.errors)
    ? problem.errors.filter((e): e is ProblemFieldError => typeof e === 'object' && e !== null)
    : [];
  return new ApiError({
    status: response.status,
    kind,
    title: typeof problem.title === 'string' ? problem.title : response.statusText,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    requestId:
      typeof problem.request_id === 'string'
        ? problem.request_id
        : (response.headers.get('x-request-id') ?? ''),
    errors,
    retryAfterSeconds,
  });
}

// The console's HTTP client: JSON in and out, the session cookie (same origin), the CSRF token
// on every state-changing request, problem+json errors as ApiError, and one place that notices
// an expired session. The CSRF token lives only in memory; the session is the HttpOnly cookie.

import { ApiError, errorFromResponse } from './problem';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  // Extra request headers (the send API's Idempotency-Key).
  headers?: Record<string, string>;
  // A 401 from this request means "not logged in" rather than "session expired"
  // (the log-in call itself, and the first look at /me when the console opens).
  expectUnauthenticated?: boolean;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
}

const STATE_CHANGING: ReadonlySet<Method> = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export class ApiClient {
  private csrfToken: string | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private unauthenticatedHandler: ((error: ApiError) => void) | null = null;
  private inflight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  get hasCsrfToken(): boolean {
    return this.csrfToken !== null;
  }

  // Called once per 401 on a request that expected a session (the session has ended).
  onUnauthenticated(handler: ((error: ApiError) => void) | null): void {
    this.unauthenticatedHandler = handler;
  }

  // Resolves when no request is in flight (at once if none is): background work, such as
  // fetching the code of other pages, waits for the page's own calls.
  whenIdle(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    this.inflight += 1;
    try {
      return await this.send<T>(method, path, options);
    } finally {
      this.inflight -= 1;
      if (this.inflight === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  private async send<T>(method: Method, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    if (STATE_CHANGING.has(method) && this.csrfToken !== null) {
      headers['x-csrf-token'] = this.csrfToken;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}${buildQuery(options.query)}`, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal,
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw ApiError.network(cause);
    }
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (error.status === 401 && !options.expectUnauthenticated) {
        this.csrfToken = null;
        this.unauthenticatedHandler?.(error);
      }
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new ApiError({
        status: response.status,
        kind: 'unexpected',
        detail: cause instanceof Error ? cause.message : String(cause),
        requestId: response.headers.get('x-request-id') ?? '',
      });
    }
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }
}

// The console's one client.
export const api = new ApiClient();

import { describe, expect, it, vi } from 'vitest';
import { ApiClient, buildQuery } from './client';
import { ApiError } from './problem';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return respond(call);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const headersOf = (call: Call | undefined) => (call?.init.headers ?? {}) as Record<string, string>;

describe('ApiClient', () => {
  it('says when no request is in flight, failed ones included', async () => {
    const pending: Array<(r: Response) => void> = [];
    const fetch = (() => new Promise<Response>((resolve) => pending.push(resolve))) as unknown as typeof globalThis.fetch;
    const client = new ApiClient({ fetch });
    let idle = false;
    await client.whenIdle(); // nothing in flight: at once
    const a = client.get('/api/v1/me');
    const b = client.get('/api/v1/staff').catch(() => undefined);
    void client.whenIdle().then(() => {
      idle = true;
    });
    await Promise.resolve();
    pending[0]?.(json({ ok: true }));
    await a;
    expect(idle).toBe(false);
    pending[1]?.(json({ title: 'no' }, 500));
    await b;
    await Promise.resolve();
    expect(idle).toBe(true);
  });

  it('sends the CSRF token on state-changing methods only', async () => {
    const { fetch, calls } = fakeFetch(() => json({ ok: true }));
    const client = new ApiClient({ fetch });
    client.setCsrfToken('csrf-123');
    await client.get('/api/v1/me');
    await client.post('/api/v1/staff', { a: 1 });
    await client.put('/api/v1/me/password', { b: 2 });
    await client.patch('/api/v1/me', { locale: 'en' });
    await client.delete('/api/v1/api-keys/3');
    expect(headersOf(calls[0])['x-csrf-token']).toBeUndefined();
    for (const call of calls.slice(1)) expect(headersOf(call)['x-csrf-token']).toBe('csrf-123');
    expect(calls.map((c) => c.init.method)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });

  it('sends JSON with the same-origin cookie', async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: 1 }, 201));
    const client = new ApiClient({ fetch });
    const out = await client.post<{ id: number }>('/api/v1/staff', { username: 'li.na' });
    expect(out).toEqual({ id: 1 });
    expect(calls[0]?.init.credentials).toBe('same-origin');
    expect(headersOf(calls[0])['content-type']).toBe('application/json');
    expect(calls[0]?.init.body).toBe('{"username":"li.na"}');
  });

  it('sends no CSRF header before it knows the token', async () => {
    const { fetch, calls } = fakeFetch(() => json({}));
    const client = new ApiClient({ fetch });
    await client.post('/api/v1/auth/login', { username: 'a', password: 'b' });
    expect(headersOf(calls[0])['x-csrf-token']).toBeUndefined();
  });

  it('returns undefined for 204', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    const client = new ApiClient({ fetch });
    await expect(client.delete('/api/v1/api-keys/1')).resolves.toBeUndefined();
  });

  it('builds query strings without empty values', async () => {
    expect(buildQuery({ limit: 20, cursor: null, q: '', role: 'admin', x: undefined })).toBe('?limit=20&role=admin');
    expect(buildQuery({})).toBe('');
    expect(buildQuery({ q: '西溪 支行' })).toBe('?q=%E8%A5%BF%E6%BA%AA+%E6%94%AF%E8%A1%8C');
    const { fetch, calls } = fakeFetch(() => json({ items: [], next_cursor: null }));
    await new ApiClient({ fetch }).get('/api/v1/staff', { query: { limit: 5, cursor: 'Mw' } });
    expect(calls[0]?.url).toBe('/api/v1/staff?limit=5&cursor=Mw');
  });

  it('turns problem+json into ApiError', async () => {
    const { fetch } = fakeFetch(() =>
      new Response(
        JSON.stringify({
          type: 'urn:banyan:problem:permission_denied',
          title: 'Forbidden',
          status: 403,
          detail: 'needs staff:write',
        }),
        { status: 403, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const error = await new ApiClient({ fetch }).post('/api/v1/staff', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe('permission_denied');
    expect((error as ApiError).detail).toBe('needs staff:write');
  });

  it('reports an ended session once and forgets the CSRF token', async () => {
    const { fetch, calls } = fakeFetch(() =>
      new Response(JSON.stringify({ type: 'urn:banyan:problem:unauthenticated', title: 'x', status: 401 }), {
        status: 401,
        headers: { 'content-type': 'application/problem+json' },
      }),
    );
    const client = new ApiClient({ fetch });
    const handler = vi.fn();
    client.onUnauthenticated(handler);
    client.setCsrfToken('t');
    await expect(client.get('/api/v1/staff')).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(client.hasCsrfToken).toBe(false);
    await client.post('/api/v1/staff', {}).catch(() => undefined);
    expect(headersOf(calls[1])['x-csrf-token']).toBeUndefined();
  });

  it('does not report a 401 the caller expects (log-in, first look at /me)', async () => {
    const { fetch } = fakeFetch(() => new Response('{}', { status: 401, headers: { 'content-type': 'application/json' } }));
    const client = new ApiClient({ fetch });
    const handler = vi.fn();
    client.onUnauthenticated(handler);
    await expect(client.get('/api/v1/me', { expectUnauthenticated: true })).rejects.toMatchObject({ status: 401 });
    expect(handler).not.toHaveBeenCalled();
  });

  it('turns a network failure into a network ApiError', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof globalThis.fetch;
    const error = await new ApiClient({ fetch }).get('/api/v1/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).kind).toBe('network');
    expect((error as ApiError).status).toBe(0);
  });
});

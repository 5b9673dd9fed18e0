import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from './client';

describe('ApiClient extra headers', () => {
  it('sends a request\'s own headers (the send API\'s Idempotency-Key) beside the CSRF token, never overriding accept', async () => {
    const seen: RequestInit[] = [];
    const fetch = vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init ?? {});
      return new Response('{"id": 1}', { status: 201, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof globalThis.fetch;
    const client = new ApiClient({ fetch });
    client.setCsrfToken('csrf-1');
    await client.post('/api/v1/messages', { content: 'x' }, { headers: { 'idempotency-key': 'console-1', accept: 'text/html' } });
    await client.get('/api/v1/messages');
    const first = seen[0]?.headers as Record<string, string>;
    expect(first['idempotency-key']).toBe('console-1');
    expect(first['x-csrf-token']).toBe('csrf-1');
    expect(first.accept).toBe('application/json');
    expect((seen[1]?.headers as Record<string, string>)['idempotency-key']).toBeUndefined();
  });
});

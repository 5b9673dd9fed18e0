import { describe, expect, it } from 'vitest';
import { ApiError, errorFromResponse, fieldOf } from './problem';

function problem(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

describe('errorFromResponse', () => {
  it('reads a problem+json body with a field pointer', async () => {
    const error = await errorFromResponse(
      problem(400, {
        type: 'urn:banyan:problem:invalid_argument',
        title: 'Invalid request',
        status: 400,
        detail: "must be 3..64 of a-z, 0-9, '.', '_', '-'",
        request_id: 'abc-1',
        errors: [{ pointer: '/username', detail: 'must be 3..64 of a-z' }],
      }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_argument');
    expect(error.title).toBe('Invalid request');
    expect(error.detail).toContain('must be 3..64');
    expect(error.requestId).toBe('abc-1');
    expect(error.fieldErrors).toEqual({ username: 'must be 3..64 of a-z' });
  });

  it('maps query parameters and nested pointers to field names', async () => {
    const error = await errorFromResponse(
      problem(400, {
        type: 'urn:banyan:problem:invalid_argument',
        title: 'Invalid request',
        status: 400,
        detail: 'x',
        errors: [
          { parameter: 'limit', detail: 'limit must be between 1 and 200' },
          { pointer: '/permissions/2', detail: 'unknown permission' },
          { pointer: '/permissions/3', detail: 'second message for the same field is dropped' },
        ],
      }),
    );
    expect(error.fieldErrors).toEqual({
      limit: 'limit must be between 1 and 200',
      permissions: 'unknown permission',
    });
  });

  it('takes the kind from the type, and 409s keep their own kind', async () => {
    const taken = await errorFromResponse(
      problem(409, { type: 'urn:banyan:problem:already_exists', title: 'Already exists', status: 409 }),
    );
    expect(taken.kind).toBe('already_exists');
    const state = await errorFromResponse(
      problem(409, { type: 'urn:banyan:problem:failed_precondition', title: 'Conflict', status: 409 }),
    );
    expect(state.kind).toBe('failed_precondition');
  });

  it('reads Retry-After on 429', async () => {
    const error = await errorFromResponse(
      problem(
        429,
        {
          type: 'urn:banyan:problem:resource_exhausted',
          title: 'Too many requests',
          status: 429,
          detail: 'account locked until 2026-11-22T12:30:00Z',
        },
        { 'retry-after': '900' },
      ),
    );
    expect(error.kind).toBe('resource_exhausted');
    expect(error.retryAfterSeconds).toBe(900);
    expect(error.detail).toContain('locked');
  });

  it('survives a body that is not problem+json', async () => {
    const error = await errorFromResponse(
      new Response('<html>Bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'content-type': 'text/html', 'x-request-id': 'rid-9' },
      }),
    );
    expect(error.status).toBe(502);
    expect(error.kind).toBe('internal');
    expect(error.detail).toBe('');
    expect(error.requestId).toBe('rid-9');
    expect(error.fieldErrors).toEqual({});
  });

  it('falls back to the status for unknown problem types', async () => {
    const error = await errorFromResponse(
      problem(404, { type: 'urn:other:thing', title: 'Gone', status: 404 }),
    );
    expect(error.kind).toBe('not_found');
  });

  it('survives malformed JSON', async () => {
    const error = await errorFromResponse(
      new Response('{not json', { status: 400, headers: { 'content-type': 'application/problem+json' } }),
    );
    expect(error.kind).toBe('invalid_argument');
  });
});

describe('fieldOf', () => {
  it('unescapes JSON pointer tokens', () => {
    expect(fieldOf({ pointer: '/a~1b' })).toBe('a/b');
    expect(fieldOf({ pointer: '/a~0b' })).toBe('a~b');
    expect(fieldOf({ pointer: '' })).toBeNull();
    expect(fieldOf({ pointer: '/' })).toBeNull();
    expect(fieldOf({})).toBeNull();
  });
});

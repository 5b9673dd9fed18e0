import { describe, expect, it } from 'vitest';
import type { Page } from '@/api/types';
import { ApiError } from '@/api/problem';
import { usePagedList } from './usePagedList';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('usePagedList', () => {
  it('pages forward and back with the cursors the server gave', async () => {
    const seen: (string | null)[] = [];
    const list = usePagedList<number>(async (cursor, limit) => {
      seen.push(cursor);
      expect(limit).toBe(2);
      if (cursor === null) return { items: [1, 2], next_cursor: 'c2' };
      return { items: [3], next_cursor: null };
    }, 2);
    await list.load();
    expect(list.items.value).toEqual([1, 2]);
    expect(list.hasNext.value).toBe(true);
    await list.next();
    expect(list.items.value).toEqual([3]);
    expect(list.pageNumber.value).toBe(2);
    expect(list.hasNext.value).toBe(false);
    expect(list.hasPrevious.value).toBe(true);
    await list.previous();
    expect(list.items.value).toEqual([1, 2]);
    expect(seen).toEqual([null, 'c2', null]);
  });

  it('drops an answer that arrives after a newer request', async () => {
    const slow = deferred<Page<string>>();
    const fast = deferred<Page<string>>();
    const answers = [slow, fast];
    const list = usePagedList<string>(() => (answers.shift() as typeof slow).promise);
    const first = list.load();
    const second = list.reload();
    fast.resolve({ items: ['new'], next_cursor: null });
    await second;
    slow.resolve({ items: ['stale'], next_cursor: 'x' });
    await first;
    expect(list.items.value).toEqual(['new']);
    expect(list.hasNext.value).toBe(false);
    expect(list.loading.value).toBe(false);
  });

  it('keeps the error for the page to show, and clears it on retry', async () => {
    let fail = true;
    const list = usePagedList<number>(async () => {
      if (fail) throw new ApiError({ status: 503, kind: 'unavailable', detail: 'draining' });
      return { items: [1], next_cursor: null };
    });
    await list.load();
    expect(list.error.value?.kind).toBe('unavailable');
    expect(list.items.value).toEqual([]);
    fail = false;
    await list.load();
    expect(list.error.value).toBeNull();
    expect(list.items.value).toEqual([1]);
  });
});

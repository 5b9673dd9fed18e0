import { describe, expect, it, vi } from 'vitest';
import { CursorPager, fetchAll } from './paging';
import type { Page } from './types';

describe('CursorPager', () => {
  it('walks forward and back over the cursors it has seen', () => {
    const pager = new CursorPager();
    expect(pager.pageNumber).toBe(1);
    expect(pager.cursor).toBeNull();
    expect(pager.hasPrevious).toBe(false);
    expect(pager.hasNext).toBe(false);

    pager.loaded('c2');
    expect(pager.hasNext).toBe(true);
    expect(pager.forward()).toBe(true);
    expect(pager.pageNumber).toBe(2);
    expect(pager.cursor).toBe('c2');
    expect(pager.hasNext).toBe(false); // not known until page 2 answers

    pager.loaded('c3');
    pager.forward();
    expect(pager.cursor).toBe('c3');
    pager.loaded(null);
    expect(pager.hasNext).toBe(false);
    expect(pager.forward()).toBe(false);

    expect(pager.backward()).toBe(true);
    expect(pager.pageNumber).toBe(2);
    expect(pager.cursor).toBe('c2');
    expect(pager.hasNext).toBe(true); // page 3 is known
    expect(pager.backward()).toBe(true);
    expect(pager.cursor).toBeNull();
    expect(pager.backward()).toBe(false);
  });

  it('forgets later pages when a page answers with a different next cursor', () => {
    const pager = new CursorPager();
    pager.loaded('a');
    pager.forward();
    pager.loaded('b');
    pager.forward();
    pager.backward();
    pager.backward();
    pager.loaded('a2'); // rows changed meanwhile
    pager.forward();
    expect(pager.cursor).toBe('a2');
    pager.loaded(null);
    expect(pager.hasNext).toBe(false);
  });

  it('resets to page 1', () => {
    const pager = new CursorPager();
    pager.loaded('x');
    pager.forward();
    pager.reset();
    expect(pager.pageNumber).toBe(1);
    expect(pager.cursor).toBeNull();
    expect(pager.hasNext).toBe(false);
  });
});

describe('fetchAll', () => {
  it('follows next_cursor to the end', async () => {
    const pages: Record<string, Page<number>> = {
      start: { items: [1, 2], next_cursor: 'p2' },
      p2: { items: [3], next_cursor: 'p3' },
      p3: { items: [], next_cursor: null },
    };
    const fetchPage = vi.fn(async (cursor: string | null) => pages[cursor ?? 'start'] as Page<number>);
    await expect(fetchAll(fetchPage)).resolves.toEqual([1, 2, 3]);
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([null, 'p2', 'p3']);
  });

  it('stops at a cursor that does not move and at maxPages', async () => {
    const stuck = vi.fn(async () => ({ items: [1], next_cursor: 'same' }));
    await expect(fetchAll(stuck)).resolves.toEqual([1, 1]);
    const endless = vi.fn(async (cursor: string | null) => ({ items: [0], next_cursor: `${cursor ?? ''}x` }));
    await expect(fetchAll(endless, 3)).resolves.toEqual([0, 0, 0]);
  });
});

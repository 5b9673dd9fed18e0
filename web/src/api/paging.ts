// Cursor paging (docs/api.md): each page carries next_cursor, null on the last page. The
// console shows numbered pages by remembering the cursor that opened each page it has seen.

import type { Page } from './types';

export class CursorPager {
  // cursors[i] opens page i + 1; page 1 opens with no cursor.
  private cursors: (string | null)[] = [null];
  private index = 0;
  private next: string | null = null;

  get pageNumber(): number {
    return this.index + 1;
  }
  get cursor(): string | null {
    return this.cursors[this.index] ?? null;
  }
  get hasPrevious(): boolean {
    return this.index > 0;
  }
  get hasNext(): boolean {
    return this.next !== null;
  }

  // Back to page 1 (filters or page size changed).
  reset(): void {
    this.cursors = [null];
    this.index = 0;
    this.next = null;
  }

  // Records what the current page said about the next one.
  loaded(nextCursor: string | null): void {
    this.next = nextCursor;
  }

  // Moves to the next page; returns false on the last page.
  forward(): boolean {
    if (this.next === null) return false;
    this.cursors = this.cursors.slice(0, this.index + 1);
    this.cursors.push(this.next);
    this.index += 1;
    this.next = null;
    return true;
  }

  backward(): boolean {
    if (this.index === 0) return false;
    this.index -= 1;
    this.next = this.cursors[this.index + 1] ?? null;
    return true;
  }
}

// Every item of a paged list, following next_cursor up to maxPages pages (a guard against a
// server that never ends a list). Used for small lists the console needs whole: branches.
export async function fetchAll<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  maxPages = 100,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const result: Page<T> = await fetchPage(cursor);
    items.push(...result.items);
    if (result.next_cursor === null || result.next_cursor === cursor) return items;
    cursor = result.next_cursor;
  }
  return items;
}

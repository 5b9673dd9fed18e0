// A saved segment's page: paging of its transitions and reading its export.

// Transitions per page (the API allows 1..1000, kTransitionPageMax).
export const TRANSITIONS_PAGE = 50;

// Pages over GET /segments/{id}/transitions?after=SEQ: each page starts after the last
// sequence number of the one before; going back returns to the start of the page before.
export class TransitionPager {
  private starts: number[] = [0];
  private nextAfter: number | null = null;

  // Where the current page starts.
  get after(): number {
    return this.starts[this.starts.length - 1] ?? 0;
  }
  get pageNumber(): number {
    return this.starts.length;
  }
  get hasNext(): boolean {
    return this.nextAfter !== null;
  }
  get hasPrevious(): boolean {
    return this.starts.length > 1;
  }
  // A page of `count` rows arrived; a full page may have more after `nextAfter`.
  loaded(count: number, nextAfter: number, pageSize = TRANSITIONS_PAGE): void {
    this.nextAfter = count >= pageSize && nextAfter > this.after ? nextAfter : null;
  }
  next(): void {
    if (this.nextAfter !== null) this.starts.push(this.nextAfter);
    this.nextAfter = null;
  }
  previous(): void {
    if (this.starts.length > 1) this.starts.pop();
    this.nextAfter = null;
  }
  reset(): void {
    this.starts = [0];
    this.nextAfter = null;
  }
}

// The members in an export: its lines after the `one_id` header, blank lines not counted.
export function csvRowCount(csv: string): number {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.length > 0 && lines[0]?.trim() === 'one_id' ? lines.length - 1 : lines.length;
}

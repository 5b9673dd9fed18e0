import { describe, expect, it } from 'vitest';
import { TransitionPager, csvRowCount } from './segmentDetail';

describe('TransitionPager', () => {
  it('starts after 0 and pages on from the last sequence number of a full page', () => {
    const p = new TransitionPager();
    expect(p.after).toBe(0);
    p.loaded(3, 17, 3);
    expect(p.hasNext).toBe(true);
    p.next();
    expect(p.after).toBe(17);
    expect(p.pageNumber).toBe(2);
    p.loaded(1, 20, 3);
    expect(p.hasNext).toBe(false);
    p.previous();
    expect(p.after).toBe(0);
    expect(p.hasPrevious).toBe(false);
  });

  it('has no next page after a short page or one that did not move', () => {
    const p = new TransitionPager();
    p.loaded(2, 9, 3);
    expect(p.hasNext).toBe(false);
    p.loaded(3, 0, 3);
    expect(p.hasNext).toBe(false);
  });

  it('goes back to the first page on reset', () => {
    const p = new TransitionPager();
    p.loaded(3, 5, 3);
    p.next();
    p.reset();
    expect(p.after).toBe(0);
    expect(p.pageNumber).toBe(1);
  });
});

describe('csvRowCount', () => {
  it('counts the OneIDs under the header', () => {
    expect(csvRowCount('one_id\n1\n2\n3\n')).toBe(3);
    expect(csvRowCount('one_id\n')).toBe(0);
    expect(csvRowCount('one_id\r\n4\r\n')).toBe(1);
  });
  it('counts every line of a file without the header', () => {
    expect(csvRowCount('1\n2\n')).toBe(2);
    expect(csvRowCount('')).toBe(0);
  });
});

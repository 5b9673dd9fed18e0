import { describe, expect, it } from 'vitest';
import { lineCount } from './tagImport';

describe('lineCount', () => {
  it('counts the non-blank lines, header included, with either line ending', () => {
    expect(lineCount('type,value\nmobile,13800000001\n\nmobile,13800000002')).toBe(3);
    expect(lineCount('a\r\nb\r\n')).toBe(2);
    expect(lineCount('')).toBe(0);
  });
});

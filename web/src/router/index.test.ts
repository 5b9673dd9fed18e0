import { afterEach, describe, expect, it, vi } from 'vitest';
import { historyWithoutScrollSaving } from './index';

describe('historyWithoutScrollSaving', () => {
  afterEach(() => vi.restoreAllMocks());

  it('leaves out the scroll-saving listeners and keeps popstate', () => {
    const onWindow = vi.spyOn(window, 'addEventListener');
    const onDocument = vi.spyOn(document, 'addEventListener');
    const history = historyWithoutScrollSaving();
    try {
      const types = [...onWindow.mock.calls, ...onDocument.mock.calls].map((c) => c[0]);
      expect(types).toContain('popstate');
      expect(types).not.toContain('pagehide');
      expect(types).not.toContain('visibilitychange');
    } finally {
      history.destroy();
    }
  });

  it('gives addEventListener back afterwards', () => {
    const before = [window.addEventListener, document.addEventListener];
    historyWithoutScrollSaving().destroy();
    expect([window.addEventListener, document.addEventListener]).toEqual(before);
    const listener = vi.fn();
    document.addEventListener('visibilitychange', listener);
    document.dispatchEvent(new Event('visibilitychange'));
    document.removeEventListener('visibilitychange', listener);
    expect(listener).toHaveBeenCalledOnce();
  });
});

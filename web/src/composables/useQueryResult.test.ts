import { describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import { ApiError } from '@/api/problem';
import { useQueryResult } from './useQueryResult';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useQueryResult', () => {
  it('keeps the newest answer: an older one arriving late is dropped and its request aborted', async () => {
    const asked: Array<{ answer: ReturnType<typeof deferred<number>>; signal: AbortSignal }> = [];
    const scope = effectScope();
    const q = scope.run(() =>
      useQueryResult<number>((signal) => {
        const answer = deferred<number>();
        asked.push({ answer, signal });
        return answer.promise;
      }),
    )!;
    const first = q.run();
    const second = q.run();
    expect(asked[0]?.signal.aborted).toBe(true);
    asked[1]?.answer.resolve(2);
    await second;
    asked[0]?.answer.resolve(1);
    await first;
    expect(q.data.value).toBe(2);
    expect(q.loading.value).toBe(false);
    expect(q.loaded.value).toBe(true);
    scope.stop();
  });

  it('keeps the error for the card and clears it when asked again', async () => {
    let fail = true;
    const scope = effectScope();
    const q = scope.run(() =>
      useQueryResult<string>(async () => {
        if (fail) throw new ApiError({ status: 504, kind: 'internal', detail: 'past the time limit' });
        return 'ok';
      }),
    )!;
    await q.run();
    expect(q.error.value?.status).toBe(504);
    expect(q.data.value).toBeNull();
    expect(q.loaded.value).toBe(true);
    fail = false;
    await q.run();
    expect(q.error.value).toBeNull();
    expect(q.data.value).toBe('ok');
    scope.stop();
  });

  it('aborts what is still travelling when the page goes', () => {
    let signal: AbortSignal | undefined;
    const scope = effectScope();
    const q = scope.run(() =>
      useQueryResult<number>((s) => {
        signal = s;
        return new Promise<number>(() => undefined);
      }),
    )!;
    void q.run();
    scope.stop();
    expect(signal?.aborted).toBe(true);
  });
});

// One loopback to our relay at a time: the popup's call test waits for a check's quick window, and holds off new ones.
import { describe, expect, it } from 'vitest';
import { callTestRunning, holdForCallTest, holdForQuickWindow, quickWindowsEnd } from '../../src/background/relay-turns';

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
};

describe('relay turns', () => {
  it('has nothing to wait for while no quick window runs', () => {
    expect(quickWindowsEnd()).toBeUndefined();
  });

  it('ends the wait once every quick window running has ended, even one that failed', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    expect(holdForQuickWindow(first.promise)).toBe(first.promise);
    holdForQuickWindow(second.promise).catch(() => undefined);
    const end = quickWindowsEnd();
    expect(end).toBeDefined();
    first.resolve('measured');
    expect(await settled(end ?? Promise.resolve())).toBe(false);
    second.reject(new Error('connection limit'));
    expect(await settled(end ?? Promise.resolve())).toBe(true);
    expect(quickWindowsEnd()).toBeUndefined();
  });

  it('says a call test holds the relay until it settles, failed or not', async () => {
    const test = deferred<string>();
    holdForCallTest(test.promise).catch(() => undefined);
    expect(callTestRunning()).toBe(true);
    test.reject(new Error('relay off'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(callTestRunning()).toBe(false);
  });
});

// One loopback to our relay at a time: a check's quick call window and the popup's "Test a call" would share the link
// and the relay, and each would measure the other's packets as its own loss.
let quickWindows: Promise<unknown>[] = [];
let callTest: Promise<unknown> | undefined;

/** Holds the relay for a check's quick call window until `loopback` settles; hands `loopback` back. */
export function holdForQuickWindow<T>(loopback: Promise<T>): Promise<T> {
  const held = loopback.then(
    () => undefined,
    () => undefined,
  );
  quickWindows.push(held);
  void held.then(() => {
    quickWindows = quickWindows.filter((w) => w !== held);
  });
  return loopback;
}

/** When every quick call window running now has ended; undefined when none runs. Never rejects. */
export function quickWindowsEnd(): Promise<void> | undefined {
  if (quickWindows.length === 0) return undefined;
  return Promise.all(quickWindows).then(() => undefined);
}

/** Holds the relay for the popup's call test until `test` settles; a check started meanwhile runs no quick window. */
export function holdForCallTest<T>(test: Promise<T>): Promise<T> {
  const held = test.then(
    () => undefined,
    () => undefined,
  );
  callTest = held;
  void held.then(() => {
    if (callTest === held) callTest = undefined;
  });
  return test;
}

export function callTestRunning(): boolean {
  return callTest !== undefined;
}

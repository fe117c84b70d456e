// Runs the sustained call test in the ICE host, one at a time, for the automation message and the popup's port.
import * as v from 'valibot';
import browser, { type Runtime } from 'webextension-polyfill';
import type { RelayProblem } from '../core/turn-credentials';
import { fetchRelayCredentials } from './relay';
import { CallRelaySchema, type CallRelay } from '../core/call-relay';
import { CALL_TEST_DURATION_MS, type CallTestDuration, type CallTestProgress } from '../core/call-test';
import type { CallTest } from '../core/call-test-result';
import { STORAGE_KEYS, type CallTestPortMessage, type CallTestPortRequest } from '../core/messages';
import { schemaError } from '../core/schema-error';
import { iceHost } from './platform';
import { errorText } from '../core/error-text';
import { holdForCallTest, quickWindowsEnd } from './relay-turns';
import { CALL_TEST_SPACING_MS, parseSpacingRecord, recordTestEnd, relayServers, spacingLeftMs } from '../core/call-test-spacing';

let running: { promise: Promise<CallTest>; listeners: Set<(progress: CallTestProgress) => void> } | undefined;

/** Under Chrome's 30 s idle limit for an extension service worker, with room to spare. */
const KEEP_ALIVE_MS = 20_000;

/** A full test refused because one through the same relay server ended less than the spacing window ago. */
export class CallTestSpacedError extends Error {
  constructor(readonly waitMs: number) {
    super(
      `a call test through this relay server ended less than ${CALL_TEST_SPACING_MS / 1000} s ago; tests of one server are kept that far apart, ` +
        `so that one test cannot set off a block the next would read as the network's: try again in ${Math.ceil(waitMs / 1000)} s`,
    );
    this.name = 'CallTestSpacedError';
  }
}

async function loadSpacing() {
  const stored = await browser.storage.local.get(STORAGE_KEYS.callTestSpacing);
  return parseSpacingRecord(stored[STORAGE_KEYS.callTestSpacing]);
}

/**
 * A full test through `relay`, refused while one through the same server is too recent (call-test-spacing.ts); its
 * end is recorded whether it succeeded or not, since its packets went out either way.
 */
async function spacedFullTest(relay: CallRelay, run: () => Promise<CallTest>): Promise<CallTest> {
  const servers = relayServers(relay.uris);
  const waitMs = spacingLeftMs(await loadSpacing(), servers, Date.now());
  if (waitMs > 0) throw new CallTestSpacedError(waitMs);
  try {
    return await run();
  } finally {
    const record = recordTestEnd(await loadSpacing(), servers, Date.now());
    await browser.storage.local.set({ [STORAGE_KEYS.callTestSpacing]: record }).catch((error: unknown) => console.warn('recording the call test failed', error));
  }
}

/**
 * The relay to test through: the configured one, only while the person allows it. Test builds take one a test
 * supplies (validated), as they take a supplied reflector (check-service.ts); shipped builds ignore it, so nothing
 * reaches a relay the person did not allow.
 */
async function chooseRelay(supplied: unknown): Promise<CallRelay> {
  if (__TEST_BUILD__ && supplied !== undefined) {
    const parsed = v.safeParse(CallRelaySchema, supplied);
    if (!parsed.success) throw new Error(schemaError('relay credentials', parsed.issues));
    return parsed.output;
  }
  // The configured relay, only while the person allows it (fetchRelayCredentials asks for nothing while it is off).
  const got = await fetchRelayCredentials();
  if (got.ok) return got.credentials;
  throw new Error(RELAY_PROBLEM_TEXT[got.problem]);
}

const RELAY_PROBLEM_TEXT: Record<RelayProblem, string> = {
  off: 'the call-test relay is turned off in the options',
  collector_unreachable: 'the results service that hands out relay access could not be reached',
  relay_unavailable: 'no call-test relay is configured on the results service',
  invalid_answer: 'the results service gave an invalid answer for relay access',
};

/**
 * Runs a test, or joins the one running (two at once would share the link and spoil each other's figures). A check's
 * quick call window already running goes first: `onWaiting` hears that the test waits for it (a few seconds at most,
 * quick-call.ts quickCallLimitMs), and checks started meanwhile run none (relay-turns.ts).
 */
export async function runCallTest(
  duration: CallTestDuration,
  suppliedRelay: unknown,
  onProgress: (progress: CallTestProgress) => void = () => undefined,
  onWaiting: () => void = () => undefined,
): Promise<CallTest> {
  if (running) {
    const { promise, listeners } = running;
    listeners.add(onProgress);
    return promise.finally(() => listeners.delete(onProgress));
  }
  const listeners = new Set([onProgress]);
  const quickWindow = quickWindowsEnd();
  if (quickWindow !== undefined) onWaiting();
  const promise = holdForCallTest(
    Promise.all([chooseRelay(suppliedRelay), quickWindow]).then(([relay]) => {
      const run = () =>
        iceHost.run({ type: 'callTest', id: crypto.randomUUID(), relay, durationMs: CALL_TEST_DURATION_MS[duration] }, (progress) => {
          for (const listener of listeners) listener(progress);
        });
      // Only the full test is spaced: its 15 s at voice rate is what could trip a quota or a penalty box.
      return duration === 'full' ? spacedFullTest(relay, run) : run();
    }),
  );
  running = { promise, listeners };
  // Connecting sends no progress for up to 25 s per transport (call-loopback.ts), past an MV3 service worker's 30 s
  // idle limit when two transports allocate: an extension API call now and then keeps the worker alive meanwhile.
  const keepAlive = setInterval(() => void browser.runtime.getPlatformInfo().catch(() => undefined), KEEP_ALIVE_MS);
  try {
    return await promise;
  } finally {
    clearInterval(keepAlive);
    running = undefined;
  }
}

function isStart(message: unknown): message is CallTestPortRequest {
  if (typeof message !== 'object' || message === null) return false;
  const { type, duration } = message as { type?: unknown; duration?: unknown };
  return type === 'start' && (duration === 'quick' || duration === 'full');
}

/** A popup's port: `start` runs a test; progress, the result or the error go back on the same port. */
export function attachCallTestPort(port: Runtime.Port): void {
  let open = true;
  port.onDisconnect.addListener(() => {
    open = false;
  });
  const post = (message: CallTestPortMessage): void => {
    if (open) port.postMessage(message);
  };
  port.onMessage.addListener((message: unknown) => {
    if (!isStart(message)) return;
    runCallTest(
      message.duration,
      message.relay,
      (progress) => post({ type: 'progress', progress }),
      () => post({ type: 'waiting' }),
    ).then(
      (result) => post({ type: 'done', result }),
      (error: unknown) => post(error instanceof CallTestSpacedError ? { type: 'spaced', waitMs: error.waitMs } : { type: 'error', message: errorText(error) }),
    );
  });
}

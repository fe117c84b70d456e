// Launches Chromium with the built extension inside the client namespace, runs one check the way automation does, and times it.
import { chmodSync, cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROGRESS_PORT, STORAGE_KEYS, type Answer, type BackgroundRequest, type BackgroundResponse } from '../../src/core/messages';
import type { Catalog } from '../../src/core/catalog';
import type { Report } from '../../src/core/report';
import { chromiumPath } from '../../tools/browsers';
import { startExtensionBrowser } from '../../tools/chromium-extension';
import { NS } from './topology';

export interface LabBrowser {
  /** Runs a check with `catalog` (the lab's copy of the bundled one, labCatalog), or the bundled one, and times it from the page that asked. */
  runCheck(catalog?: Catalog): Promise<TimedReport>;
  /** Sends any request to the background from the extension page, as the popup does. */
  ask<T extends BackgroundRequest>(request: T): Promise<BackgroundResponse<T['type']>>;
  /** Turns the call-test relay on with this collector, as the person does in the options (stored settings). */
  allowCallTestRelay(collectorUrl: string): Promise<void>;
  consoleErrors: string[];
  close(): Promise<void>;
}

export interface TimedReport {
  report: Report;
  /** From asking to the first progress message carrying an app row; undefined if none came. */
  firstRowMs?: number;
  /** From asking to the final report. */
  totalMs: number;
}

/**
 * Chrome speaks QUIC to an Alt-Svc server only when its certificate chains to a publicly trusted
 * root (net::ERR_QUIC_CERT_ROOT_NOT_KNOWN otherwise), which no lab CA can be. Naming a host in
 * --origin-to-force-quic-on lifts that rule for it; forcing it on port 1, where nothing listens,
 * leaves everything else as on the real Internet: the first request goes over TCP and learns h3
 * from Alt-Svc, later ones race QUIC against TCP and fall back to TCP when UDP 443 is dropped.
 * The certificate is still verified (an untrusted one fails the QUIC handshake).
 */
function quicFlags(hosts: readonly string[]): string[] {
  return hosts.length === 0 ? [] : [`--origin-to-force-quic-on=${hosts.map((host) => `${host}:1`).join(',')}`];
}

/**
 * LAB_NETLOG=<dir>: each check's browser writes Chromium's NetLog there (one file per launch), to see what a
 * probe's connection did (socket pool, connect jobs, TLS) when its result alone does not say why it was slow.
 */
function netLogFlags(): string[] {
  const dir = process.env.LAB_NETLOG;
  if (dir === undefined || dir === '') return [];
  return [`--log-net-log=${join(resolve(dir), `netlog-${Date.now()}.json`)}`, '--net-log-capture-mode=Default'];
}

/**
 * A fresh profile per check on purpose: a browser kept across scenarios would reuse pooled
 * connections and cached names from the previous one, and so never meet the new scenario's DNS
 * or filtering (an open HTTP/2 connection to a host survives any change of its DNS answer); kept
 * across the runs of one scenario, its second check would skip the TLS handshakes and DNS lookups
 * a new user's check makes, which are what a slow link slows down.
 */
export async function launchInClientNamespace(extensionDir: string, trustedHome: string, http3Hosts: readonly string[] = []): Promise<LabBrowser> {
  const home = mkdtempSync(join(tmpdir(), 'cic-lab-home-'));
  // A copy of a store that trusts the lab CA (trustInNssDb), so no browser sees another's changes.
  cpSync(join(trustedHome, '.pki'), join(home, '.pki'), { recursive: true });
  // Puppeteer starts the executable it is given; this one enters the namespace first. `ip netns
  // exec` keeps the pipe file descriptors Puppeteer talks over.
  const wrapper = join(home, 'chromium-in-lab.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS.client} ${chromiumPath()} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const running = await startExtensionBrowser({
    extensionDir,
    home,
    executablePath: wrapper,
    timeout: 30_000,
    args: [...quicFlags(http3Hosts), ...netLogFlags()],
  });
  const { consoleErrors } = running;
  const close = () => running.close().catch(() => undefined);
  try {
    // The options page starts nothing on its own, so it is a quiet place to automate from.
    const page = await running.newPage();
    await page.goto(`chrome-extension://${running.extensionId}/src/options/index.html`);
    return {
      consoleErrors,
      close,
      async ask(request) {
        const answer = await page.evaluate((message) => chrome.runtime.sendMessage(message) as Promise<Answer<unknown>>, request as BackgroundRequest);
        if (!answer.ok) throw new Error(`the background answered an error to ${request.type}: ${answer.error}`);
        return answer.value as BackgroundResponse<(typeof request)['type']>;
      },
      async allowCallTestRelay(collectorUrl) {
        await page.evaluate(
          ([key, url]) => chrome.storage.local.set({ [key]: { collectorUrl: url, callTestRelay: true } }),
          [STORAGE_KEYS.settings, collectorUrl] as const,
        );
      },
      async runCheck(catalog) {
        const timed = await page.evaluate(async ({ portName, catalog }) => {
          const started = Date.now();
          let firstRowAt: number | undefined;
          // The popup's progress port: the background posts the report on every change.
          const port = chrome.runtime.connect({ name: portName });
          port.onMessage.addListener((message: { type?: string; report?: { apps?: unknown[] } }) => {
            if (firstRowAt === undefined && message.type === 'report' && (message.report?.apps?.length ?? 0) > 0) firstRowAt = Date.now();
          });
          const answer = (await chrome.runtime.sendMessage(catalog === undefined ? { type: 'runCheck' } : { type: 'runCheck', catalog })) as Answer<unknown>;
          port.disconnect();
          return { answer, started, firstRowAt, finished: Date.now() };
        }, { portName: PROGRESS_PORT, catalog });
        if (!timed.answer.ok) throw new Error(`the background answered an error to runCheck: ${timed.answer.error}`);
        return {
          report: timed.answer.value as Report,
          ...(timed.firstRowAt === undefined ? {} : { firstRowMs: timed.firstRowAt - timed.started }),
          totalMs: timed.finished - timed.started,
        };
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// DNS cross-check: asks a DoH resolver (JSON API) what a host is, to tell DNS tampering from a real outage.
import type { HttpTarget } from '../core/catalog';
import { classifyDns, isIpAddress, parseDohJson, systemAnswerFromHttp, type BogonOptions, type DohAnswer } from '../core/dns';
import type { DnsCheck, HttpProbeResult } from '../core/report';
import { errorText } from '../core/error-text';

async function askDoh(dohUrl: string, host: string, deadlineMs: number, signal: AbortSignal): Promise<DohAnswer> {
  const url = new URL(dohUrl);
  url.searchParams.set('name', host);
  url.searchParams.set('type', 'A');
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/dns-json' },
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.any([AbortSignal.timeout(deadlineMs), signal]),
    });
    if (!response.ok) return { kind: 'failed', reason: `DoH answered HTTP ${response.status}` };
    return parseDohJson(await response.json());
  } catch (error) {
    // The resolver itself may be blocked: that makes the comparison inconclusive, not the host.
    return { kind: 'failed', reason: errorText(error) };
  }
}

export async function dnsCrossCheck(
  dohUrl: string | undefined,
  target: HttpTarget,
  http: HttpProbeResult,
  deadlineMs: number,
  signal: AbortSignal,
  bogons: BogonOptions,
): Promise<DnsCheck | null> {
  if (!dohUrl) return null;
  const host = new URL(target.url).hostname;
  if (isIpAddress(host.replace(/^\[|\]$/g, ''))) return null;
  const doh = await askDoh(dohUrl, host, deadlineMs, signal);
  return { targetId: target.id, host, ...classifyDns({ system: systemAnswerFromHttp(http), doh }, bogons) };
}

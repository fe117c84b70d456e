// Maps report codes (verdicts, reasons, advice, outcomes) to the locale message that says them in plain words.
import type { Confidence } from '../core/catalog';
import { isPeerConnectionLimitText } from '../core/device-limit';
import type { Advice, Reason } from '../core/reasons';
import type { DnsCheck, IceEvidence, IceOutcome, NatMapping, Quality, Reachability, Verdict } from '../core/report';
import type { MessageKey } from './message-format';

/** The template types make the compiler check that every code has a message in en/messages.json. */
export function reasonKey(reason: Reason): MessageKey {
  return `reason_${reason.toLowerCase() as Lowercase<Reason>}`;
}

export function adviceKey(advice: Advice): MessageKey {
  return `advice_${advice.toLowerCase() as Lowercase<Advice>}`;
}

export function verdictKey(verdict: Verdict): MessageKey {
  return `verdict_${verdict}`;
}

/** The one-line explanation of an app row when the verdict carries no reason. */
export function summaryKey(verdict: Verdict): MessageKey {
  return `summary_${verdict}`;
}

export function confidenceKey(confidence: Confidence): MessageKey {
  return `confidence_${confidence}`;
}

export function reachKey(reach: Reachability): MessageKey {
  return `reach_${reach}`;
}

/** Why a check failed, in plain words: the browser's limit on call connections is no fault of the extension's. */
export function failureKey(error: string | undefined): MessageKey {
  return isPeerConnectionLimitText(error) ? 'popup_failed_device_limit' : 'popup_failed';
}

export function outcomeKey(outcome: IceOutcome | 'failed'): MessageKey {
  return `outcome_${outcome}`;
}

const EVIDENCE_KEYS: Record<IceEvidence, MessageKey> = {
  srflx: 'evidence_srflx',
  relay: 'evidence_relay',
  'server-error': 'evidence_server_error',
  'error-701': 'evidence_error_701',
  deadline: 'evidence_deadline',
  'gathering-complete': 'evidence_gathering_complete',
};

export function evidenceKey(evidence: IceEvidence): MessageKey {
  return EVIDENCE_KEYS[evidence];
}

export function dnsCheckKey(verdict: DnsCheck['verdict']): MessageKey {
  return `dnscheck_${verdict}`;
}

const NAT_KEYS: Record<NatMapping, MessageKey> = {
  'endpoint-independent': 'nat_endpoint_independent',
  'address-dependent': 'nat_address_dependent',
  'multiple-egress': 'nat_multiple_egress',
  unknown: 'nat_unknown',
};

export function natKey(mapping: NatMapping): MessageKey {
  return NAT_KEYS[mapping];
}

export function qualityKey(band: Quality['band']): MessageKey {
  return `quality_${band}`;
}

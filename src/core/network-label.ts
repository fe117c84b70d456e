// A name the person gives the network a check ran on ("Home Wi-Fi"): what it may be, as typed and as stored in a report.
import * as v from 'valibot';

/** Long enough for "Office Wi-Fi, 3rd floor", short enough to sit on one history row. */
export const NETWORK_LABEL_MAX_LENGTH = 40;

/**
 * Control characters (line breaks, tabs, NUL ...), line and paragraph separators, and the bidi embedding, override
 * and isolate controls, which would reorder the rest of a history row around the name.
 */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

export type NetworkLabelProblem = 'too_long' | 'control';

/** Why a trimmed name cannot be one; length in characters (code points), so Arabic or emoji have the same room. */
function problemOf(label: string): NetworkLabelProblem | undefined {
  if (FORBIDDEN.test(label)) return 'control';
  return [...label].length > NETWORK_LABEL_MAX_LENGTH ? 'too_long' : undefined;
}

const PROBLEM_TEXT: Record<NetworkLabelProblem, string> = {
  too_long: `a network name has at most ${NETWORK_LABEL_MAX_LENGTH} characters`,
  control: 'a network name has no line break or control character',
};

/** A stored name: trimmed, not empty, at most 40 characters, no control character. */
export const NetworkLabelSchema = v.pipe(
  v.string(),
  v.check((label) => label !== '' && label === label.trim() && problemOf(label) === undefined, 'a network name is trimmed, 1 to 40 characters, without control characters'),
);

/** What the person typed, read: a name, no name (empty: the name is removed), or why it cannot be one. */
export type NetworkLabelInput = { ok: true; label: string | undefined } | { ok: false; problem: NetworkLabelProblem; error: string };

export function readNetworkLabel(typed: string): NetworkLabelInput {
  const label = typed.trim();
  const problem = problemOf(label);
  if (problem !== undefined) return { ok: false, problem, error: PROBLEM_TEXT[problem] };
  return { ok: true, label: label === '' ? undefined : label };
}

// The quick call window's go-ahead: a check's loopback connects while the check decides, and sends only once told to.
/**
 * A decision may arrive before the loopback it is for asks (in Chrome each is its own message to the offscreen
 * document, and either may be delivered first); one nobody asked for is forgotten after this long.
 */
const UNCLAIMED_MS = 10_000;

const decisions = new Map<string, { decided: Promise<boolean>; decide(go: boolean): void }>();

function entry(id: string): { decided: Promise<boolean>; decide(go: boolean): void } {
  const known = decisions.get(id);
  if (known !== undefined) return known;
  let decide: (go: boolean) => void = () => undefined;
  const decided = new Promise<boolean>((resolve) => {
    decide = resolve;
  });
  const created = { decided, decide };
  decisions.set(id, created);
  return created;
}

/** Whether loopback `id` may send; pending until the check says. Call `forgetDecision` when the loopback ends. */
export function awaitDecision(id: string): Promise<boolean> {
  return entry(id).decided;
}

export function forgetDecision(id: string): void {
  decisions.delete(id);
}

/** The check's decision for loopback `id`; false when no loopback had asked for it yet. */
export function decide(id: string, go: boolean): boolean {
  const asked = decisions.has(id);
  entry(id).decide(go);
  if (!asked) setTimeout(() => forgetDecision(id), UNCLAIMED_MS);
  return asked;
}
